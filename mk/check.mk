# The engineer's loop (CONTRIBUTING.md): `make check` is rtl-check, lint, fmt, the models' and
# generators' unit tests and the Verilator block tests — no bitstreams, GPU, CAD, host or simulator
# suites. `make check BLOCK=repcnt_ht` narrows lint and tests to one block (its generator, model,
# Verilator test); rtl-check always covers all of rtl/ (one generator run, seconds). `make hooks`
# installs the pre-commit hook (.githooks/pre-commit: fmt, clippy, rtl-check).

# A block is what has a doc under docs/blocks/, plus the whole core.
CHECK_BLOCKS := $(sort $(basename $(notdir $(wildcard docs/blocks/*.md))) speckle_core)
# Verilator tests of a block: testbench/tests/<block>.rs, except where the block is tested inside
# another's bench.
CHECK_TESTS_keccak_f1600 := sha3_256 sha3_conditioner
CHECK_TESTS_speckle_core := core_ideal core_faults
check_tests = $(or $(CHECK_TESTS_$(1)),$(1))

.PHONY: check check-block hooks
check: check-block prep
	$(MAKE) --no-print-directory rtl-check
	$(MAKE) --no-print-directory lint $(if $(BLOCK),BLOCK=$(BLOCK))
	$(MAKE) --no-print-directory fmt-check
ifeq ($(BLOCK),)
	$(CARGO) test -p speckle-model -p hdl-gen --lib
	$(CARGO) test -p testbench --tests
else
	$(CARGO) test -p speckle-model -p hdl-gen --lib -- $(BLOCK)
	$(CARGO) test -p testbench $(foreach t,$(call check_tests,$(BLOCK)),--test $(t))
endif

check-block:
ifneq ($(BLOCK),)
	@$(if $(filter $(BLOCK),$(CHECK_BLOCKS)),true,echo "make check: unknown BLOCK '$(BLOCK)'; blocks: $(CHECK_BLOCKS)" >&2; exit 1)
endif

hooks:
	git config core.hooksPath .githooks
	@echo "hooks: .githooks/pre-commit runs before each commit (cargo fmt --check, clippy, rtl-check)"
