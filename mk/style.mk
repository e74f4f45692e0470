# Rust style gates, in `make test` and the pre-commit hook (`make hooks`): rustfmt (rustfmt.toml)
# and clippy with every warning an error, over every target of every crate.
.PHONY: style fmt-check clippy
test-extra: style
style: fmt-check clippy

fmt-check:
	$(CARGO) fmt --all --check

clippy: prep
	$(CARGO) clippy --workspace --all-targets -- -D warnings
