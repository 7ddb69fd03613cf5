# Orgboard: `make test` is what CI runs (.ci/run); it installs what the tests need.
GO ?= go

.PHONY: all build test vet fmt-check generate generate-check assets browser-deps bench run fuzz

all: build

build:
	CGO_ENABLED=0 $(GO) build -o bin/orgboard .

run:
	$(GO) run .

# Regenerate the templ output (committed, so `go build` works without templ).
generate:
	$(GO) tool templ generate

# Fail when the committed generated files are stale.
generate-check: generate
	@git diff --exit-code -- '*_templ.go' || (echo "generated templ files are stale: run 'make generate' and commit" && exit 1)
	@test -z "$$(git ls-files --others --exclude-standard -- '*_templ.go')" || (echo "uncommitted generated templ files" && exit 1)

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); test -z "$$out" || (echo "gofmt needed:"; echo "$$out"; exit 1)

# Headless Chromium for the browser tests (Debian's package), when missing.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
		(echo "installing chromium"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

test: fmt-check vet generate-check browser-deps
	CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 30m ./...

# Fuzz each target for FUZZTIME (the committed corpora under testdata/fuzz run in every `make test`).
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./internal/audit/ -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./internal/server/ -run '^$$' -fuzz FuzzCheckProfile -fuzztime $(FUZZTIME)
	$(GO) test ./internal/api/ -run '^$$' -fuzz FuzzEnvelope -fuzztime $(FUZZTIME)
	$(GO) test ./internal/api/ -run '^$$' -fuzz FuzzAuditPage -fuzztime $(FUZZTIME)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Front-end files from the npm registry, pinned in scripts/assets.sh (output committed).
assets:
	./scripts/assets.sh
