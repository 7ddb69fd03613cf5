// account_move.go moves an account to another organization: pick the
// destination by name, confirm with both named, and show the refusal in
// place when the organization or the token does not allow it.

package server

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"orgboard/internal/access"
	"orgboard/internal/api"
	"orgboard/internal/history"
	"orgboard/internal/route"
	"orgboard/web/templates"
)

// moveAccountForm is the move row of an account: the search for the
// destination, or the confirmation naming both.
func (s *Server) moveAccountForm(c echo.Context, org, account string) (templates.AccountMove, error) {
	src, err := s.getOrg(c, org)
	if err != nil {
		return templates.AccountMove{}, err
	}
	return templates.AccountMove{CSRF: s.csrf(c), Account: account, Action: route.Path(route.AccountMove, org, account),
		CancelURL: withQuery(route.Path(route.AccountMove, org, account), map[string][]string{"cancel": {"1"}}), From: src.Name}, nil
}

// moveAccountCandidates answers the move row: empty (cancelled), the
// search for a destination, or its results.
func (s *Server) moveAccountCandidates(c echo.Context) error {
	org, account := c.Param("id"), c.Param("account")
	if c.QueryParam("cancel") != "" {
		return render(c, http.StatusOK, templates.AccountMoveRow(templates.AccountMove{Account: account}))
	}
	f, err := s.moveAccountForm(c, org, account)
	if err != nil {
		return err
	}
	f.Open = true
	if f.Query, err = searchQuery(c.QueryParam("q")); err != nil {
		return err
	}
	if f.Query != "" {
		found, err := s.searchNodes(c, f.Query)
		if err != nil {
			return err
		}
		for _, n := range found.Nodes {
			if n.ID == org {
				continue
			}
			// only organizations that accept the account from this person: the API
			// asks the mover to administer the destination too
			if _, to, err := s.capsOf(c, n.ID); err == nil && to.May(access.Organize) {
				f.Candidates = append(f.Candidates, n)
			}
		}
		if htmx(c).Target == "move-candidates-"+account {
			return render(c, http.StatusOK, templates.AccountMoveCandidates(f))
		}
	}
	return render(c, http.StatusOK, templates.AccountMoveRow(f))
}

