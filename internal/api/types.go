// types.go holds the wire types of the Organizations API.

package api

import (
	"encoding/json"
	"time"
)

// Organization is a node of the organization tree.
type Organization struct {
	ID         string           `json:"id"`
	CreateTime time.Time        `json:"create_time"`
	Name       string           `json:"name"`
	Parent     *OrganizationRef `json:"parent,omitempty"`
	Meta       OrganizationMeta `json:"meta"`
	Profile    *Profile         `json:"profile,omitempty"`
}

// OrganizationRef names another organization, such as a parent.
type OrganizationRef struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// OrganizationMeta holds flags and management facts of an organization.
// The API of 2026 sends tenant_flags (eight keys); the older generation, and
// its SDKs, read flags (five): a client reads whichever is there, Tenant
// first.
type OrganizationMeta struct {
	Flags       *MetaFlags   `json:"flags"`
	TenantFlags *TenantFlags `json:"tenant_flags,omitempty"`
	ManagedBy   *string      `json:"managed_by"`
	// HierarchyTags is the chain of organization tags from the root down to
	// and including the organization itself.
	HierarchyTags []string `json:"hierarchy_tags,omitempty"`
}

// MetaFlags are the feature flags of an organization, as the older
// generation of the API names them.
type MetaFlags struct {
	AccountCreation  string `json:"account_creation"`
	AccountDeletion  string `json:"account_deletion"`
	AccountMigration string `json:"account_migration"`
	AccountMobility  string `json:"account_mobility"`
	SubOrgCreation   string `json:"sub_org_creation"`
}

// TenantFlags are the feature flags of an organization, as the API of 2026
// names them.
type TenantFlags struct {
	AccountCreation                      string `json:"account_creation"`
	AccountCreationAppliesTenantDefaults string `json:"account_creation_applies_tenant_defaults"`
	AccountDeletion                      string `json:"account_deletion"`
	AccountMigration                     string `json:"account_migration"`
	AccountMobility                      string `json:"account_mobility"`
	EnterpriseCapability                 string `json:"enterprise_capability"`
	MemberManagement                     string `json:"member_management"`
	SubOrgCreation                       string `json:"sub_org_creation"`
}

// Legacy is the five of the flags the older generation reads.
func (f *TenantFlags) Legacy() *MetaFlags {
	if f == nil {
		return nil
	}
	return &MetaFlags{AccountCreation: f.AccountCreation, AccountDeletion: f.AccountDeletion, AccountMigration: f.AccountMigration,
		AccountMobility: f.AccountMobility, SubOrgCreation: f.SubOrgCreation}
}

// Tenant is the organization's flags: tenant_flags when the API sent them,
// else the five of flags (the other three unknown), else nil.
func (m OrganizationMeta) Tenant() *TenantFlags {
	if m.TenantFlags != nil {
		return m.TenantFlags
	}
	if f := m.Flags; f != nil {
		return &TenantFlags{AccountCreation: f.AccountCreation, AccountDeletion: f.AccountDeletion, AccountMigration: f.AccountMigration,
			AccountMobility: f.AccountMobility, SubOrgCreation: f.SubOrgCreation}
	}
	return nil
}

// Profile is an organization's business profile.
type Profile struct {
	BusinessAddress  string `json:"business_address"`
	BusinessEmail    string `json:"business_email"`
	BusinessName     string `json:"business_name"`
	BusinessPhone    string `json:"business_phone"`
	ExternalMetadata string `json:"external_metadata"`
}

// OrganizationInput is the body of a create or an update. An update sends
// the name and only what else changes: PUT keeps an omitted parent or profile.
type OrganizationInput struct {
	Name    string           `json:"name"`
	Parent  *OrganizationRef `json:"parent,omitempty"`
	Profile *Profile         `json:"profile,omitempty"`
}

// AccountMove is the answer of POST /accounts/{id}/move.
type AccountMove struct {
	AccountID                 string `json:"account_id"`
	SourceOrganizationID      string `json:"source_organization_id"`
	DestinationOrganizationID string `json:"destination_organization_id"`
}

// Account is an account that belongs to an organization.
type Account struct {
	ID        string          `json:"id"`
	Name      *string         `json:"name"`
	Type      string          `json:"type"`
	CreatedOn time.Time       `json:"created_on"`
	Settings  AccountSettings `json:"settings"`
}

// AccountSettings are an account's settings as the organization sees them.
type AccountSettings struct {
	AbuseContactEmail    *string    `json:"abuse_contact_email"`
	AccessApprovalExpiry *time.Time `json:"access_approval_expiry"`
	APIAccessEnabled     *bool      `json:"api_access_enabled"`
	EnforceTwoFactor     *bool      `json:"enforce_twofactor"`
	// Deprecated upstream; kept raw because their types have varied.
	DefaultNameservers          json.RawMessage `json:"default_nameservers,omitempty"`
	UseAccountCustomNSByDefault json.RawMessage `json:"use_account_custom_ns_by_default,omitempty"`
}

