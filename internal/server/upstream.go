// upstream.go is the cached reads of the API a page makes.

package server

import (
	"cmp"
	"context"
	"fmt"
	"sync"

	"github.com/labstack/echo/v4"

	"orgboard/internal/api"
)

// Reads go through the request's memo and the user's cache; writes go
// straight to the API and then forget both.

func (s *Server) user(c echo.Context) string {
	if p := person(c); p != nil {
		return personKey(p)
	}
	return userKey(identity(c).Token)
}

// requestReads is what a request has read already: with the cache off (or
// its entry expired meanwhile) a page still reads each thing once, such as
// the ancestors both the breadcrumbs and the hierarchy tags show.
type requestReads struct {
	mu sync.Mutex
	m  map[string]any
}

const readsKey = "orgboard.reads"

// readsOf is the request's reads so far.
func readsOf(c echo.Context) *requestReads {
	r, _ := c.Get(readsKey).(*requestReads)
	if r == nil {
		r = &requestReads{m: map[string]any{}}
		c.Set(readsKey, r)
	}
	return r
}

// read is the user's cached read of key, once per request.
func read[T any](s *Server, c echo.Context, key string, fetch func(context.Context) (T, error)) (T, error) {
	r := readsOf(c)
	r.mu.Lock()
	v, ok := r.m[key]
	r.mu.Unlock()
	if ok {
		return v.(T), nil
	}
	got, err := cached(c.Request().Context(), s.cache, s.user(c), key, fetch)
	if err == nil {
		r.mu.Lock()
		r.m[key] = got
		r.mu.Unlock()
	}
	return got, err
}

// knowOrgs notes organizations read by a listing as this request's reads
// of each, so that walking their parents costs no call.
func knowOrgs(c echo.Context, orgs []api.Organization) {
	r := readsOf(c)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range orgs {
		if _, ok := r.m["org "+o.ID]; !ok {
			r.m["org "+o.ID] = o
		}
	}
}

func (s *Server) listOrgs(c echo.Context, p api.ListOrganizationsParams) (api.Page[api.Organization], error) {
	if person(c) != nil {
		return s.listPersonOrgs(c, p)
	}
	return read(s, c, fmt.Sprintf("orgs %+v", p), func(ctx context.Context) (api.Page[api.Organization], error) {
		return s.client(c).ListOrganizations(ctx, p)
	})
}

func (s *Server) getOrg(c echo.Context, id string) (api.Organization, error) {
	if person(c) != nil {
		if ok, err := s.visible(c, id); err != nil || !ok {
			return api.Organization{}, cmp.Or(err, error(errNotYours))
		}
	}
	return read(s, c, "org "+id, func(ctx context.Context) (api.Organization, error) {
		return s.client(c).GetOrganization(ctx, id)
	})
}

func (s *Server) listAccounts(c echo.Context, org string, p api.ListAccountsParams) (api.Page[api.Account], error) {
	return read(s, c, fmt.Sprintf("accounts %s %+v", org, p), func(ctx context.Context) (api.Page[api.Account], error) {
		return s.client(c).ListAccounts(ctx, org, p)
	})
}

func (s *Server) getProfile(c echo.Context, org string) (api.Profile, error) {
	return read(s, c, "profile "+org, func(ctx context.Context) (api.Profile, error) {
		return s.client(c).GetProfile(ctx, org)
	})
}

func (s *Server) listMembers(c echo.Context, org string, p api.ListMembersParams) (api.Page[api.Member], error) {
	return read(s, c, fmt.Sprintf("members %s %+v", org, p), func(ctx context.Context) (api.Page[api.Member], error) {
		return s.client(c).ListMembers(ctx, org, p)
	})
}

func (s *Server) getMember(c echo.Context, org, member string) (api.Member, error) {
	return read(s, c, "member "+org+" "+member, func(ctx context.Context) (api.Member, error) {
		return s.client(c).GetMember(ctx, org, member)
	})
}

// wrote forgets the user's cached reads after a write of theirs, and the
// request's own.
func (s *Server) wrote(c echo.Context) {
	s.cache.Forget(s.user(c))
	c.Set(readsKey, nil)
}

// orgName is an organization's name for a message, or its ID when the
// token may not read it.
func (s *Server) orgName(c echo.Context, id string) string {
	if o, err := s.getOrg(c, id); err == nil {
		return o.Name
	}
	return id
}
