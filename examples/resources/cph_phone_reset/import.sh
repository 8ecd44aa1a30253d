# Import the jobs of one or more batch-reset requests (comma-separated).
terraform import cph_phone_reset.test_fleet 6837531fd3f54550927b930180a706bf,9a1c0f3e2b7d4c55a1e8f0d2c4b6a8e0
