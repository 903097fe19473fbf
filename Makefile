# The two commands a newcomer runs are `make demo` and `make test`; CI runs
# `make test` through .ci/run.
GO ?= go
BIN := bin/coperniq-mock
# -trimpath: no path of the machine that built the binary in what it prints
# (Ginkgo's code locations in verify --verbose, panics).
BUILDFLAGS := -trimpath
STATICCHECK_VERSION := v0.8.2
PKGS := ./...

.PHONY: build test lint bench fuzz clean demo generate release image

# What --version reports for builds made here. The go command records VCS
# details itself only from a plain clone and never with GOFLAGS=-buildvcs=false;
# these stamps work from worktrees and archives too. VERSION is the tag on
# HEAD, else "dev"; override it: make release VERSION=v1.2.0.
VERSION ?= $(shell git describe --tags --exact-match 2>/dev/null || echo dev)
COMMIT := $(shell git rev-parse HEAD 2>/dev/null)
COMMIT_TIME := $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null)
MODIFIED := $(shell test -n "$$(git status --porcelain 2>/dev/null)" && echo true || echo false)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.commitTime=$(COMMIT_TIME) -X main.modified=$(MODIFIED)

build:
	$(GO) build $(BUILDFLAGS) -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/coperniq-mock

# release: archives for linux, darwin and windows on amd64 and arm64, and
# SHA256 checksums of them, in dist/release/. Cross-compiled static
# (CGO_ENABLED=0) with -trimpath, so no build path is in any binary.
release:
	$(GO) run ./tools/release -out dist/release -version $(VERSION) -ldflags '$(LDFLAGS)' -mtime '$(COMMIT_TIME)'

# image: an OCI image (dist/image/oci, linux/amd64 and linux/arm64) and a
# tarball per platform for docker/podman load, built with no Docker engine
# and no base image: static binaries on an empty base, run as uid 65532.
IMAGE_ARCHES := amd64 arm64
image:
	@for arch in $(IMAGE_ARCHES); do \
		echo "go build linux/$$arch"; \
		CGO_ENABLED=0 GOOS=linux GOARCH=$$arch $(GO) build $(BUILDFLAGS) -ldflags '$(LDFLAGS)' -o dist/image/linux-$$arch/coperniq-mock ./cmd/coperniq-mock || exit 1; \
	done
	$(GO) run ./tools/image -out dist/image -version $(VERSION) -revision '$(COMMIT)' -created '$(COMMIT_TIME)' \
		$(foreach a,$(IMAGE_ARCHES),-binary $(a)=dist/image/linux-$(a)/coperniq-mock)

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
# README quotes are per core. BenchmarkValidateGenerated runs the full JSON
# Schema validator alongside the fast path (full/...): compare within a run.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 ./schemas/ ./generator/
	$(GO) test -run '^$$' -bench BenchmarkHandleStrict -benchmem -cpu 1 ./receiver/

# bench-listen: `load` at 10,000 deliveries/s for 5 s against the real
# `coperniq-mock listen --strict` in a process of its own (as users run the
# two), against a trivial receiver in a process of its own, and against the
# capture receiver sharing the load's process (the set-up before, for
# comparison): valid/s, late sends, p99, CPU per delivery. Needs both cores
# to itself.
.PHONY: bench-listen
bench-listen:
	$(GO) test -run '^$$' -bench BenchmarkListenStrictUnderLoad -benchtime 1x ./receiver/