// moveAccount confirms the move (the first post), then makes it.
func (s *Server) moveAccount(c echo.Context) error {
	org, account, dest := c.Param("id"), c.Param("account"), c.FormValue("destination")
	f, err := s.moveAccountForm(c, org, account)
	if err != nil {
		return err
	}
	f.Open = true
	if !api.ValidID(dest) {
		f.Error = "Choose the organization to move the account to from the search results."
		return render(c, http.StatusUnprocessableEntity, templates.AccountMoveRow(f))
	}
	to, err := s.getOrg(c, dest)
	if err != nil {
		if msg, ok := formProblem(err); ok {
			f.Error = msg
			return render(c, api.StatusCode(err), templates.AccountMoveRow(f))
		}
		return err
	}
	f.Destination, f.To, f.AccountName = dest, to.Name, c.FormValue("account_name")
	if person(c) != nil { // both sides are the grants' to allow: the console's token is refused nothing
		for _, side := range []struct {
			org string
			k   access.Kind
		}{{org, access.MoveAccounts}, {dest, access.Organize}} {
			end, err := s.delegatedMay(c, side.org, side.k)
			if err != nil {
				return err
			}
			if end.Refused() {
				f.Error = end.Problem
				return render(c, http.StatusForbidden, templates.AccountMoveRow(f))
			}
		}
	}
	if c.FormValue("confirm") == "" {
		f.Confirming = true
		return render(c, http.StatusOK, templates.AccountMoveRow(f))
	}
	// one move of an account at a time here, checked against where the
	// account is now: a second mover meets a conflict, never a success
	unlock := s.moves.lock(account)
	defer unlock()
	now, err := s.accountOrg(c, account)
	if err != nil {
		return err
	}
	if now == nil {
		f.Error = "The account no longer belongs to any organization you can read. Nothing was changed."
		return render(c, http.StatusNotFound, templates.AccountMoveRow(f))
	}
	if now.ID != org {
		f.Error = "While you were choosing, the account was moved to “" + now.Name + "”. Nothing was changed; move it from there if you still want to."
		f.ToURL = route.Path(route.Accounts, now.ID)
		return render(c, http.StatusConflict, templates.AccountMoveRow(f))
	}
	var res api.AccountMove
	end, err := s.send(c, func(ctx context.Context) (err error) {
		res, err = s.client(c).MoveAccount(ctx, account, dest)
		return err
	})
	if err != nil {
		return err
	}
	if end.Refused() {
		f.Error = moveRefusal(end, now.Name, f.To)
		return render(c, end.Status, templates.AccountMoveRow(f))
	}
	if res.SourceOrganizationID != "" && res.SourceOrganizationID != org { // another console moved it in between
		f.Error = "Someone else moved the account out of “" + f.From + "” at the same moment; Cloudflare then moved it on from " +
			s.orgName(c, res.SourceOrganizationID) + " to “" + f.To + "”, where it is now."
		f.ToURL = route.Path(route.Accounts, dest)
		return render(c, http.StatusConflict, templates.AccountMoveRow(f))
	}
	s.sawTree(c, func(ctx context.Context, t *history.Keeper) error {
		return t.Moved(ctx, history.Account, account, org, dest, "")
	})
	f.Moved, f.ToURL = true, route.Path(route.Accounts, dest)
	f.AccountName = cmp.Or(f.AccountName, "The account")
	left, err := s.client(c).ListAccounts(c.Request().Context(), org, api.ListAccountsParams{PageParams: api.PageParams{PageSize: 1}})
	if err != nil { // moved all the same: the list is right after a reload
		return render(c, http.StatusOK, templates.AccountMoveRow(f))
	}
	return render(c, http.StatusOK, templates.AccountMoved(f, left.TotalSize))
}

// accountOrg reads, fresh, the organization an account belongs to now
// (nil when the token can read none holding it).
func (s *Server) accountOrg(c echo.Context, account string) (*api.Organization, error) {
	var chain []api.Organization
	for o, err := range s.client(c).Organizations(c.Request().Context(), api.ListOrganizationsParams{ContainingAccount: account, PageParams: api.PageParams{PageSize: 50}}) {
		if err != nil {
			return nil, err
		}
		chain = append(chain, o)
	}
	return api.Innermost(chain), nil
}

// keyedLocks holds one lock per key while it is in use.
type keyedLocks struct {
	mu   sync.Mutex
	held map[string]*keyedLock
}

type keyedLock struct {
	sync.Mutex
	users int
}

// lock takes key's lock and returns its release.
func (k *keyedLocks) lock(key string) func() {
	k.mu.Lock()
	if k.held == nil {
		k.held = map[string]*keyedLock{}
	}
	l := k.held[key]
	if l == nil {
		l = &keyedLock{}
		k.held[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.held, key)
		}
		k.mu.Unlock()
	}
}

// moveRefusal says why the API refused a move, in the console's words.
func moveRefusal(end writeEnd, from, to string) string {
	var ae *api.Error
	errors.As(end.Err, &ae)
	switch {
	case end.Forbidden && ae != nil && strings.Contains(strings.ToLower(strings.Join(ae.Messages(), " ")), "mobility"):
		return "“" + from + "” does not let its accounts move to other organizations (its “Accounts can move” flag is off). Nothing was changed."
	case end.Forbidden:
		return "Your API token may not move this account: it must administer both “" + from + "” and “" + to + "”. Nothing was changed."
	case end.Status == http.StatusNotFound:
		return "The account or the organization no longer exists. Nothing was changed."
	}
	return "The API refused the move: " + end.Problem + " Nothing was changed."
}
