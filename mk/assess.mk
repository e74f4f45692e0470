# speckle assess (assess/, SP 800-90B non-IID estimators) — docs/assess.md and docs/entropy.md.
# Its tests are cargo tests (assess/tests/, host/tests/assess_scenarios.rs), so nothing is added
# to test-extra here.
#   make entropy-table   capture every sim scenario (ENTROPY_SAMPLES raw samples each, faulty from
#                        power-on: sim:NAME@0) and the restart file, assess them, rewrite the table
#                        between the markers of docs/entropy.md (~20 min at 1 M samples on a shared
#                        2-core machine); ENTROPY_REUSE=1 re-assesses the last captures only
#   make entropy-rates   the model's min-entropy per raw sample at every board's sample rate, and
#                        speckle assess on ENTROPY_SAMPLES samples of `optimal` at each (and at
#                        the extra ENTROPY_RATES, Hz), into docs/entropy.md §2 (~1 min)
#   make assess-bench    speckle-assess against NIST's ea_non_iid on the same 1 M-sample file, medians
#                        of ASSESS_BENCH_REPS runs each, into docs/assess.md; NIST's tool is built by
#                        hand (assess/tests/fixtures/regen.sh says how), NIST_CPP points at its cpp/
ENTROPY_SAMPLES ?= 1000000
ENTROPY_JOBS ?= 2
NIST_CPP ?= /tmp/nist90b/cpp
ASSESS_BENCH_REPS ?= 5
ENTROPY_RATES ?= 24e6 32e6

.PHONY: entropy-table entropy-rates assess-bench
entropy-table: prep
	$(CARGO) build -p speckle
	bash assess/scripts/entropy_table.sh $(CARGO_TARGET)/debug/speckle $(ENTROPY_SAMPLES) $(ENTROPY_JOBS) docs/entropy.md

entropy-rates: prep
	$(CARGO) build -p speckle
	$(CARGO) build -p speckle-sim --example entropy_rates
	bash assess/scripts/entropy_rates.sh $(CARGO_TARGET)/debug/examples/entropy_rates $(CARGO_TARGET)/debug/speckle $(ENTROPY_SAMPLES) docs/entropy.md $(ENTROPY_RATES)

assess-bench: prep
	@test -x $(NIST_CPP)/ea_non_iid || { echo "assess-bench: NIST's ea_non_iid is not built at $(NIST_CPP)/ea_non_iid: build it (assess/tests/fixtures/regen.sh, top comment) and set NIST_CPP=<its cpp/ directory>" >&2; exit 1; }
	$(CARGO) build -q --release -p speckle-assess --example assess_file --example fixture_input
	bash assess/scripts/bench.sh $(CARGO_TARGET)/release/examples $(NIST_CPP) $(ASSESS_BENCH_REPS) docs/assess.md
