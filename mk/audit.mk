# audit/: `speckle audit`, the SP 800-22 battery — see docs/audit.md.
#
# The independent implementation audit/tests/nistrng_crosscheck.rs compares p-values with: pip's
# nistrng, pinned with numpy and scipy in audit/crosscheck/requirements.txt, in a venv under
# $(SPECKLE_CACHE) keyed by the pins and the Python version; numpy and scipy as wheels, nistrng
# from its sdist (it publishes no wheel; pure Python). `make test` hands its
# python to cargo test in SPECKLE_AUDIT_PYTHON; under SPECKLE_NO_SKIP the test fails when that is
# unset, and a venv that cannot be made (no python3-venv) fails this target. The tests nistrng
# does not implement as the spec writes them are compared with STS's committed outputs instead
# (audit/tests/sts_fixtures.rs, audit/crosscheck/run-sts.sh).

AUDIT_PYTHON ?= python3
# Keyed on the file's bytes through a pipe: its comments hold quotes that cache_key's printf would not take.
AUDIT_VENV := $(SPECKLE_CACHE)/venv-audit-$(shell { cat audit/crosscheck/requirements.txt; $(AUDIT_PYTHON) --version 2>&1; } | sha256sum | cut -c1-16)
AUDIT_STAMP := $(AUDIT_VENV)/.requirements-installed

.PHONY: audit-crosscheck audit-bench
test-extra: audit-crosscheck

$(AUDIT_STAMP): | deps
	@$(AUDIT_VENV)/bin/python -m pip --version >/dev/null 2>&1 || { rm -rf $(AUDIT_VENV) && $(AUDIT_PYTHON) -m venv $(AUDIT_VENV); } || \
	  { rm -rf $(AUDIT_VENV); echo "audit-crosscheck: '$(AUDIT_PYTHON) -m venv' failed; on Debian install python3-venv" >&2; exit 1; }
	$(AUDIT_VENV)/bin/python -m pip install --disable-pip-version-check --no-input -q --timeout 60 --only-binary=numpy,scipy -r audit/crosscheck/requirements.txt
	@$(AUDIT_VENV)/bin/python -c 'import nistrng, scipy'
	@touch $@

audit-crosscheck: $(AUDIT_STAMP)

test-suite: export SPECKLE_AUDIT_PYTHON := $(AUDIT_VENV)/bin/python

# Whole-battery throughput against nistrng in the same run (medians); rewrites the figures in
# docs/audit.md between its bench markers. STS_DIR=path/to/sts (a built STS 2.1.2, audit/crosscheck/run-sts.sh)
# adds STS's whole battery to the table.
audit-bench: prep $(AUDIT_STAMP)
	$(CARGO) run --release -q -p speckle-audit --example audit_bench -- --python $(AUDIT_VENV)/bin/python $(if $(STS_DIR),--sts $(STS_DIR)) --report docs/audit.md
