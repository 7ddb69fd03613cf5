// selfservice_flags.go reads team self-service's settings: the identity
// provider (OpenID Connect), the console's own token, the delegation file.

package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"

	"orgboard/internal/app"
	"orgboard/internal/idp"
)

// selfServiceFlags are the flags of team self-service.
type selfServiceFlags struct {
	issuer, clientID, clientSecret, groupsClaim, scopes, redirect string
	only                                                          bool
	tokenFile, delegation                                         string
}

func (f *selfServiceFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.issuer, "oidc-issuer", "", "OpenID Connect issuer URL of the company's identity provider: people sign in there, without a Cloudflare token, and act within --delegation's grants (ORGBOARD_OIDC_ISSUER)")
	fs.StringVar(&f.clientID, "oidc-client-id", "", "the console's client ID at the identity provider (ORGBOARD_OIDC_CLIENT_ID)")
	fs.StringVar(&f.clientSecret, "oidc-client-secret", "", "the console's client secret there; better given as ORGBOARD_OIDC_CLIENT_SECRET, out of the process list")
	fs.StringVar(&f.groupsClaim, "oidc-groups-claim", "groups", "the ID token's claim that lists a person's groups (ORGBOARD_OIDC_GROUPS_CLAIM)")
	fs.StringVar(&f.scopes, "oidc-scopes", "email profile groups", "scopes asked for beside openid, space-separated (ORGBOARD_OIDC_SCOPES)")
	fs.StringVar(&f.redirect, "oidc-redirect-url", "", "the callback URL registered at the provider, https://console.example.com/login/oidc/callback; empty: from the request's host (ORGBOARD_OIDC_REDIRECT_URL)")
	fs.BoolVar(&f.only, "oidc-only", false, "offer only the identity provider's sign-in: no Cloudflare token sign-in (ORGBOARD_OIDC_ONLY)")
	fs.StringVar(&f.tokenFile, "service-token-file", "", "a file holding the console's own Cloudflare API token, which acts for the people who sign in through the identity provider (or give the token itself as ORGBOARD_SERVICE_TOKEN) (ORGBOARD_SERVICE_TOKEN_FILE)")
	fs.StringVar(&f.delegation, "delegation", "", "the delegation file: which groups and people may do what on which organizations, reloaded when it changes (ORGBOARD_DELEGATION)")
}

// check refuses settings that cannot work together.
func (f *selfServiceFlags) check() error {
	if f.issuer == "" {
		if f.only || f.clientID != "" || f.delegation != "" || f.tokenFile != "" {
			return errors.New("--oidc-client-id, --oidc-only, --delegation and --service-token-file need --oidc-issuer, the identity provider people sign in through")
		}
		return nil
	}
	var errs []error
	if u, err := url.Parse(f.issuer); err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname()))) || u.Host == "" {
		errs = append(errs, fmt.Errorf("--oidc-issuer %q: an https:// URL (http:// only on this machine)", f.issuer))
	}
	if f.clientID == "" {
		errs = append(errs, errors.New("--oidc-issuer needs --oidc-client-id, the console's client ID at the provider"))
	}
	if f.delegation == "" {
		errs = append(errs, errors.New("--oidc-issuer needs --delegation, the file that says who may do what"))
	}
	if f.tokenFile == "" && os.Getenv("ORGBOARD_SERVICE_TOKEN") == "" {
		errs = append(errs, errors.New("--oidc-issuer needs the console's own token: --service-token-file, or ORGBOARD_SERVICE_TOKEN"))
	}
	if f.redirect != "" {
		if u, err := url.Parse(f.redirect); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			errs = append(errs, fmt.Errorf("--oidc-redirect-url %q: the full callback URL, https://…/login/oidc/callback", f.redirect))
		}
	}
	return errors.Join(errs...)
}

func loopback(host string) bool { return host == "localhost" || host == "127.0.0.1" || host == "::1" }

// config is the settings for the console, the token read from its file.
func (f *selfServiceFlags) config() (app.SelfService, error) {
	if f.issuer == "" {
		return app.SelfService{}, nil
	}
	token := strings.TrimSpace(os.Getenv("ORGBOARD_SERVICE_TOKEN"))
	if f.tokenFile != "" {
		b, err := os.ReadFile(f.tokenFile)
		if err != nil {
			return app.SelfService{}, fmt.Errorf("--service-token-file: %w", err)
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		return app.SelfService{}, errors.New("--service-token-file: the file holds no token")
	}
	return app.SelfService{OIDC: idp.Config{Issuer: f.issuer, ClientID: f.clientID, ClientSecret: f.clientSecret, GroupsClaim: f.groupsClaim,
		Scopes: strings.Fields(f.scopes)}, RedirectURL: f.redirect, Only: f.only, ServiceToken: token, Delegation: f.delegation}, nil
}
