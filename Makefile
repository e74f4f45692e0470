# Speckle: top-level entry points. Area-specific targets live in mk/*.mk, each adding its checks to
# `test-extra` (mk/rtl.mk: rtl-check, lint).
CARGO ?= cargo

.PHONY: all test test-extra
all: test

# test-extra runs first so that cargo's own summary lines close the output (CI reads them); the
# order does not weaken anything, since any failing prerequisite fails `make test`.
test: test-extra
	$(CARGO) test --workspace

test-extra:

-include mk/*.mk
