// key.go loads the console's key: ORGBOARD_SECRET, or one generated and
// kept 0600 in the data directory.

package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// LoadKey returns the 32-byte secret key: derived from secret when given,
// else read from (or generated once into) dataDir/session.key, mode 0600.
func LoadKey(dataDir, secret string) ([]byte, error) {
	if secret != "" {
		if len(secret) < 16 {
			return nil, errors.New("ORGBOARD_SECRET must be at least 16 characters")
		}
		sum := sha256.Sum256([]byte("orgboard session key\x00" + secret))
		return sum[:], nil
	}
	file := filepath.Join(dataDir, "session.key")
	if b, err := os.ReadFile(file); err == nil {
		key, derr := hex.DecodeString(strings.TrimSpace(string(b)))
		if derr != nil || len(key) != 32 {
			return nil, fmt.Errorf("%s is not a 64-digit hex key", file)
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	rand.Read(key)
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", file, err)
	}
	defer f.Close()
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		return nil, err
	}
	return key, nil
}
