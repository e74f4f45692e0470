# Speckle: top-level entry points. Area-specific targets live in mk/*.mk.
CARGO ?= cargo

.PHONY: all test test-extra
all: test

test: test-extra
	$(CARGO) test --workspace

test-extra:

-include mk/*.mk
