# cargo-fuzz (libFuzzer, nightly) on the wire protocol: the frame decoder, the STATUS / SFP_DIAG /
# ACK / command payload parsers and the command parser model (fuzz/, invariants in
# model/src/protocol/robustness.rs). Not in `make test` (it needs a time budget); the committed
# corpus is replayed by model/tests/fuzz_corpus.rs under `make test`.
#   make fuzz                       every target for FUZZ_SECONDS (default 600) each, then cmin
#   make fuzz FUZZ_TARGETS=payloads FUZZ_SECONDS=60
#   make fuzz-report                docs/fuzzing.md from the last run's logs (target/fuzz/)
#   make fuzz-seeds                 rewrite the seed inputs (fuzz/corpus/*/seed-*)
FUZZ_TARGETS ?= frame_decoder payloads cmd_parser
FUZZ_SECONDS ?= 600

.PHONY: fuzz fuzz-tool fuzz-report fuzz-seeds
fuzz-tool: prep
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@command -v cargo-fuzz >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked

# A crash stops the run with libFuzzer's reproducer in fuzz/artifacts/<target>/: fix it, add the
# input to fuzz/corpus/<target>/ (the replay test then keeps it), and run again.
fuzz: fuzz-tool
	@mkdir -p target/fuzz
	@set -eo pipefail; for t in $(FUZZ_TARGETS); do \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  (cd fuzz && $(CARGO) +nightly fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1) \
	    2>&1 | tee target/fuzz/$$t.log | grep -E '^#[0-9]+ *(INITED|DONE)|^Done|stat::|ERROR|panicked'; \
	  (cd fuzz && $(CARGO) +nightly fuzz cmin $$t) > target/fuzz/$$t-cmin.log 2>&1; \
	done
	@$(MAKE) --no-print-directory fuzz-report

fuzz-report:
	@python3 fuzz/report.py $(FUZZ_SECONDS) $(FUZZ_TARGETS) > docs/fuzzing-results.md && echo "fuzz: docs/fuzzing-results.md"

fuzz-seeds: prep
	$(CARGO) run -q -p speckle-model --example fuzz_seeds
