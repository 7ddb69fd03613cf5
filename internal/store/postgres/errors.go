// errors.go tells an unreachable database from a refused statement.

package postgres

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports an error that says the database cannot be reached
// now (down, restarting, the network), rather than that a statement was
// wrong: the page says so, and the same request may work a moment later.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), pgconn.Timeout(err),
		errors.Is(err, driver.ErrBadConn): // database/sql's word for a connection that died under it
		return true
	case errors.As(err, &pe):
		// connection exceptions (08…), and the server shutting down or starting (57P01–57P03)
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	return pgconn.SafeToRetry(err) || strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "closed pool")
}
