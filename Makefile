# Speckle: top-level entry points. Area-specific targets live in mk/*.mk, each adding its checks to
# `test-extra` (mk/rtl.mk: rtl-check, lint).
CARGO ?= cargo
SHELL := /bin/bash
# Where cargo builds: ./target unless CARGO_TARGET_DIR says otherwise (.ci/run keeps one outside the
# clone, so a clean clone on a machine that ran the suite before reuses the dependencies' builds).
CARGO_TARGET := $(or $(CARGO_TARGET_DIR),target)
# Downloads and tool environments (the venvs, pip's WebAssembly FPGA tools) live outside the clone,
# each in a directory keyed by a hash of its inputs, so a clean clone finds them ready.
SPECKLE_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/speckle
# Short content hash of the arguments (a cache key).
cache_key = $(shell printf '%s' '$(1)' | sha256sum | cut -c1-16)

.PHONY: all test test-extra test-suite test-bitstreams deps prep verilator-stamp tools check hooks
all: test

# Debian packages the tests and the simulated board need (.ci/apt-packages, one per line), installed
# on first use so that `make test` and `make run` work on a fresh Debian machine. A no-op once present.
APT_PACKAGES := $(shell grep -v '^\#' .ci/apt-packages | sort -u)
deps:
	@missing=$$(for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "make deps: installing Debian packages:" $$missing; \
	    sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	    $$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q $$missing; \
	fi
	@# NodeSource's nodejs (as on the CI image) bundles npm and conflicts with Debian's npm package;
	@# Debian's own nodejs has none, so npm is added only when it is missing.
	@command -v npm >/dev/null || { echo "make deps: installing Debian's npm (this nodejs has none)"; \
	    sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	    DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q npm; }

# rtl-sim's build script verilates rtl/ with the Verilator it finds on PATH and reruns when that
# program appears or disappears; an upgrade in place keeps the path and can keep an old mtime, so
# the Verilator in use (path and version) is recorded here and rtl-sim/build.rs touched when it
# changes. rtl-sim's test `this_build_used_the_installed_verilator` fails on any stale build.
VERILATOR_ID_FILE := target/verilator.id
verilator-stamp: deps
	@mkdir -p target; v=$$(command -v verilator) && id="$$v $$($$v --version)" || id=none; \
	if [ "$$id" != "$$(cat $(VERILATOR_ID_FILE) 2>/dev/null)" ]; then \
	    echo "make: Verilator is now: $$id (rtl-sim rebuilds its models)"; \
	    echo "$$id" > $(VERILATOR_ID_FILE); touch rtl-sim/build.rs; fi

# Every target that builds or runs Rust depends on prep, so nothing is compiled before the Debian
# packages (Verilator above all) are in place.
prep: deps verilator-stamp

# A test that needs a tool fails instead of skipping when this is set (rtl_sim::NO_SKIP_ENV).
test check: export SPECKLE_NO_SKIP := 1

# Two lanes under `make -j2`: the bitstreams (single-threaded place and route, ~12 min, mk/fpga.mk)
# beside everything else (test-extra, then cargo test). --output-sync prints each lane whole when it
# ends. The summary runs last so that it closes the output (CI reads it); cargo's last block is a
# crate's doc-tests, often empty, so it totals every `test result:` line of the run instead.
test: prep tools
	@mkdir -p target
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-bitstreams test-suite
	@awk '/^test result:/ { p += $$4; f += $$6; i += $$8 } \
	     END { if (p == 0) { print "cargo test ran no test"; exit 1 } printf "cargo: %d passed, %d failed, %d skipped\n", p, f, i; \
	           if (i > 0) { print "make test: skipped (ignored) tests are failures here: every tool is installed"; exit 1 } }' target/cargo-test.log

# cargo runs without the sub-make's jobserver (its descriptors are not passed to a plain recipe, and
# rustdoc warned about them once per crate); it takes the cores it finds, as outside make.
test-suite: test-extra
	set -o pipefail; env -u MAKEFLAGS -u MFLAGS $(CARGO) test --workspace 2>&1 | tee target/cargo-test.log

# The generators and board/lint tools that make runs between cargo commands, built once up front:
# `cargo test` holds cargo's build lock while its tests run, and the bitstream lane must not wait.
tools: prep
	$(CARGO) build -q -p hdl-gen -p board-gen --bins

test-extra: prep
run: prep

-include mk/*.mk
