// members.go serves an organization's members.

package localapi

import (
	"database/sql"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"orgboard/internal/api"
)

const memberColumns = `m.seq, m.id, m.status, m.create_time, m.update_time, u.id, u.email, u.first_name, u.last_name, u.two_factor`

func scanMember(sc interface{ Scan(...any) error }) (api.Member, int64, error) {
	var m api.Member
	var seq int64
	var created, updated, first, last string
	var tfa int
	err := sc.Scan(&seq, &m.ID, &m.Status, &created, &updated, &m.User.ID, &m.User.Email, &first, &last, &tfa)
	m.CreateTime, _ = time.Parse(time.RFC3339Nano, created)
	m.UpdateTime, _ = time.Parse(time.RFC3339Nano, updated)
	m.User.Name = strings.TrimSpace(first + " " + last)
	m.User.TwoFactorAuthenticationEnabled = tfa == 1
	m.Meta = map[string]any{}
	return m, seq, err
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request, p *principal) error {
	_, rec, err := s.readableOrg(r, p, RoleViewer)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	size, err := pageSize(q, "page_size", 10)
	if err != nil {
		return err
	}
	after, err := decodeCursor(q.Get("page_token"), "member", "page_token")
	if err != nil {
		return err
	}
	where, args := "m.org_id = ?", []any{rec.ID}
	if st := q["status"]; len(st) > 0 {
		where += " AND m.status IN (" + strings.TrimSuffix(strings.Repeat("?,", len(st)), ",") + ")"
		for _, v := range st {
			if v != api.MemberActive && v != api.MemberCanceled {
				return badRequest("status must be active or canceled")
			}
			args = append(args, v)
		}
	}
	if e := q.Get("user.email"); e != "" {
		where += ` AND u.email LIKE ? ESCAPE '\'`
		args = append(args, likeSuffix(strings.ToLower(e)))
	}
	var total int
	if err := s.store.r.QueryRowContext(r.Context(), "SELECT count(*) FROM members m JOIN users u ON u.id = m.user_id WHERE "+where, args...).Scan(&total); err != nil {
		return err
	}
	if after != nil {
		where += " AND m.seq > ?"
		args = append(args, after.N)
	}
	rows, err := s.store.r.QueryContext(r.Context(), "SELECT "+memberColumns+" FROM members m JOIN users u ON u.id = m.user_id WHERE "+
		where+" ORDER BY m.seq LIMIT ?", append(args, size+1)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	out := []api.Member{}
	var lastSeq int64
	next := ""
	for rows.Next() {
		m, seq, err := scanMember(rows)
		if err != nil {
			return err
		}
		if len(out) == size {
			next = cursor{Mode: "member", N: lastSeq}.encode()
			break
		}
		out, lastSeq = append(out, m), seq
	}
	if err := rows.Err(); err != nil {
		return err
	}
	writeResult(w, out, pageInfo{NextPageToken: next, TotalSize: total})
	return nil
}

func (s *Server) getMember(w http.ResponseWriter, r *http.Request, p *principal) error {
	_, rec, err := s.readableOrg(r, p, RoleViewer)
	if err != nil {
		return err
	}
	m, err := s.store.member(rec.ID, r.PathValue("member"))
	if err != nil {
		return err
	}
	writeResult(w, m, nil)
	return nil
}

func (st *Store) member(org, id string) (api.Member, error) {
	row := st.r.QueryRow("SELECT "+memberColumns+" FROM members m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? AND m.id = ?", org, id)
	m, _, err := scanMember(row)
	if err == sql.ErrNoRows {
		return m, notFound("member")
	}
	return m, err
}

type memberBody struct {
	Member *struct {
		User *struct {
			Email string `json:"email"`
		} `json:"user"`
		Status string `json:"status"`
	} `json:"member"`
}

func (b memberBody) validate() (email, status string, err error) {
	if b.Member == nil || b.Member.User == nil || b.Member.User.Email == "" {
		return "", "", badRequest("member.user.email is required")
	}
	email = strings.TrimSpace(b.Member.User.Email)
	if a, perr := mail.ParseAddress(email); perr != nil || a.Address != email || len(email) > 254 {
		return "", "", badRequest("member.user.email is not a valid email address")
	}
	status = b.Member.Status
	if status == "" {
		status = api.MemberActive
	}
	if status != api.MemberActive && status != api.MemberCanceled {
		return "", "", badRequest("member.status must be active or canceled")
	}
	return email, status, nil
}

func (s *Server) addMember(w http.ResponseWriter, r *http.Request, p *principal) error {
	var body memberBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	email, status, err := body.validate()
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_, rec, err := s.readableOrg(r, p, RoleEditor)
	if err != nil {
		return err
	}
	if err := membersManaged(rec); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	id := newID()
	var m api.Member
	err = s.store.writeTx(func(tx *sql.Tx) error {
		userID, err := ensureUser(tx, email)
		if err != nil {
			return err
		}
		var exists int
		if err := tx.QueryRow(`SELECT count(*) FROM members WHERE org_id = ? AND user_id = ?`, rec.ID, userID).Scan(&exists); err != nil {
			return err
		}
		if exists > 0 {
			return &apiError{http.StatusBadRequest, 1003, email + " is already a member of this organization"}
		}
		if _, err := tx.Exec(`INSERT INTO members(id, org_id, user_id, status, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?)`,
			id, rec.ID, userID, status, now, now); err != nil {
			return err
		}
		row := tx.QueryRow("SELECT "+memberColumns+" FROM members m JOIN users u ON u.id = m.user_id WHERE m.id = ?", id)
		if m, _, err = scanMember(row); err != nil {
			return err
		}
		return s.audit(tx, r, p, auditFact{org: rec.ID, action: "create", product: "organizations", resType: "member",
			resID: id, desc: "Member added", request: body, response: m})
	})
	if err != nil {
		return err
	}
	writeResult(w, m, nil)
	return nil
}

// ensureUser finds a user by email or invites a new one.
func ensureUser(tx *sql.Tx, email string) (string, error) {
	var id string
	err := tx.QueryRow(`SELECT id FROM users WHERE email = ?`, email).Scan(&id)
	if err == nil {
		return id, nil
	}
	if err != sql.ErrNoRows {
		return "", err
	}
	id = newID()
	_, err = tx.Exec(`INSERT INTO users(id, email, first_name, last_name, two_factor) VALUES (?, ?, '', '', 0)`, id, email)
	return id, err
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request, p *principal) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_, rec, err := s.readableOrg(r, p, RoleEditor)
	if err != nil {
		return err
	}
	if err := membersManaged(rec); err != nil {
		return err
	}
	m, err := s.store.member(rec.ID, r.PathValue("member"))
	if err != nil {
		return err
	}
	err = s.store.writeTx(func(tx *sql.Tx) error {
		if _, err := tx.Exec(`DELETE FROM members WHERE id = ?`, m.ID); err != nil {
			return err
		}
		return s.audit(tx, r, p, auditFact{org: rec.ID, action: "delete", product: "organizations", resType: "member",
			resID: m.ID, desc: "Member removed", response: m})
	})
	if err != nil {
		return err
	}
	writeResult(w, nil, nil)
	return nil
}

// membersManaged refuses a member change where the organization's members
// are not managed in Cloudflare Organizations (member_management disabled).
func membersManaged(rec *orgRecord) error {
	if rec.Flags != nil && rec.Flags.MemberManagement == "disabled" {
		return badRequest("member management is disabled for organization " + rec.ID + ": its members are not managed here")
	}
	return nil
}
