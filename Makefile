# Speckle: top-level entry points. Area-specific targets live in mk/*.mk, each adding its checks to
# `test-extra` (mk/rtl.mk: rtl-check, lint).
CARGO ?= cargo
SHELL := /bin/bash

.PHONY: all test test-extra deps prep verilator-stamp check hooks
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

# test-extra runs first so that the test summary closes the output (CI reads it); the order does not
# weaken anything, since any failing prerequisite fails `make test`. cargo's last block is a crate's
# doc-tests, often empty, so the final line totals every `test result:` line of the run instead.
test: test-extra
	@mkdir -p target
	set -o pipefail; $(CARGO) test --workspace 2>&1 | tee target/cargo-test.log
	@awk '/^test result:/ { p += $$4; f += $$6; i += $$8 } \
	     END { if (p == 0) { print "cargo test ran no test"; exit 1 } printf "cargo: %d passed, %d failed, %d skipped\n", p, f, i; \
	           if (i > 0) { print "make test: skipped (ignored) tests are failures here: every tool is installed"; exit 1 } }' target/cargo-test.log

test-extra: prep
run: prep

-include mk/*.mk
