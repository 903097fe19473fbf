# The two commands a newcomer runs are `make demo` and `make test`; CI runs
# `make test` through .ci/run.
GO ?= go
BIN := bin/coperniq-mock
# -trimpath: no path of the machine that built the binary in what it prints
# (Ginkgo's code locations in verify --verbose, panics).
BUILDFLAGS := -trimpath
STATICCHECK_VERSION := v0.8.2
PKGS := ./...

.PHONY: build test lint bench fuzz clean demo generate

build:
	$(GO) build $(BUILDFLAGS) -o $(BIN) ./cmd/coperniq-mock

# The main job on embedded defaults: a capture receiver in-process, the
# residential solar scenario delivered to it with retries, and what arrived.
demo:
	$(GO) run $(BUILDFLAGS) ./cmd/coperniq-mock demo

# The load tester's pacing tests measure rates to 1%: they run on their own,
# after the rest, so that other packages' tests do not share the two cores.
TIMED_PKGS := ./load/...

test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 $$($(GO) list $(PKGS) | grep -v '/load')
	$(GO) test -count=1 $(TIMED_PKGS)

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)
	@if $(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) -version >/dev/null 2>&1; then \
		$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) $(PKGS); \
	else echo "staticcheck $(STATICCHECK_VERSION) did not install from the module proxy; skipped"; fi

# Performance goals live here, not in timed tests. -cpu 1: the figures the
# README quotes are per core.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 ./schemas/ ./generator/

# bench-verify: the wall time of a full `verify` (every spec, every built-in
# scenario, --settle auto, a token and an inspect hook) against the reference
# receiver, which applies synchronously: the figure the README quotes.
.PHONY: bench-verify
bench-verify:
	$(GO) test -run '^$$' -bench BenchmarkVerify -benchtime 5x ./contract/

clean:
	rm -rf bin

# The JSON Schema files under schemas/ are generated from its Go tables by
# tools/schemagen; TestCommittedSchemasAreGenerated fails when they are stale.
generate:
	$(GO) generate ./schemas

# The integrator docs in docs/ are generated and committed; TestDocsUpToDate
# in ./docgen fails when they no longer match the schemas or the generator.
.PHONY: docs
docs:
	$(GO) run ./cmd/coperniq-mock docs --out docs

# bench-load: coperniq-mock load against vegeta (built from the module proxy
# into a temporary directory, never a dependency) on this machine, in one
# run: each tool's highest sustained rate, their ratio, and a constant
# 20,000/s check. About four minutes; needs both cores to itself.
.PHONY: bench-load
bench-load:
	$(GO) run ./load/bench
