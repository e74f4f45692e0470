# Conditioned throughput per board (docs/throughput.md, issue #18): sampler, debias and fold,
# conditioner and link, each measured on its Verilated block, and the whole speckle_core end to
# end, at each board's clock and baud (boards/*.toml), against the goals and the peers' rates.
# Seeded, so the file is deterministic: the check in `make test` regenerates it and compares.
#
#   make throughput        measure (~2 min, release build) and write docs/throughput.md; fails
#                          naming the board and the check when a goal is missed or a check fails
#   make throughput-check  the same into target/throughput.md, then a diff against docs/

SPECKLE_THROUGHPUT := $(CARGO) run -q --release -p speckle-throughput --

.PHONY: throughput throughput-check
test-extra: throughput-check

throughput: prep
	$(SPECKLE_THROUGHPUT) --out docs/throughput.md

throughput-check: prep
	@mkdir -p target
	$(SPECKLE_THROUGHPUT) --out target/throughput.md
	@diff -u docs/throughput.md target/throughput.md || { echo "make throughput-check: docs/throughput.md is not what the current rtl/ and boards/ measure: run 'make throughput' and commit it" >&2; exit 1; }
