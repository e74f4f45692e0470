# RTL flow: generate rtl/ from hdl-gen, check it is current, lint and synthesise it, bench the
# simulators. See docs/lint.md and docs/simulation-speed.md.

RTL_PROFILES := ice40 ecp5 ecp5-ddr ice40-ddr
SPECKLE_HDL := $(CARGO_TARGET)/debug/speckle-hdl
VERILATOR ?= verilator
YOSYS ?= yosys

.PHONY: rtl rtl-check lint lint-verilator lint-synth lint-update bench-sim
test-extra: rtl-check lint

rtl: tools
	$(SPECKLE_HDL) --profile all --out rtl

# Fails naming each file of rtl/ that the generators would change, add or delete.
rtl-check: tools
	$(SPECKLE_HDL) --profile all --out rtl --check

# Lint of every generated file that goes into a bitstream: each rtl/<profile>/speckle_core.v and
# rtl/<profile>/blocks/*.v with its own top module, and each board top boards/top/<board>_top.v with
# the core and SFP front end of its profile. `verilator --lint-only -Wall` and yosys
# `synth_<family>` + `check -assert` on each; every warning of either tool must have its per-line
# waiver in lint/waivers.toml, and every waiver its warning (docs/lint.md). Logs: target/lint/.
#   make lint                  everything, jobs on all cores (LINT_JOBS=n to change)
#   make lint BLOCK=repcnt_ht  one block's file in both profiles (also BLOCK=core, BLOCK=<board>)
#   make lint-verilator        Verilator only (seconds); make lint-synth: yosys only
#   make lint-update           after a generator change: move waivers to their warning's new line,
#                              drop those whose warning is gone, add those that fit a class
SPECKLE_LINT := $(CARGO_TARGET)/debug/speckle-lint
# A block without a file of its own is linted in the files that carry it (as in mk/check.mk).
LINT_FILES_OF_keccak_f1600 := sha3_256,sha3_conditioner
lint_block = $(or $(LINT_FILES_OF_$(1)),$(1))
LINT_ARGS = $(if $(BLOCK),--block $(call lint_block,$(BLOCK))) $(if $(LINT_JOBS),--jobs $(LINT_JOBS)) \
  --verilator $(VERILATOR) --yosys $(YOSYS)

lint: tools
	$(SPECKLE_LINT) $(LINT_ARGS)

lint-verilator: tools
	$(SPECKLE_LINT) $(LINT_ARGS) --tool verilator

lint-synth: tools
	$(SPECKLE_LINT) $(LINT_ARGS) --tool yosys

lint-update: tools
	$(SPECKLE_LINT) $(LINT_ARGS) --update

# Simulation speed of the whole core: Verilator (rtl-sim) vs rust-hdl's simulator, into docs/.
bench-sim: prep
	$(CARGO) run --release -p testbench --bin bench-sim -- --out docs/simulation-speed.md
