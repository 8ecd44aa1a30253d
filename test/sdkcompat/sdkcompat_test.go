package sdkcompat

import (
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	cph "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cph/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/cph/v1/model"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

const (
	ak = "SDKCOMPATAK0000000000"
	sk = "sdk-compat-secret-key-0123456789abcdefgh"
)

type env struct {
	svc   *fakecph.Service
	srv   *httptest.Server
	clock *fakecph.FakeClock
}

// newEnv serves a fake whose clock starts at real time: the SDK dates its
// signatures with time.Now, and the fake checks them against its clock.
func newEnv(t *testing.T) *env {
	t.Helper()
	clock := fakecph.NewFakeClock(time.Now())
	svc := fakecph.New(fakecph.Options{
		Seed: 42, AccessKey: ak, SecretKey: sk, Clock: clock, JobDuration: time.Minute,
		TemporaryKeys: []fakecph.TemporaryKey{{AccessKey: "SDKTEMPAK", SecretKey: "temp-sk", SecurityToken: "temp-security-token"}},
	})
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	return &env{svc: svc, srv: srv, clock: clock}
}

// client builds an SDK client the way Huawei documents it, with only the
// endpoint pointed at the fake.
func (e *env) client(t *testing.T, creds *basic.Credentials) *cph.CphClient {
	t.Helper()
	hc, err := cph.CphClientBuilder().
		WithRegion(region.NewRegion("cn-north-4", e.srv.URL)).
		WithCredential(creds).
		SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return cph.NewCphClient(hc)
}

func (e *env) akskClient(t *testing.T, secret string) *cph.CphClient {
	t.Helper()
	creds, err := basic.NewCredentialsBuilder().WithAk(ak).WithSk(secret).WithProjectId(e.svc.ProjectID()).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return e.client(t, creds)
}

func ptr[T any](v T) *T { return &v }

func serviceError(t *testing.T, err error) *sdkerr.ServiceResponseError {
	t.Helper()
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T), want a *sdkerr.ServiceResponseError", err, err)
	}
	return se
}

// TestSDKWorkflow drives the five calls a reset needs through the SDK.
func TestSDKWorkflow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.akskClient(t, sk)

	list, err := c.ListCloudPhones(&model.ListCloudPhonesRequest{Limit: ptr(int32(3)), Offset: ptr(int32(1)), PhoneName: ptr("cph phone")})
	if err != nil {
		t.Fatalf("ListCloudPhones (a query with a space to escape): %v", err)
	}
	if *list.Count != 0 {
		t.Errorf("phone_name with a space matched %d phones", *list.Count)
	}
	list, err = c.ListCloudPhones(&model.ListCloudPhonesRequest{Limit: ptr(int32(3)), Offset: ptr(int32(1))})
	if err != nil {
		t.Fatalf("ListCloudPhones: %v", err)
	}
	if *list.Count != 10 || len(*list.Phones) != 3 || *list.RequestId == "" {
		t.Fatalf("list: count %d, %d phones, request %q", *list.Count, len(*list.Phones), *list.RequestId)
	}
	target := *(*list.Phones)[0].PhoneId
	other := *(*list.Phones)[1].PhoneId

	show, err := c.ShowCloudPhoneDetail(&model.ShowCloudPhoneDetailRequest{PhoneId: target})
	if err != nil {
		t.Fatalf("ShowCloudPhoneDetail: %v", err)
	}
	want, _ := e.svc.Phone(target)
	if *show.PhoneId != target || *show.ServerId != want.ServerID || *show.ImageId != want.ImageID || *show.Status != 2 {
		t.Errorf("show phone: %s", show)
	}

	image := e.svc.ImageIDs()[2]
	reset, err := c.ResetCloudPhone(&model.ResetCloudPhoneRequest{Body: &model.ResetCloudPhoneRequestBody{
		ImageId: &image,
		Phones: []model.PhoneProperty{
			{PhoneId: target, Property: ptr(`{"sys.prop.writephonenum":"13666666666"}`)},
			{PhoneId: other},
			{PhoneId: "00000000000000000000000000000000"},
		},
	}})
	if err != nil {
		t.Fatalf("ResetCloudPhone: %v", err)
	}
	jobs := *reset.Jobs
	if len(jobs) != 3 || jobs[0].JobId == nil || jobs[1].JobId == nil || jobs[2].ErrorCode == nil || *jobs[2].ErrorCode != "CPS.0005" {
		t.Fatalf("reset: %s", reset)
	}

	job, err := c.ShowJob(&model.ShowJobRequest{JobId: *jobs[0].JobId})
	if err != nil {
		t.Fatalf("ShowJob: %v", err)
	}
	if *job.Status != 1 || *job.PhoneId != target {
		t.Errorf("running job: %s", job)
	}

	e.clock.Advance(time.Minute)
	listed, err := c.ListJobs(&model.ListJobsRequest{RequestId: reset.RequestId, Limit: ptr(int32(100))})
	if err != nil {
		t.Fatalf("ListJobs: %v", err)
	}
	if len(*listed.Jobs) != 2 {
		t.Fatalf("list jobs: %s", listed)
	}
	for _, j := range *listed.Jobs {
		if *j.Status != 2 || *j.EndTime == "" {
			t.Errorf("finished job: %s", j)
		}
	}
	byIDs, err := c.ListJobs(&model.ListJobsRequest{RequestIds: ptr(*reset.RequestId + "," + *reset.RequestId), Offset: ptr(int32(1)), Limit: ptr(int32(1))})
	if err != nil || len(*byIDs.Jobs) != 1 || *(*byIDs.Jobs)[0].JobId != *jobs[1].JobId {
		t.Fatalf("ListJobs by request_ids: %v %s", err, byIDs)
	}

	show, err = c.ShowCloudPhoneDetail(&model.ShowCloudPhoneDetailRequest{PhoneId: target})
	if err != nil {
		t.Fatal(err)
	}
	if *show.ImageId != image || *show.Property != `{"sys.prop.writephonenum":"13666666666"}` {
		t.Errorf("phone after reset: image %s property %s", *show.ImageId, *show.Property)
	}
	if st := e.svc.Stats(); st.Resets[target] != 1 || st.Resets[other] != 1 || st.ResetRequests != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestSDKErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	_, err := e.akskClient(t, "not-the-secret-key").ListCloudPhones(&model.ListCloudPhonesRequest{})
	if se := serviceError(t, err); se.StatusCode != 401 || se.ErrorCode != "APIG.0303" || se.RequestId == "" {
		t.Errorf("wrong secret key: %+v", se)
	}

	c := e.akskClient(t, sk)
	_, err = c.ResetCloudPhone(&model.ResetCloudPhoneRequest{Body: &model.ResetCloudPhoneRequestBody{Phones: []model.PhoneProperty{}}})
	if se := serviceError(t, err); se.StatusCode != 400 || se.ErrorCode != "CPS.0009" {
		t.Errorf("empty reset: %+v", se)
	}
	_, err = c.ShowJob(&model.ShowJobRequest{JobId: "00000000000000000000000000000000"})
	if se := serviceError(t, err); se.StatusCode != 404 {
		t.Errorf("unknown job: %+v", se)
	}
	_, err = c.ListCloudPhones(&model.ListCloudPhonesRequest{Limit: ptr(int32(201))})
	if se := serviceError(t, err); se.StatusCode != 400 || se.ErrorCode != "CPS.0002" {
		t.Errorf("limit 201: %+v", se)
	}
}

