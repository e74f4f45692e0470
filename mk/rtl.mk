# RTL flow: generate rtl/ from hdl-gen, check it is current, lint and synthesise it, bench the
# simulators. See docs/lint.md and docs/simulation-speed.md.

RTL_PROFILES := ice40 ecp5
SPECKLE_HDL := $(CARGO) run -q -p hdl-gen --bin speckle-hdl --
LINT_WAIVERS := rtl/lint_waivers.vlt
VERILATOR ?= verilator
YOSYS ?= yosys

.PHONY: rtl rtl-check lint lint-verilator lint-synth bench-sim
test-extra: rtl-check lint

rtl: prep
	$(SPECKLE_HDL) --profile all --out rtl

# Fails naming each file of rtl/ that the generators would change, add or delete.
rtl-check: prep
	$(SPECKLE_HDL) --profile all --out rtl --check

lint: lint-verilator lint-synth

# The whole core when it exists; until then each block on its own. Files of one profile are
# linted with the block's own top module (the file stem); warnings not waived are fatal.
rtl_lint_files = $(if $(wildcard rtl/$(1)/speckle_core.v),rtl/$(1)/speckle_core.v,$(sort $(wildcard rtl/$(1)/blocks/*.v)))
RTL_LINT_FILES := $(foreach p,$(RTL_PROFILES),$(call rtl_lint_files,$(p)))

lint-verilator:
	@if [ -z "$(strip $(RTL_LINT_FILES))" ]; then echo "lint: no Verilog under rtl/ yet (run make rtl)"; fi
	@set -e; for f in $(RTL_LINT_FILES); do \
	  echo "verilator --lint-only -Wall $$f"; \
	  $(VERILATOR) --lint-only -Wall $(LINT_WAIVERS) --top-module $$(basename $$f .v) $$f; \
	done

# Synthesis for each profile's own FPGA family; `check -assert` fails on combinational loops,
# multiple drivers and the like; prints LUT and flip-flop counts from `stat`.
lint-synth:
	@set -e; for p in $(RTL_PROFILES); do \
	  case $$p in ice40) synth=synth_ice40; lut='SB_LUT4'; ff='SB_DFF';; ecp5) synth=synth_ecp5; lut='LUT4'; ff='TRELLIS_FF';; esac; \
	  files="$$(if [ -f rtl/$$p/speckle_core.v ]; then echo rtl/$$p/speckle_core.v; else ls rtl/$$p/blocks/*.v 2>/dev/null || true; fi)"; \
	  for f in $$files; do \
	    top=$$(basename $$f .v); log=$$(mktemp); \
	    $(YOSYS) -q -p "read_verilog $$f; $$synth -top $$top; check -assert; tee -o $$log stat" >/dev/null || { rm -f $$log; echo "yosys $$synth failed on $$f" >&2; exit 1; }; \
	    awk -v p=$$p -v top=$$top -v synth=$$synth -v lut=$$lut -v ff=$$ff \
	      '$$1 == lut { l += $$2 } index($$1, ff) == 1 { r += $$2 } \
	       END { printf "%-6s %-28s %-12s LUT4 %6d  FF %6d\n", p, top, synth, l, r }' $$log; \
	    rm -f $$log; \
	  done; \
	done

# Simulation speed of the whole core: Verilator (rtl-sim) vs rust-hdl's simulator, into docs/.
bench-sim: prep
	$(CARGO) run --release -p testbench --bin bench-sim -- --out docs/simulation-speed.md
