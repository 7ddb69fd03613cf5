// Package web embeds the console's static files and names them by content
// hash, so that they can be cached for a year.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var files embed.FS

// Assets maps logical names (vendor/htmx.min.js) to hashed URLs and back.
type Assets struct {
	urls  map[string]string // logical name -> /static/name.HASH.ext
	names map[string]string // hashed file name -> logical name
	fsys  fs.FS
}

// LoadAssets hashes every embedded static file.
func LoadAssets() (*Assets, error) {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		return nil, err
	}
	a := &Assets{urls: map[string]string{}, names: map[string]string{}, fsys: sub}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		hashed := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		a.urls[p], a.names[hashed] = "/static/"+hashed, p
		return nil
	})
	return a, err
}

// URL is the cacheable URL of a logical asset name.
func (a *Assets) URL(name string) string {
	if u, ok := a.urls[name]; ok {
		return u
	}
	return "/static/missing/" + name
}

// ServeFile serves one logical asset under a fixed address (such as
// /favicon.ico, which browsers ask for by that name), cached for a day.
func (a *Assets) ServeFile(w http.ResponseWriter, r *http.Request, name, contentType string) {
	b, err := fs.ReadFile(a.fsys, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("Content-Type", contentType)
	http.ServeContent(w, r, path.Base(name), time.Time{}, strings.NewReader(string(b)))
}

// ServeHTTP serves /static/{hashed name} with a year of caching.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hashed := strings.TrimPrefix(r.URL.Path, "/static/")
	name, ok := a.names[hashed]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(a.fsys, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, path.Base(name), time.Time{}, strings.NewReader(string(b)))
}
