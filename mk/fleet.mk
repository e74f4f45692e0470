# Fleet: the Prometheus alerting rules and the Alertmanager example of packaging/prometheus/
# (docs/fleet.md). promtool and amtool come with Debian's prometheus and prometheus-alertmanager
# (.ci/apt-packages, installed by `deps`), so a missing one fails here rather than skipping.
PROM_DIR := packaging/prometheus

.PHONY: fleet-check
test-extra: fleet-check

fleet-check: prep
	@for t in promtool:prometheus amtool:prometheus-alertmanager; do \
	  command -v $${t%%:*} >/dev/null 2>&1 || { echo "fleet-check: $${t%%:*} not found (Debian package $${t##*:})" >&2; exit 1; }; done
	promtool check rules $(PROM_DIR)/speckle-rules.yml
	cd $(PROM_DIR) && promtool test rules speckle-rules.test.yml
	amtool check-config $(PROM_DIR)/alertmanager.yml

# DuckDB for host/tests/fleet_duckdb.rs (docs/fleet.md's queries over the daemon's partitioned
# telemetry): pinned in host/tests/fleet-duckdb.txt, in a venv under $(SPECKLE_CACHE) keyed by the
# pin and the Python version, wheels only (the pattern of mk/host.mk's telemetry-reader). `make
# test` hands its python to cargo test in SPECKLE_DUCKDB_PYTHON; under SPECKLE_NO_SKIP the test
# fails when that is unset.
.PHONY: fleet-duckdb
test-extra: fleet-duckdb
DUCKDB_PYTHON ?= python3
DUCKDB_VENV := $(SPECKLE_CACHE)/venv-duckdb-$(call cache_key,$(shell cat host/tests/fleet-duckdb.txt; $(DUCKDB_PYTHON) --version 2>&1))
DUCKDB_STAMP := $(DUCKDB_VENV)/.requirements-installed

$(DUCKDB_STAMP): | deps
	@$(DUCKDB_VENV)/bin/python -m pip --version >/dev/null 2>&1 || { rm -rf $(DUCKDB_VENV) && $(DUCKDB_PYTHON) -m venv $(DUCKDB_VENV); } || \
	  { rm -rf $(DUCKDB_VENV); echo "fleet-duckdb: '$(DUCKDB_PYTHON) -m venv' failed; on Debian install python3-venv" >&2; exit 1; }
	$(DUCKDB_VENV)/bin/python -m pip install --disable-pip-version-check --no-input -q --timeout 60 --only-binary=:all: -r host/tests/fleet-duckdb.txt
	@$(DUCKDB_VENV)/bin/python -c 'import duckdb, pytz'
	@touch $@

fleet-duckdb: $(DUCKDB_STAMP)

test-suite: export SPECKLE_DUCKDB_PYTHON := $(DUCKDB_VENV)/bin/python

# EGD throughput (docs/fleet.md, "EGD throughput"): a release `speckle run --egd` on a replayed
# capture, one and four clients, each beside the daemon's output rate in the same run; rewrites the
# table between the doc's egd-bench markers. A benchmark, not a test: run by hand.
.PHONY: egd-bench
EGD_BENCH_BLOCKS ?= 1000000
egd-bench: prep
	$(CARGO) build --release -p speckle --bin speckle --example egd_bench
	$(CARGO_TARGET)/release/examples/egd_bench $(CARGO_TARGET)/release/speckle docs/fleet.md $(EGD_BENCH_BLOCKS) 5