# Fuzz the parsers of what strangers send, each target for FUZZTIME (Go runs
# one fuzz target at a time): every parser of user input in the library
# packages has one (JSON and NDJSON payloads, vocabularies, scenarios and
# their durations, --set and --merge, headers, backoffs, URLs, rates,
# stages, mixes, shards, load reports, delivery logs and captures for
# replay, the capture receiver on the wire, the api mock's requests and
# knobs, contract state and chaos files). 38 targets: about 11 minutes at
# the default. make fuzz FUZZTIME=90s for a longer run; the corpus grows
# under testdata/fuzz.
FUZZTIME ?= 15s
FUZZ_TARGETS := \
	./schemas:FuzzReadStream \
	./schemas:FuzzValidate \
	./schemas:FuzzFastDecode \
	./schemas:FuzzFastMatchesFull \
	./schemas:FuzzParseVocabulary \
	./schemas:FuzzDecodeIdentity \
	./scenarios:FuzzParse \
	./scenarios:FuzzParseSpan \
	./receiver:FuzzHandler \
	./receiver:FuzzServerRawBytes \
	./receiver:FuzzReadCapture \
	./receiver:FuzzSniffCapture \
	./receiver:FuzzReadReplay \
	./delivery:FuzzReadLog \
	./delivery:FuzzParseHeaders \
	./delivery:FuzzParseBackoff \
	./delivery:FuzzParseNames \
	./delivery:FuzzReadPayload \
	./delivery:FuzzCheckURL \
	./generator:FuzzParseSet \
	./generator:FuzzMerge \
	./generator:FuzzParseProfile \
	./generator:FuzzAppendString \
	./load:FuzzParseRate \
	./load:FuzzParseStages \
	./load:FuzzParseMix \
	./load:FuzzParseShard \
	./load:FuzzParseThreshold \
	./load:FuzzDecodeReport \
	./load:FuzzReadResponse \
	./api:FuzzRequests \
	./api:FuzzLearn \
	./api:FuzzParseConfig \
	./contract:FuzzParseChaosFile \
	./contract:FuzzReadJSONReport \
	./contract:FuzzParseRecordState \
	./contract:FuzzParseTokenParam \
	./docgen:FuzzParseFormats

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME); \
	done

# bench-verify: the wall time of a full `verify` (every spec, every built-in
# scenario, --settle auto, a token and an inspect hook) against the reference
# receiver, which applies synchronously: the figure the README quotes.
.PHONY: bench-verify
bench-verify:
	$(GO) test -run '^$$' -bench BenchmarkVerify -benchtime 5x ./contract/

# bench-verify-slow: the same full run against a receiver that answers every
# delivery in 1.2 s under --timeout 2s (about a minute and a half; once).
.PHONY: bench-verify-slow
bench-verify-slow:
	$(GO) test -run '^$$' -bench BenchmarkSlowReceiver -benchtime 1x -timeout 20m ./contract/

clean:
	rm -rf bin dist

# The JSON Schema files under schemas/ are generated from its Go tables by
# tools/schemagen; TestCommittedSchemasAreGenerated fails when they are stale.
generate:
	$(GO) generate ./schemas

# The integrator docs in docs/ are generated and committed; TestDocsUpToDate
# in ./docgen fails when they no longer match the schemas or the generator.
.PHONY: docs
docs:
	$(GO) run ./cmd/coperniq-mock docs --out docs

# lint-docs: docs/ read by the tools integrators use: @asyncapi/parser,
# @readme/openapi-parser (tools/lint-docs/lint.mjs) and redocly lint,
# offline. npm installs the versions pinned in tools/lint-docs into
# bin/lint-docs (ignored); `make test` never needs npm. redocly lints the
# OpenAPI document only: its AsyncAPI 3 rules reject fields the 3.0.0
# specification defines (a server's title), which the official parser and
# the specification's JSON Schema (TestDocsAsyncAPIMatchesOfficialSchema)
# accept.
LINT_DOCS_DIR := bin/lint-docs
.PHONY: lint-docs
lint-docs:
	@mkdir -p $(LINT_DOCS_DIR)
	cp tools/lint-docs/package.json tools/lint-docs/package-lock.json tools/lint-docs/lint.mjs $(LINT_DOCS_DIR)/
	cd $(LINT_DOCS_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	node $(LINT_DOCS_DIR)/lint.mjs docs
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(LINT_DOCS_DIR)/node_modules/.bin/redocly lint --config tools/lint-docs/redocly.yaml docs/openapi.yaml

# bench-load: coperniq-mock load against vegeta (as users run it, and with
# -max-workers 64) and bombardier --fasthttp, each built from the module
# proxy into a temporary directory (never a dependency), on this machine in
# one run: each tool's highest sustained rate, the median of three runs,
# ours ÷ each (ours as users run it, and held to --max-lateness 100ms), and
# a constant 20,000/s check. About 35 minutes; needs both
# cores to itself. BENCH_LOAD_FLAGS shortens it (-runs 1 -step 3s).
.PHONY: bench-load
bench-load:
	$(GO) run ./tools/bench-load $(BENCH_LOAD_FLAGS)
