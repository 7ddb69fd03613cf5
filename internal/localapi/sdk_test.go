package localapi

import (
	"strings"
	"testing"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/accounts"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/organizations"

	"orgboard/internal/api"
)

// The official Go SDK must not tell the local API from the real one.
func TestOfficialSDK(t *testing.T) {
	e := newEnv(t)
	sdk := cloudflare.NewClient(option.WithBaseURL(e.http.URL+BasePath+"/"), option.WithAPIToken(DemoAdminToken), option.WithMaxRetries(0))
	ours := e.client(DemoAdminToken)
	pp := e.org("Payments Platform")

	t.Run("organizations list and get", func(t *testing.T) {
		page, err := sdk.Organizations.List(bg, organizations.OrganizationListParams{
			Parent: cloudflare.F(organizations.OrganizationListParamsParent{ID: cloudflare.F(organizations.OrganizationListParamsParentID(pp.ID))}),
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Result) != 2 {
			t.Fatalf("children of Payments Platform: %d, want 2", len(page.Result))
		}
		for _, o := range page.Result {
			if o.JSON.ID.IsMissing() || o.JSON.CreateTime.IsMissing() || o.JSON.Meta.IsMissing() || o.JSON.Name.IsMissing() || o.Parent.ID != pp.ID || o.Parent.Name != pp.Name {
				t.Errorf("organization decoded incompletely: %+v", o)
			}
			if len(o.JSON.ExtraFields) > 1 { // hierarchy_tags is newer than this SDK
				t.Errorf("unexpected fields: %v", o.JSON.ExtraFields)
			}
		}
		got, err := sdk.Organizations.Get(bg, pp.ID)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := ours.GetOrganization(bg, pp.ID)
		if got.Name != want.Name || !got.CreateTime.Equal(want.CreateTime) || got.Profile.BusinessEmail != want.Profile.BusinessEmail ||
			(want.Meta.Flags != nil && got.Meta.Flags.SubOrgCreation != want.Meta.Flags.SubOrgCreation) {
			t.Errorf("SDK %+v\nours %+v", got, want)
		}
	})

	t.Run("organization create, update, delete", func(t *testing.T) {
		dp := e.org("Data Platform") // Payments Platform allows no sub-organizations
		if _, err := sdk.Organizations.New(bg, organizations.OrganizationNewParams{Organization: organizations.OrganizationParam{
			Name: cloudflare.F("SDK team"), Parent: cloudflare.F(organizations.OrganizationParentParam{ID: cloudflare.F(pp.ID)}),
		}}); err == nil || !strings.Contains(err.Error(), "sub-organization creation is disabled") {
			t.Errorf("a child under sub_org_creation disabled: %v", err)
		}
		created, err := sdk.Organizations.New(bg, organizations.OrganizationNewParams{Organization: organizations.OrganizationParam{
			Name:   cloudflare.F("SDK team"),
			Parent: cloudflare.F(organizations.OrganizationParentParam{ID: cloudflare.F(dp.ID)}),
		}})
		if err != nil {
			t.Fatal(err)
		}
		if created.Parent.ID != dp.ID || created.Name != "SDK team" {
			t.Errorf("created %+v", created)
		}
		upd, err := sdk.Organizations.Update(bg, created.ID, organizations.OrganizationUpdateParams{Organization: organizations.OrganizationParam{
			Name:   cloudflare.F("SDK team renamed"),
			Parent: cloudflare.F(organizations.OrganizationParentParam{ID: cloudflare.F(dp.ID)}),
		}})
		if err != nil || upd.Name != "SDK team renamed" {
			t.Fatalf("update: %+v, %v", upd, err)
		}
		del, err := sdk.Organizations.Delete(bg, created.ID)
		if err != nil || del.ID != created.ID {
			t.Fatalf("delete: %+v, %v", del, err)
		}
		if _, err := sdk.Organizations.Get(bg, created.ID); err == nil {
			t.Error("deleted organization still readable")
		} else if apiErr, ok := err.(*cloudflare.Error); !ok || apiErr.StatusCode != 404 {
			t.Errorf("get after delete: %v, want a 404 *cloudflare.Error", err)
		}
	})

	t.Run("accounts", func(t *testing.T) {
		accts, err := sdk.Organizations.OrganizationAccounts.Get(bg, pp.ID, organizations.OrganizationAccountGetParams{
			OrderBy:   cloudflare.F(organizations.OrganizationAccountGetParamsOrderByAccountName),
			Direction: cloudflare.F(organizations.OrganizationAccountGetParamsDirectionDesc),
			PageSize:  cloudflare.F(int64(50)),
		})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := ours.ListAccounts(bg, pp.ID, api.ListAccountsParams{OrderBy: "account_name", Direction: "desc", PageParams: api.PageParams{PageSize: 50}})
		if len(*accts) != len(want.Items) || len(want.Items) == 0 {
			t.Fatalf("SDK %d accounts, ours %d", len(*accts), len(want.Items))
		}
		for i, a := range *accts {
			w := want.Items[i]
			if a.ID != w.ID || string(a.Type) != w.Type || !a.CreatedOn.Equal(w.CreatedOn) || a.JSON.Settings.IsMissing() ||
				(w.Settings.EnforceTwoFactor != nil && a.Settings.EnforceTwofactor != *w.Settings.EnforceTwoFactor) {
				t.Errorf("account %d: SDK %+v, ours %+v", i, a, w)
			}
		}
	})

	t.Run("profile", func(t *testing.T) {
		err := sdk.Organizations.OrganizationProfile.Update(bg, pp.ID, organizations.OrganizationProfileUpdateParams{AccountProfile: accounts.AccountProfileParam{
			BusinessAddress: cloudflare.F("1 Market Street"), BusinessEmail: cloudflare.F("pp@northwind.example"),
			BusinessName: cloudflare.F("Payments Platform"), BusinessPhone: cloudflare.F("+1 415 555 0100"), ExternalMetadata: cloudflare.F(`{"k":1}`),
		}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := sdk.Organizations.OrganizationProfile.Get(bg, pp.ID)
		if err != nil || got.BusinessPhone != "+1 415 555 0100" || got.ExternalMetadata != `{"k":1}` {
			t.Errorf("profile %+v, %v", got, err)
		}
	})

	t.Run("members", func(t *testing.T) {
		m, err := sdk.Organizations.Members.New(bg, pp.ID, organizations.MemberNewParams{Member: cloudflare.F(organizations.MemberNewParamsMember{
			User:   cloudflare.F(organizations.MemberNewParamsMemberUser{Email: cloudflare.F("sdk.user@example.com")}),
			Status: cloudflare.F(organizations.MemberNewParamsMemberStatusActive),
		})})
		if err != nil {
			t.Fatal(err)
		}
		if m.User.Email != "sdk.user@example.com" || m.Status != "active" || m.CreateTime.IsZero() || m.JSON.Meta.IsMissing() {
			t.Errorf("member %+v", m)
		}
		list, err := sdk.Organizations.Members.List(bg, pp.ID, organizations.MemberListParams{
			User:     cloudflare.F(organizations.MemberListParamsUser{Email: cloudflare.F("@example.com")}),
			PageSize: cloudflare.F(int64(100)),
		})
		if err != nil || len(list.Result) != 1 || list.Result[0].ID != m.ID {
			t.Fatalf("member list by email suffix: %+v, %v", list, err)
		}
		got, err := sdk.Organizations.Members.Get(bg, pp.ID, m.ID)
		if err != nil || got.ID != m.ID || got.User.TwoFactorAuthenticationEnabled {
			t.Errorf("get member %+v, %v", got, err)
		}
		if err := sdk.Organizations.Members.Delete(bg, pp.ID, m.ID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("flags of the older generation", func(t *testing.T) {
		for _, o := range []api.Organization{pp, e.org("Northwind Holdings")} {
			got, err := sdk.Organizations.Get(bg, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if o.Meta.Flags != nil && (got.Meta.JSON.Flags.IsMissing() || got.Meta.Flags.AccountMobility != o.Meta.Flags.AccountMobility ||
				string(got.Meta.Flags.SubOrgCreation) != o.Meta.Flags.SubOrgCreation) {
				t.Errorf("%s: the Go SDK reads flags %+v, want %+v", o.Name, got.Meta.Flags, o.Meta.Flags)
			}
		}
	})

	t.Run("account move", func(t *testing.T) {
		var from, to api.Organization
		for o, err := range ours.Organizations(bg, api.ListOrganizationsParams{PageParams: api.PageParams{PageSize: 100}}) {
			if err != nil {
				t.Fatal(err)
			}
			accts, _ := ours.ListAccounts(bg, o.ID, api.ListAccountsParams{})
			if o.Meta.TenantFlags != nil && o.Meta.TenantFlags.AccountMobility == "enabled" && len(accts.Items) > 0 && from.ID == "" {
				from = o
			} else if to.ID == "" && o.ID != from.ID {
				to = o
			}
		}
		accts, _ := ours.ListAccounts(bg, from.ID, api.ListAccountsParams{})
		res, err := sdk.Accounts.AccountOrganizations.New(bg, accounts.AccountOrganizationNewParams{
			AccountID: cloudflare.F(accts.Items[0].ID), DestinationOrganizationID: cloudflare.F(to.ID)})
		if err != nil {
			t.Fatal(err)
		}
		if res.AccountID != accts.Items[0].ID || res.SourceOrganizationID != from.ID || res.DestinationOrganizationID != to.ID || len(res.JSON.ExtraFields) != 0 {
			t.Errorf("move answered %+v", res)
		}
	})

	t.Run("errors", func(t *testing.T) {
		viewer := cloudflare.NewClient(option.WithBaseURL(e.http.URL+BasePath+"/"), option.WithAPIToken(DemoViewerToken), option.WithMaxRetries(0))
		_, err := viewer.Organizations.New(bg, organizations.OrganizationNewParams{Organization: organizations.OrganizationParam{Name: cloudflare.F("x")}})
		apiErr, ok := err.(*cloudflare.Error)
		if !ok || apiErr.StatusCode != 403 {
			t.Errorf("viewer create: %v, want a 403 *cloudflare.Error", err)
		}
	})
}
