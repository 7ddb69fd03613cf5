# Orgboard: `make test` is what CI runs (.ci/run); it installs what the tests need.
GO ?= go

.PHONY: all build test test-fast vet lint tidy-check fmt-check generate generate-check assets browser-deps sdk-deps pg-deps bench run fuzz test-dates

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

# staticcheck, pinned in go.mod's tool block
lint:
	$(GO) tool staticcheck ./...

# Fail when go mod tidy would change go.mod or go.sum.
tidy-check:
	@$(GO) mod tidy -diff || (echo "go mod tidy would change go.mod or go.sum: run it and commit" && exit 1)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); test -z "$$out" || (echo "gofmt needed:"; echo "$$out"; exit 1)

# Headless Chromium for the browser tests (Debian's package), when missing.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
		(echo "installing chromium"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# PostgreSQL's server binaries for the shared-mode tests (Debian's package),
# when missing: the tests start throwaway clusters of their own as an
# unprivileged user (internal/store/pgtest), so the package's own cluster
# is not created. ORGBOARD_TEST_POSTGRES=off skips those tests.
pg-deps:
	@test "$$ORGBOARD_TEST_POSTGRES" = off || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || \
		(echo "installing postgresql"; mkdir -p /etc/postgresql-common && \
		(test -f /etc/postgresql-common/createcluster.conf || echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf) && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null)

# ORGBOARD_TEST_NOW=2026-12-01T09:00:00Z make test runs the suite as of that
# date (read by the tests' clock only, never by the product).
# Two lanes run side by side. The race detector checks the packages whose
# concurrency is their own (the audit index and its writer, the usage
# store and its jobs, the stores, the alert engine, the tree's history...)
# and, in the handlers' package, the tests of its own concurrency (the
# cache, the query gate, simultaneous moves). The integration packages run
# without it: the handlers' journeys over HTTP, the program's processes,
# the local API and the SDKs, and the browser journeys (every test runs
# once; the detector made them eight times slower and the suite three
# times its ten minutes).
INTEGRATION = orgboard orgboard/internal/server orgboard/internal/localapi orgboard/internal/sdktest orgboard/internal/browsertest
SERVER_RACE = ^(TestSweepDropsExpiredEntriesAndUsers|TestSharedReadOutlivesTheFirstCaller|TestQueryGateBoundsEachUserAndAll|TestSimultaneousAccountMovesConflict|TestRepeatViewsComeFromTheCache|TestAuditWorkDeadlineSaysHowToNarrow)$$
test: fmt-check vet lint tidy-check generate-check browser-deps sdk-deps pg-deps
	@CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 30m $$($(GO) list ./... | grep -v -x -F $(foreach p,$(INTEGRATION),-e $(p))) > .test-race.log 2>&1 && \
		CGO_ENABLED=1 $(GO) test -race -count=1 -timeout 10m -run '$(SERVER_RACE)' ./internal/server >> .test-race.log 2>&1 & race=$$!; \
		$(GO) test -count=1 -timeout 20m $(INTEGRATION) > .test-integration.log 2>&1; integration=$$?; \
		wait $$race; status=$$?; cat .test-race.log .test-integration.log; rm -f .test-race.log .test-integration.log; \
		test $$status -eq 0 && test $$integration -eq 0 && $(GO) test -count=1 -timeout 10m -run "$(NORACE)" ./internal/store; \
		status=$$?; ./scripts/pg-cleanup.sh; exit $$status

# The fast tier for your own loop: no Chromium, PostgreSQL or Node (those
# tests skip themselves under -short, saying so). make test stays the whole suite.
test-fast:
	$(GO) test -short -count=1 ./...

# Tests that skip themselves under the race detector (too slow there) and run again without it.
NORACE = ^TestBothBackendsAnswerAlike$$

# The suite as of the calendar's edges (each is a whole run).
DATES ?= 2026-12-01T09:00:00Z 2026-12-31T22:00:00Z 2027-02-28T12:00:00Z 2028-02-29T12:00:00Z
test-dates: browser-deps sdk-deps pg-deps
	@for d in $(DATES); do echo "== as of $$d"; ORGBOARD_TEST_NOW=$$d CGO_ENABLED=1 $(GO) test -count=1 -timeout 30m ./... || { ./scripts/pg-cleanup.sh; exit 1; }; done; ./scripts/pg-cleanup.sh

# Cloudflare's TypeScript SDK for internal/sdktest, pinned by its
# package-lock.json, into an ignored node_modules (Node.js from Debian when missing).
sdk-deps:
	@command -v npm >/dev/null 2>&1 || (echo "installing nodejs and npm"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null)
	@test internal/sdktest/node_modules/.package-lock.json -nt internal/sdktest/package-lock.json || \
		(cd internal/sdktest && npm ci --no-audit --no-fund --loglevel=error)

# Fuzz each target for FUZZTIME (the committed corpora under testdata/fuzz run in every `make test`).
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./internal/audit/ -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./internal/server/ -run '^$$' -fuzz FuzzCheckProfile -fuzztime $(FUZZTIME)
	$(GO) test ./internal/server/ -run '^$$' -fuzz FuzzValuesNeverBreakAPage -fuzztime $(FUZZTIME)
	$(GO) test ./internal/api/ -run '^$$' -fuzz FuzzEnvelope -fuzztime $(FUZZTIME)
	$(GO) test ./internal/api/ -run '^$$' -fuzz FuzzAuditPage -fuzztime $(FUZZTIME)
	$(GO) test ./internal/api/ -run '^$$' -fuzz FuzzUsageStream -fuzztime $(FUZZTIME)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Front-end files from the npm registry, pinned in scripts/assets.sh (output committed).
assets:
	./scripts/assets.sh
