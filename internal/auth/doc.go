// Package auth holds sign-in state: server-side sessions behind a random
// cookie ID, the user's token encrypted at rest, the console's key, and
// masked CSRF tokens.
package auth
