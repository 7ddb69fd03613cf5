// download.go names a download.

package server

import (
	"github.com/labstack/echo/v4"
)

// attachment names a download and its type; the first write sends them.
func attachment(c echo.Context, name, typ string) {
	h := c.Response().Header()
	h.Set("Content-Type", typ)
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
}
