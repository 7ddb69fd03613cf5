// server.go is the local API's HTTP side: routes, authentication, the
// envelope.

package localapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"orgboard/internal/api"
)

// BasePath is where the API is served, as on api.cloudflare.com.
const BasePath = "/client/v4"

// Server is the local API as an http.Handler.
type Server struct {
	store  *Store
	faults *Faults
	now    func() time.Time
	log    *slog.Logger
	mux    *http.ServeMux
	wmu    sync.Mutex // serializes writes so a database change and the tree swap are one step
	rate   *rateLimiter
}

// NewServer serves store's data. faults may be nil.
func NewServer(store *Store, faults *Faults, log *slog.Logger) *Server {
	if faults == nil {
		faults = &Faults{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{store: store, faults: faults, now: time.Now, log: log, mux: http.NewServeMux()}
	s.routes()
	return s
}

// SetClock makes now the server's time of day (entries, usage, token
// expiry); the console passes its own clock so that both agree on dates.
func (s *Server) SetClock(now func() time.Time) {
	if now != nil {
		s.now = now
	}
}

// Faults are the server's fault knobs.
func (s *Server) Faults() *Faults { return s.faults }

type handlerFunc func(w http.ResponseWriter, r *http.Request, p *principal) error

type methods map[string]handlerFunc

func (s *Server) routes() {
	s.mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	s.route("/user/tokens/verify", methods{http.MethodGet: s.verifyToken}, false)
	s.route("/user/tokens/{token}", methods{http.MethodGet: s.getToken}, true)
	s.route("/user", methods{http.MethodGet: s.getUser, http.MethodPatch: s.editUser}, false)
	s.route("/organizations", methods{http.MethodGet: s.listOrganizations, http.MethodPost: s.createOrganization}, true)
	s.route("/organizations/{org}", methods{http.MethodGet: s.getOrganization, http.MethodPut: s.updateOrganization, http.MethodDelete: s.deleteOrganization}, true)
	s.route("/organizations/{org}/accounts", methods{http.MethodGet: s.listAccounts}, true)
	s.route("/organizations/{org}/profile", methods{http.MethodGet: s.getProfile, http.MethodPut: s.updateProfile}, true)
	s.route("/organizations/{org}/members", methods{http.MethodGet: s.listMembers, http.MethodPost: s.addMember}, true)
	s.route("/organizations/{org}/members/{member}", methods{http.MethodGet: s.getMember, http.MethodDelete: s.removeMember}, true)
	s.route("/organizations/{org}/logs/audit", methods{http.MethodGet: s.listAudit}, true)
	s.route("/organizations/{org}/logs/audit/{entry}/history", methods{http.MethodGet: s.auditHistory}, true)
	s.route("/organizations/{org}/billable/usage", methods{http.MethodGet: s.getUsage}, true)
	s.route("/accounts/{account}/move", methods{http.MethodPost: s.moveAccount}, true)
	s.route("/accounts/{account}/logs/audit", methods{http.MethodGet: s.listAccountAudit}, true)
	s.route("/accounts/{account}/logs/audit/product_categories", methods{http.MethodGet: s.listProductCategories}, true)
	s.route("/accounts/{account}/logs/audit/{entry}/history", methods{http.MethodGet: s.accountAuditHistory}, true)
	s.route("/accounts/{account}/billable/usage", methods{http.MethodGet: s.getAccountUsage}, true)
	s.route("/accounts/{account}/billable-usage", methods{http.MethodGet: s.getAccountUsageV1}, true)
	s.route("/accounts/{account}/billable-usage/info", methods{http.MethodGet: s.getAccountUsageInfo}, true)
	s.route("/accounts/{account}/billing/usage/paygo", methods{http.MethodGet: s.getAccountUsagePaygo}, true)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, 7000, "No route for that URI")
	})
}

// route registers one path for its methods. active: the token must be usable
// now (verify and /user answer for expired tokens too).
func (s *Server) route(pattern string, ms methods, active bool) {
	s.mux.HandleFunc(BasePath+pattern, func(w http.ResponseWriter, r *http.Request) {
		h, ok := ms[r.Method]
		if !ok {
			writeError(w, http.StatusMethodNotAllowed, 10405, "Method "+r.Method+" not allowed for this route")
			return
		}
		for _, name := range []string{"org", "member", "entry", "account", "token"} {
			if v := r.PathValue(name); v != "" && !api.ValidID(v) {
				writeError(w, http.StatusBadRequest, 7003, "Could not route to "+r.URL.Path+", perhaps your object identifier is invalid?")
				return
			}
		}
		p, ok := s.authenticate(w, r, active)
		if !ok || s.rateLimited(w, p) { // only known tokens are counted: a flood of made-up ones costs no memory
			return
		}
		if err := h(w, r, p); err != nil {
			s.writeErr(w, r, err)
		}
	})
}

