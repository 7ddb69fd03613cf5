// Package idp signs people in through the company's identity provider
// with OpenID Connect: the authorization code flow with PKCE, a state and
// a nonce, and the ID token verified (issuer, audience, expiry, nonce)
// with coreos/go-oidc.
package idp

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"orgboard/internal/auth"
	"orgboard/internal/clock"
)

// Config is the console's registration at the identity provider.
type Config struct {
	Issuer, ClientID, ClientSecret string
	// GroupsClaim is the ID token's claim that lists the person's groups.
	GroupsClaim string
	// Scopes are asked for beside openid.
	Scopes []string
}

// Provider is the identity provider, discovered.
type Provider struct {
	cfg      Config
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	now      func() time.Time
}

// FlowTTL is how long a sign-in may take at the identity provider.
const FlowTTL = 10 * time.Minute

// New discovers the provider at the issuer (its /.well-known/openid-configuration).
func New(ctx context.Context, cfg Config, clk clock.Clock) (*Provider, error) {
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("the identity provider at %s: %w", cfg.Issuer, err)
	}
	now := clock.Or(clk).Now
	return &Provider{cfg: cfg, provider: p, now: now,
		verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: now})}, nil
}

func (p *Provider) oauth(redirect string) *oauth2.Config {
	return &oauth2.Config{ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, Endpoint: p.provider.Endpoint(),
		RedirectURL: redirect, Scopes: append([]string{oidc.ScopeOpenID}, p.cfg.Scopes...)}
}

// Flow is what a sign-in keeps between its start and the provider's
// answer (in a sealed cookie of the browser that started it).
type Flow struct {
	State    string    `json:"state"`
	Nonce    string    `json:"nonce"`
	Verifier string    `json:"verifier"`
	Next     string    `json:"next"`
	Redirect string    `json:"redirect"`
	Expires  time.Time `json:"expires"`
}

// Begin starts a sign-in: the provider's URL to send the browser to, and
// the flow to keep.
func (p *Provider) Begin(redirect, next string) (string, Flow) {
	f := Flow{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(), Next: next, Redirect: redirect, Expires: p.now().Add(FlowTTL)}
	return p.oauth(redirect).AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), f
}

// Error is a sign-in that did not succeed, in words for the sign-in page.
type Error struct {
	Message string
	Err     error // for the log
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Err }

func fail(msg string, err error) error { return &Error{Message: msg, Err: err} }

// Finish checks the provider's answer (the callback's query) against the
// flow, exchanges the code and verifies the ID token: who signed in.
func (p *Provider) Finish(ctx context.Context, f Flow, q url.Values) (auth.Person, error) {
	var none auth.Person
	switch {
	case f.State == "" || p.now().After(f.Expires):
		return none, fail("The sign-in took longer than ten minutes, or was started in another browser. Start it again.", nil)
	case q.Get("state") != f.State:
		return none, fail("The identity provider's answer does not belong to the sign-in started here. Start it again.", nil)
	case q.Get("error") != "":
		return none, fail(providerRefusal(q.Get("error"), q.Get("error_description")), nil)
	case q.Get("code") == "":
		return none, fail("The identity provider answered without a code. Start the sign-in again.", nil)
	}
	tok, err := p.oauth(f.Redirect).Exchange(ctx, q.Get("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
			return none, fail("The identity provider no longer accepts this sign-in's code (it expired, or was used already). Start the sign-in again.", err)
		}
		return none, fail("The identity provider could not be reached to finish the sign-in. Try again in a moment.", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return none, fail("The identity provider sent no ID token: the console's registration there must allow OpenID Connect.", nil)
	}
	idt, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return none, fail(verifyProblem(err), err)
	}
	if idt.Nonce != f.Nonce {
		return none, fail("The identity provider's answer does not belong to the sign-in started here (its nonce differs). Start it again.", nil)
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return none, fail("The identity provider's ID token could not be read.", err)
	}
	person := auth.Person{Subject: idt.Subject, Email: strings.ToLower(str(claims["email"])), Name: str(claims["name"]), Groups: strs(claims[p.cfg.GroupsClaim])}
	if verified, ok := claims["email_verified"].(bool); ok && !verified {
		return none, fail("The identity provider has not verified your e-mail address, which the console's rights are given to.", nil)
	}
	if person.Email == "" || person.Subject == "" {
		return none, fail("The identity provider did not say who you are (no e-mail address in the ID token): the console's registration there must include the email scope.", nil)
	}
	return person, nil
}

// providerRefusal says in words an error the provider sent back.
func providerRefusal(code, desc string) string {
	msg := "The identity provider refused the sign-in"
	switch code {
	case "access_denied":
		msg = "The identity provider refused the sign-in (access denied): you may not use this console, or you cancelled"
	case "login_required", "interaction_required", "consent_required":
		msg = "The identity provider needs you to sign in there first"
	}
	if desc != "" {
		msg += ": " + desc
	}
	return msg + "."
}

// verifyProblem says why an ID token was refused.
func verifyProblem(err error) string {
	var expired *oidc.TokenExpiredError
	s := err.Error()
	switch {
	case errors.As(err, &expired):
		return "The identity provider's ID token had already expired when it arrived: this console's clock and the provider's may differ. Check the machine's time, then sign in again."
	case strings.Contains(s, "audience"):
		return "The identity provider's ID token is meant for another application (wrong audience): the console's --oidc-client-id must be the client ID registered there."
	case strings.Contains(s, "issuer"):
		return "The ID token was issued by another identity provider than --oidc-issuer names."
	case strings.Contains(s, "issued in the future"), strings.Contains(s, "before"):
		return "The identity provider's ID token is dated in the future: this console's clock and the provider's differ. Check the machine's time, then sign in again."
	}
	return "The identity provider's ID token could not be verified: " + s + "."
}

func random() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strs(v any) []string {
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	case string:
		if x != "" {
			return []string{x}
		}
	}
	return nil
}
