# host/: the `speckle` daemon — see docs/host.md.
# `make run` builds the daemon and streams a simulated board (sim:optimal) through the full host
# pipeline until Ctrl-C: conditioned bytes go to a throwaway file (hex on a terminal would flood it),
# and a one-line summary per second (bytes out, rate, first bytes in hex, source health) goes to
# stderr. Override with e.g. `make run RUN_SOURCE=sim:stuck RUN_ARGS="--duration 20"`.

RUN_SOURCE ?= sim:optimal
RUN_OUTPUT ?= file:/tmp/speckle-run.bin
RUN_ARGS ?=

.PHONY: run host-build host-bench host-test-extra telemetry-reader
test-extra: host-test-extra telemetry-reader

host-build: prep
	$(CARGO) build -p speckle

run: host-build
	$(CARGO_TARGET)/debug/speckle run --source $(RUN_SOURCE) --output $(RUN_OUTPUT) --summary $(RUN_ARGS)

# Regenerates docs/host-bench.md (per-stage throughput vs rngtest and b3sum, medians).
host-bench: prep
	$(CARGO) build --release -p speckle
	$(CARGO_TARGET)/release/speckle bench --report docs/host-bench.md

# The packaged unit must pass systemd's own checks (unknown directives, bad values). ExecStart is
# pointed at the freshly built binary because verify also checks that it exists. systemd-analyze
# comes with Debian's systemd package (.ci/apt-packages), so a missing one fails the check.
host-test-extra: host-build
	@command -v systemd-analyze >/dev/null 2>&1 || { echo "host-test-extra: systemd-analyze not found (Debian package systemd)" >&2; exit 1; }
	@d=$$(mktemp -d) && sed "s|/usr/bin/speckle|$(abspath $(CARGO_TARGET))/debug/speckle|" packaging/speckle.service > $$d/speckle.service && \
	  systemd-analyze verify --man=no $$d/speckle.service && echo "host-test-extra: packaging/speckle.service verified"; \
	  rc=$$?; rm -rf $$d; exit $$rc

# The independent parquet reader of host/tests/telemetry_kill.rs (the SIGKILL loop): pyarrow, pinned
# in host/tests/telemetry-reader.txt, in a venv under $(SPECKLE_CACHE) keyed by the pin and the
# Python version; wheels only. `make test` hands its python to cargo test in SPECKLE_TELEMETRY_PYTHON;
# under SPECKLE_NO_SKIP the test fails when that is unset, and a venv that cannot be made (no
# python3-venv) fails this target.
TELEMETRY_PYTHON ?= python3
TELEMETRY_VENV := $(SPECKLE_CACHE)/venv-pyarrow-$(call cache_key,$(shell cat host/tests/telemetry-reader.txt; $(TELEMETRY_PYTHON) --version 2>&1))
TELEMETRY_STAMP := $(TELEMETRY_VENV)/.requirements-installed

$(TELEMETRY_STAMP): | deps
	@$(TELEMETRY_VENV)/bin/python -m pip --version >/dev/null 2>&1 || { rm -rf $(TELEMETRY_VENV) && $(TELEMETRY_PYTHON) -m venv $(TELEMETRY_VENV); } || \
	  { rm -rf $(TELEMETRY_VENV); echo "telemetry-reader: '$(TELEMETRY_PYTHON) -m venv' failed; on Debian install python3-venv" >&2; exit 1; }
	$(TELEMETRY_VENV)/bin/python -m pip install --disable-pip-version-check --no-input -q --timeout 60 --only-binary=:all: -r host/tests/telemetry-reader.txt
	@$(TELEMETRY_VENV)/bin/python -c 'import pyarrow.parquet'
	@touch $@

telemetry-reader: $(TELEMETRY_STAMP)

test-suite: export SPECKLE_TELEMETRY_PYTHON := $(TELEMETRY_VENV)/bin/python
