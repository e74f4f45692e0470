# The production build of host/: `speckle` with `--no-default-features` (no Verilator, simulator,
# monitors or GPU stack), as packaged; docs/host.md "Production build".
.PHONY: lean-check lean-size
test-extra: lean-check

# Crates the production build must not contain; each must be in the full build's tree, so the check
# is seen to find them where they are.
LEAN_ABSENT := rtl-sim speckle-sim speckle-monitor speckle-web gpu-offload wgpu ratatui
lean_tree = $(CARGO) tree -p speckle $(1) -e normal --prefix none --format '{p}' | sed 's/ (.*//' | sort -u
# The packaged binary (mk/packages.mk, mk/release.mk build the same, so it is built once per run).
# A dev build without features would be cheaper but would replace target/debug/speckle, the full
# binary that other checks of `make test` run, under their feet.
LEAN_BUILD := $(CARGO) build --profile dist -p speckle --no-default-features
LEAN_BIN := $(CARGO_TARGET)/dist/speckle

# The dependency trees (both), clippy on the production feature set, then host/tests/lean.rs against
# the production binary: every one of its tests must run and pass.
lean-check: prep
	@lean=$$($(call lean_tree,--no-default-features)) && full=$$($(call lean_tree,)) || exit 1; \
	  for c in $(LEAN_ABSENT); do \
	    echo "$$full" | grep -q "^$$c v" || { echo "lean-check: $$c is not in the full build's tree either: the check is stale" >&2; exit 1; }; \
	    if echo "$$lean" | grep -q "^$$c v"; then echo "lean-check: $$c is in the production build's tree" >&2; exit 1; fi; \
	  done; \
	  echo "lean-check: production build $$(echo "$$lean" | wc -l) crates, full build $$(echo "$$full" | wc -l); none of: $(LEAN_ABSENT)"
	env -u MAKEFLAGS -u MFLAGS $(CARGO) clippy -q -p speckle --no-default-features --no-deps -- -D warnings
	env -u MAKEFLAGS -u MFLAGS $(LEAN_BUILD)
	@set -o pipefail; want=$$(grep -c '^#\[test\]' host/tests/lean.rs); \
	  SPECKLE_LEAN_BIN=$(abspath $(LEAN_BIN)) env -u MAKEFLAGS -u MFLAGS $(CARGO) test -p speckle --test lean 2>&1 | tee target/lean-check.log; \
	  grep -q "^test result: ok. $$want passed; 0 failed" target/lean-check.log || \
	  { echo "lean-check: want all $$want tests of host/tests/lean.rs to run and pass against $(LEAN_BIN)" >&2; exit 1; }

# Not in `make test`: two cold release builds (the full one verilates rtl/ and builds wgpu), tens of
# minutes on 2 cores. Writes the "Production build" table of docs/host.md.
lean-size: prep
	env -u MAKEFLAGS -u MFLAGS CARGO=$(CARGO) bash host/scripts/lean-size.sh docs/host.md