// Member is a user's membership of an organization.
type Member struct {
	ID         string         `json:"id"`
	CreateTime time.Time      `json:"create_time"`
	UpdateTime time.Time      `json:"update_time"`
	Meta       map[string]any `json:"meta"`
	Status     string         `json:"status"`
	User       MemberUser     `json:"user"`
}

// MemberUser is the user behind a membership.
type MemberUser struct {
	ID                             string `json:"id"`
	Email                          string `json:"email"`
	Name                           string `json:"name"`
	TwoFactorAuthenticationEnabled bool   `json:"two_factor_authentication_enabled"`
}

// Member statuses.
const (
	MemberActive   = "active"
	MemberCanceled = "canceled"
)

// AuditEntry is one organization audit log entry (version 2). Every field is
// optional on the wire.
type AuditEntry struct {
	ID           string          `json:"id,omitempty"`
	Action       AuditAction     `json:"action"`
	Actor        AuditActor      `json:"actor"`
	Organization OrganizationRef `json:"organization"`
	Raw          AuditRaw        `json:"raw"`
	Resource     AuditResource   `json:"resource"`

	wire []byte // the entry's JSON as a page brought it
}

// Wire is the entry's JSON as the API sent it, when it came from
// ListAuditEntries; nil otherwise.
func (e *AuditEntry) Wire() []byte { return e.wire }

// AuditAction describes what was done.
type AuditAction struct {
	Description string    `json:"description,omitempty"`
	Result      string    `json:"result,omitempty"`
	Time        time.Time `json:"time"`
	Type        string    `json:"type,omitempty"`
}

// AuditActor describes who did it.
type AuditActor struct {
	ID        string `json:"id,omitempty"`
	Context   string `json:"context,omitempty"`
	Email     string `json:"email,omitempty"`
	IPAddress string `json:"ip_address,omitempty"`
	TokenID   string `json:"token_id,omitempty"`
	TokenName string `json:"token_name,omitempty"`
	Type      string `json:"type,omitempty"`
}

// AuditRaw is the raw request behind an entry.
type AuditRaw struct {
	CFRayID    string `json:"cf_ray_id,omitempty"`
	Method     string `json:"method,omitempty"`
	StatusCode int    `json:"status_code,omitempty"`
	URI        string `json:"uri,omitempty"`
	UserAgent  string `json:"user_agent,omitempty"`
}

// AuditResource is the resource an entry acted on.
type AuditResource struct {
	ID       string          `json:"id,omitempty"`
	Product  string          `json:"product,omitempty"`
	Type     string          `json:"type,omitempty"`
	Scope    json.RawMessage `json:"scope,omitempty"`
	Request  json.RawMessage `json:"request,omitempty"`
	Response json.RawMessage `json:"response,omitempty"`
}

// TokenStatus is the answer of /user/tokens/verify.
type TokenStatus struct {
	ID        string     `json:"id"`
	Status    string     `json:"status"`
	ExpiresOn *time.Time `json:"expires_on,omitempty"`
	NotBefore *time.Time `json:"not_before,omitempty"`
}

// Token statuses.
const (
	TokenActive   = "active"
	TokenDisabled = "disabled"
	TokenExpired  = "expired"
)

// User is the user behind a token.
type User struct {
	ID                             string `json:"id"`
	Email                          string `json:"email"`
	FirstName                      string `json:"first_name,omitempty"`
	LastName                       string `json:"last_name,omitempty"`
	Username                       string `json:"username,omitempty"`
	TwoFactorAuthenticationEnabled bool   `json:"two_factor_authentication_enabled"`
	// Telephone, Country (ISO 3166-1 alpha-2) and Zipcode are null when unset.
	Telephone *string `json:"telephone"`
	Country   *string `json:"country"`
	Zipcode   *string `json:"zipcode"`
}

// Token is an API token with its policies, as GET /user/tokens/{id} reads it.
type Token struct {
	ID        string        `json:"id"`
	Name      string        `json:"name,omitempty"`
	Status    string        `json:"status"`
	ExpiresOn *time.Time    `json:"expires_on,omitempty"`
	NotBefore *time.Time    `json:"not_before,omitempty"`
	Policies  []TokenPolicy `json:"policies"`
}

// TokenPolicy is one policy of a token: an effect (allow or deny), the
// permission groups it names, and the resources it covers. A resource's
// value is "*" or an object of nested resources.
type TokenPolicy struct {
	ID               string                     `json:"id,omitempty"`
	Effect           string                     `json:"effect"`
	PermissionGroups []PermissionGroup          `json:"permission_groups"`
	Resources        map[string]json.RawMessage `json:"resources"`
}

// PermissionGroup names one set of permissions.
type PermissionGroup struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// OrganizationResource is the resource key of an organization in a token's
// policies ("*" for every organization).
func OrganizationResource(id string) string { return "com.cloudflare.api.organization." + id }
