// saved.go is each user's named searches, as the console keeps them.

package audit

import (
	"context"
	"errors"
	"time"
)

// SavedSearches keeps named queries per user (per token).
type SavedSearches interface {
	// Save stores (or replaces, by name) a search made at "at";
	// ErrTooManySaved past MaxSaved of the owner's.
	Save(ctx context.Context, owner, scope, name, query string, at time.Time) error
	// List returns the owner's searches of one scope ("" for every
	// organization), by name.
	List(ctx context.Context, owner, scope string) ([]Saved, error)
	// Delete removes one of the owner's searches; ErrNotFound when it has
	// no such search.
	Delete(ctx context.Context, owner string, id int64) error
}

// Saved is one saved search.
type Saved struct {
	ID                 int64
	Name, Scope, Query string
}

// MaxSaved bounds one user's saved searches.
const MaxSaved = 200

// ErrTooManySaved refuses a save past MaxSaved.
var ErrTooManySaved = errors.New("at most 200 saved searches")
