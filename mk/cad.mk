# cad/: parametric optical coupler (build123d / OpenCascade) — see docs/cad.md.
# `make cad` writes STL, STEP and a PNG preview to cad/out/; `make cad-test` runs the geometry tests.

CAD_PYTHON ?= python3
CAD_VENV := $(SPECKLE_CACHE)/venv-cad-$(call cache_key,$(shell cat cad/requirements.txt; $(CAD_PYTHON) --version 2>&1))
CAD_PY := $(CAD_VENV)/bin/python
CAD_STAMP := $(CAD_VENV)/.requirements-installed
# Keep bytecode and pytest's cache out of the source tree.
CAD_ENV := PYTHONDONTWRITEBYTECODE=1

.PHONY: cad cad-test cad-venv cad-clean
test-extra: cad-test

cad-venv: $(CAD_STAMP)

# The venv directory is keyed by requirements.txt; its stamp exists only after a complete install, so an
# interrupted pip run is retried rather than leaving a half-built venv in use.
# Without Debian's python3-venv, `python3 -m venv` leaves a venv with no pip:
# such a venv is removed and made again rather than trusted.  Wheels only: no
# package is ever compiled, so CI needs no compiler or headers for the venv.
$(CAD_STAMP): | deps
	@$(CAD_PY) -m pip --version >/dev/null 2>&1 || { rm -rf $(CAD_VENV) && $(CAD_PYTHON) -m venv $(CAD_VENV); } || \
	  { rm -rf $(CAD_VENV); echo "cad: '$(CAD_PYTHON) -m venv' failed; on Debian install python3-venv" >&2; exit 1; }
	$(CAD_PY) -m pip install --disable-pip-version-check --no-input -q --timeout 60 --only-binary=:all: -r cad/requirements.txt
	@touch $@

cad: $(CAD_STAMP)
	cd cad && $(CAD_ENV) $(CAD_PY) export.py out

# pytest exits 5 when it collects no tests; like any non-zero exit that fails the target.
# A skipped test fails the target too: `make test` skips nothing.
cad-test: $(CAD_STAMP)
	@mkdir -p target
	set -o pipefail; cd cad && $(CAD_ENV) $(CAD_PY) -m pytest -q -rs tests 2>&1 | tee ../target/cad-test.log
	@! grep -qi 'skipped' target/cad-test.log || { echo "cad-test: skipped tests (see above)" >&2; exit 1; }

cad-clean:
	rm -rf cad/out