// ServeHTTP applies the fault knobs, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ray := newRayID()
	w.Header().Set("Cf-Ray", ray)
	r = r.WithContext(context.WithValue(r.Context(), rayKey{}, ray))
	if r.URL.Path != "/healthz" && s.faults.inject(w, r) {
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, active bool) (*principal, bool) {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return s.authenticateKey(w, r)
	}
	p, err := s.store.principal(strings.TrimSpace(token))
	if err != nil {
		s.writeErr(w, r, err)
		return nil, false
	}
	if p == nil {
		if r.URL.Path == BasePath+"/user/tokens/verify" {
			writeError(w, http.StatusUnauthorized, 1000, "Invalid API Token")
			return nil, false
		}
		writeError(w, http.StatusUnauthorized, 10000, "Authentication error")
		return nil, false
	}
	if active && !p.active(s.now()) {
		writeError(w, http.StatusUnauthorized, 10000, "Authentication error: the token is "+p.effectiveStatus(s.now()))
		return nil, false
	}
	return p, true
}

// authenticateKey authenticates a request without a bearer token by its
// X-Auth-Email and X-Auth-Key (a token decides when both are sent).
func (s *Server) authenticateKey(w http.ResponseWriter, r *http.Request) (*principal, bool) {
	email, key := r.Header.Get("X-Auth-Email"), r.Header.Get("X-Auth-Key")
	switch {
	case email == "" && key == "":
		writeError(w, http.StatusUnauthorized, 10000, "Authentication error")
		return nil, false
	case email == "" || key == "":
		writeError(w, http.StatusBadRequest, 6003, "Invalid request headers")
		return nil, false
	case r.URL.Path == BasePath+"/user/tokens/verify":
		writeError(w, http.StatusUnauthorized, 1000, "Invalid API Token")
		return nil, false
	}
	p, err := s.store.keyPrincipal(email, key)
	if err != nil {
		s.writeErr(w, r, err)
		return nil, false
	}
	return p, true
}

// apiError is an error with the status and item the client sees.
type apiError struct {
	status  int
	code    int
	message string
}

func (e *apiError) Error() string { return e.message }

func badRequest(msg string) error { return &apiError{http.StatusBadRequest, 1001, msg} }
func notFound(what string) error {
	return &apiError{http.StatusNotFound, 7003, "Could not route to the requested " + what + ", perhaps your object identifier is invalid?"}
}
func forbidden() error {
	return &apiError{http.StatusForbidden, 9109, "Unauthorized to access requested resource"}
}

func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	if ae, ok := err.(*apiError); ok {
		writeError(w, ae.status, ae.code, ae.message)
		return
	}
	s.log.Error("localapi request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	writeError(w, http.StatusInternalServerError, 10001, "Internal error")
}

type item struct {
	Code    int    `json:"code,omitempty"`
	Message string `json:"message"`
}

type envelope struct {
	Success    bool   `json:"success"`
	Errors     []item `json:"errors"`
	Messages   []item `json:"messages"`
	Result     any    `json:"result"`
	ResultInfo any    `json:"result_info,omitempty"`
}

func writeError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, envelope{Errors: []item{{code, msg}}, Messages: []item{}})
}

func writeResult(w http.ResponseWriter, result, info any) {
	writeJSON(w, http.StatusOK, envelope{Success: true, Errors: []item{}, Messages: []item{}, Result: result, ResultInfo: info})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"success":false,"errors":[{"code":10001,"message":"Internal error"}],"messages":[],"result":null}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// pageInfo is result_info of page-token lists.
type pageInfo struct {
	NextPageToken string `json:"next_page_token,omitempty"`
	TotalSize     int    `json:"total_size"`
}

func newRayID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:]) + "-LCL"
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// decodeBody reads a bounded JSON body into v.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		return badRequest("Invalid request body: " + jsonProblem(err))
	}
	return nil
}

func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if ok := asType(err, &te); ok {
		return "field " + te.Field + " has the wrong type"
	}
	if strings.Contains(err.Error(), "request body too large") {
		return "body too large"
	}
	return "not valid JSON"
}

func asType[T error](err error, target *T) bool {
	t, ok := err.(T)
	if ok {
		*target = t
	}
	return ok
}

// Serve runs the API on addr until ctx ends.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	// a body trickled in a byte a second, or megabytes of headers, are cut off
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}