// TestSDKProjectDiscovery leaves the project ID out: the SDK then asks IAM
// (GET /v3/projects?name=<region>, signed) before its first call.
func TestSDKProjectDiscovery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds, err := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithIamEndpointOverride(e.srv.URL).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	list, err := e.client(t, creds).ListCloudPhones(&model.ListCloudPhonesRequest{})
	if err != nil {
		t.Fatalf("ListCloudPhones after project discovery: %v", err)
	}
	if *list.Count != 10 || e.svc.Stats().CallCount(fakecph.RouteIAMProjects) != 1 {
		t.Errorf("count %d, IAM project calls %d", *list.Count, e.svc.Stats().CallCount(fakecph.RouteIAMProjects))
	}
}

func TestSDKTemporaryKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	build := func(token string) *cph.CphClient {
		creds, err := basic.NewCredentialsBuilder().WithAk("SDKTEMPAK").WithSk("temp-sk").WithSecurityToken(token).
			WithProjectId(e.svc.ProjectID()).SafeBuild()
		if err != nil {
			t.Fatal(err)
		}
		return e.client(t, creds)
	}
	if _, err := build("temp-security-token").ListCloudPhones(&model.ListCloudPhonesRequest{}); err != nil {
		t.Errorf("temporary key with its token: %v", err)
	}
	_, err := build("another-token").ListCloudPhones(&model.ListCloudPhonesRequest{})
	if se := serviceError(t, err); se.StatusCode != 401 || se.ErrorCode != "APIG.0301" {
		t.Errorf("temporary key with another token: %+v", se)
	}
}

// TestSDKListImages decodes the fake's phone-images answer with the SDK's
// model (ListCloudPhoneImages), for each image_type.
func TestSDKListImages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.akskClient(t, sk)
	want := map[string]int{"all": 3, "public": 1, "private": 1, "share": 1}
	for typ, n := range want {
		out, err := c.ListCloudPhoneImages(&model.ListCloudPhoneImagesRequest{ImageType: ptr(typ)})
		if err != nil {
			t.Fatalf("ListCloudPhoneImages(%s): %v", typ, err)
		}
		if out.PhoneImages == nil || len(*out.PhoneImages) != n || *out.RequestId == "" {
			t.Fatalf("image_type %s: %s", typ, out)
		}
		img := (*out.PhoneImages)[0]
		if *img.ImageId == "" || *img.ImageName == "" || *img.OsType != "Android" || *img.IsPublic < 1 || *img.IsPublic > 2 {
			t.Errorf("image_type %s: image %s", typ, img)
		}
	}
}
