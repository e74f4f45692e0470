# Release engineering (docs/release.md): reproducible artifacts and their signed provenance.
#
#   make release              target/artifacts/: every board's bitstream (each checked against
#                             boards/bitstreams.sha256), the lean binary, the packages found in
#                             target/packages/; beside each <file>.intoto.json (in-toto statement,
#                             SLSA v1 provenance) and <file>.intoto.json.sig (ssh-keygen -Y sign)
#   make prog-verify BOARD=b  the bitstream `make prog` would load against its signed statement
#   make bitstreams-check     target/fpga/<b>/ against boards/bitstreams.sha256 (make test's
#                             bitstream lane, after its builds: CI's build is an independent one)
#   make bitstreams-manifest  build each board twice in two fresh clones, fail unless identical,
#                             write boards/bitstreams.sha256 (long: two ECP5 builds of ~8 min each)
#   make release-binary       the production binary alone, in RELEASE_BUILD (default target/repro/a)
#   make repro-check          the lean binary built twice (two clones, two target dirs) and the
#                             .deb/.rpm made around each: byte-identical?
#
# Knobs: RELEASE_KEY (private ed25519 key; default $(RELEASE_KEY_DIR)/id_ed25519, made on first
# use with its allowed_signers), ALLOWED_SIGNERS, STATEMENT, BITSTREAM, PROG_UNVERIFIED=1 (load an
# unverified bitstream, with a warning), NO_SIGSTORE (1: local key only; keyless is not
# implemented), RELEASE_ALLOW_DIRTY=1 (release from a tree with uncommitted changes).

RELEASE_OUT := target/artifacts
RELEASE_KEY_DIR ?= $(or $(XDG_CONFIG_HOME),$(HOME)/.config)/speckle/release
RELEASE_KEY ?= $(RELEASE_KEY_DIR)/id_ed25519
ALLOWED_SIGNERS ?= $(RELEASE_KEY_DIR)/allowed_signers
NO_SIGSTORE ?= 1
RELEASE_BOARDS ?= icebreaker hx8k-breakout ulx3s ecp5-evn
# 1: `make deb rpm` around the release binary (mk/packages.mk), so the packages hold that very file.
RELEASE_PACKAGES ?= 1
BITSTREAM_MANIFEST := boards/bitstreams.sha256
# The tool; a caller that already holds it (a cargo test) names it so make runs no cargo.
RELEASE_TOOL ?=
RELEASE_BIN := $(or $(RELEASE_TOOL),$(CARGO_TARGET)/debug/speckle-release)

# Reproducible Rust builds: the commit's time, and no machine-specific path in the binary (this
# checkout, cargo's registry, the target directory). A target directory of its own, since other
# RUSTFLAGS would make the everyday builds in $(CARGO_TARGET) recompile everything.
# The commit a release (or a binary build) is of, fixed once when make starts: HEAD may move while
# it runs, and the statements must name what was built. Sub-makes are handed it.
ifndef RELEASE_COMMIT
RELEASE_COMMIT := $(shell git rev-parse --verify -q HEAD 2>/dev/null)
endif
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct $(RELEASE_COMMIT) 2>/dev/null)
CARGO_HOME_DIR := $(or $(CARGO_HOME),$(HOME)/.cargo)
repro_rustflags = --remap-path-prefix=$(abspath $(1))=/speckle --remap-path-prefix=$(CARGO_HOME_DIR)=/cargo \
  --remap-path-prefix=$(abspath $(2))=/target
# $(call lean_build,DIR): the production binary built from a clone at RELEASE_COMMIT in DIR/src
# (so never from uncommitted files), into DIR/target; the binary lands in DIR/target/dist/speckle. A clone
# already there is moved to that commit (only changed files get new mtimes) and the target directory kept,
# so a rebuild at the same path is incremental.
lean_build = if [ -d $(1)/src/.git ]; then git -C $(1)/src fetch -q $(abspath .) HEAD; \
  else mkdir -p $(1) && git clone -q . $(1)/src; fi && git -C $(1)/src checkout -q --force $(RELEASE_COMMIT) && \
  git -C $(1)/src clean -qfdx && cd $(1)/src && \
  SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) CARGO_TARGET_DIR=$(abspath $(1))/target \
  RUSTFLAGS="$(call repro_rustflags,$(abspath $(1))/src,$(abspath $(1))/target)" \
  $(CARGO) build -q --locked --profile dist -p speckle --no-default-features
REPRO_DIR := $(CARGO_TARGET)/repro
# make release builds where make repro-check's first build was (its result, when HEAD is unchanged).
RELEASE_BUILD := $(REPRO_DIR)/a

.PHONY: release release-tool release-key release-clean-tree prog-verify bitstreams-check bitstreams-manifest repro-check

release-tool:
	@$(if $(RELEASE_TOOL),test -x $(RELEASE_TOOL) || { echo "release: RELEASE_TOOL=$(RELEASE_TOOL) is not executable" >&2; exit 1; },$(CARGO) build -q -p speckle-release)

# A key pair made on first use when RELEASE_KEY is the default; a named key must exist.
release-key:
	@if [ ! -f "$(RELEASE_KEY)" ]; then \
	  if [ "$(RELEASE_KEY)" != "$(RELEASE_KEY_DIR)/id_ed25519" ]; then echo "release: RELEASE_KEY=$(RELEASE_KEY): no such file" >&2; exit 1; fi; \
	  mkdir -p -m 700 $(RELEASE_KEY_DIR) && ssh-keygen -q -t ed25519 -N '' -C speckle-release -f $(RELEASE_KEY) && \
	  echo "speckle-release namespaces=\"speckle-release\" $$(cut -d' ' -f1,2 $(RELEASE_KEY).pub)" > $(RELEASE_KEY_DIR)/allowed_signers && \
	  echo "release: made the signing key $(RELEASE_KEY) and $(RELEASE_KEY_DIR)/allowed_signers (docs/release.md, key handling)"; fi

release-clean-tree:
	@[ -n "$(SOURCE_DATE_EPOCH)" ] || { echo "release: not a git checkout (no commit to record)" >&2; exit 1; }
	@if [ -n "$$(git status --porcelain --untracked-files=no)" ] && [ "$(RELEASE_ALLOW_DIRTY)" != 1 ]; then \
	  echo "release: the tree has uncommitted changes; commit them (or RELEASE_ALLOW_DIRTY=1: the statements then name a commit that is not all of the source)" >&2; exit 1; fi

# Tool versions recorded in every statement (the FPGA ones only in bitstreams').
tool_version = $$($(1) 2>/dev/null | head -1)
release_common = --commit $(RELEASE_COMMIT) $$(u=$$(git remote get-url origin 2>/dev/null) && echo --source-uri "$$u") \
  --epoch $(SOURCE_DATE_EPOCH)

release: release-clean-tree release-tool release-key
	@[ "$(NO_SIGSTORE)" = 1 ] || { echo "release: keyless sigstore signing is not implemented (NO_SIGSTORE=1, docs/release.md)" >&2; exit 1; }
	@rm -rf $(RELEASE_OUT) && mkdir -p $(RELEASE_OUT)
	@set -e; for b in $(RELEASE_BOARDS); do \
	  f=$$(ls target/fpga/$$b/$$b.bin target/fpga/$$b/$$b.bit 2>/dev/null | head -1); \
	  if [ -z "$$f" ]; then $(MAKE) --no-print-directory bitstream BOARD=$$b; f=$$(ls target/fpga/$$b/$$b.bin target/fpga/$$b/$$b.bit | head -1); fi; \
	  $(MAKE) --no-print-directory -s bitstreams-check BITSTREAMS_CHECK_BOARDS=$$b; \
	  cp $$f $(RELEASE_OUT)/; fam=ecp5; [ "$${f##*.}" = bin ] && fam=ice40; \
	  $(RELEASE_BIN) statement --artifact $(RELEASE_OUT)/$$(basename $$f) $(release_common) \
	    --param command="make bitstream BOARD=$$b" --param target=bitstream --param board=$$b \
	    --tool yosys="$(call tool_version,$(call fpga_tool,yosys) -V)" \
	    --tool nextpnr-$$fam="$$(if [ $$fam = ice40 ]; then $(call fpga_tool,nextpnr-ice40) --version; else $(call fpga_tool,nextpnr-ecp5) --version; fi 2>&1 | head -1)" >/dev/null; \
	done
	@$(MAKE) --no-print-directory release-binary RELEASE_COMMIT=$(RELEASE_COMMIT)
	@cp $(RELEASE_BUILD)/target/dist/speckle $(RELEASE_OUT)/speckle
	@$(RELEASE_BIN) statement --artifact $(RELEASE_OUT)/speckle $(release_common) \
	  --param command="cargo build --locked --profile dist -p speckle --no-default-features" --param target=release \
	  --param RUSTFLAGS="--remap-path-prefix=<checkout>=/speckle --remap-path-prefix=<CARGO_HOME>=/cargo --remap-path-prefix=<target>=/target" \
	  --tool rustc="$$(rustc --version)" --tool cargo="$$($(CARGO) --version)" >/dev/null
	@if [ "$(RELEASE_PACKAGES)" = 1 ]; then $(MAKE) --no-print-directory deb rpm PKG_BIN=$(abspath $(RELEASE_BUILD))/target/dist/speckle; fi
	@for p in $(PKG_OUT)/*.deb $(PKG_OUT)/*.rpm; do [ -f "$$p" ] || continue; cp $$p $(RELEASE_OUT)/; \
	  $(RELEASE_BIN) statement --artifact $(RELEASE_OUT)/$$(basename $$p) $(release_common) \
	    --param command="make $${p##*.} PKG_BIN=<the speckle above>" --param target=$${p##*.} \
	    --tool rustc="$$(rustc --version)" >/dev/null; done
	@$(RELEASE_BIN) sign --no-sigstore --key $(RELEASE_KEY) $(RELEASE_OUT)/*.intoto.json >/dev/null
	@cp $(ALLOWED_SIGNERS) $(RELEASE_OUT)/allowed_signers
	@set -e; for s in $(RELEASE_OUT)/*.intoto.json; do \
	  $(RELEASE_BIN) verify --artifact $${s%.intoto.json} --allowed-signers $(ALLOWED_SIGNERS); done
	@echo "release: $(RELEASE_OUT)/ (artifacts, statements, signatures; allowed_signers holds the public key)"

# The production binary alone, in RELEASE_BUILD (target/repro/a unless told otherwise).
.PHONY: release-binary
release-binary:
	@[ -n "$(SOURCE_DATE_EPOCH)" ] || { echo "release: not a git checkout" >&2; exit 1; }
	@echo "release: building the production binary of $(RELEASE_COMMIT) in $(RELEASE_BUILD)"
	@start=$$(date +%s); ( $(call lean_build,$(RELEASE_BUILD)) ) && \
	  echo "release: $(RELEASE_BUILD)/target/dist/speckle in $$(( $$(date +%s) - start )) s"

# The bitstream `make prog` loads: built from this checkout, its statement from `make release`.
BITSTREAM ?= $(firstword $(wildcard $(FPGA_OUT)/$(BOARD).bin $(FPGA_OUT)/$(BOARD).bit))
STATEMENT ?= $(RELEASE_OUT)/$(notdir $(BITSTREAM)).intoto.json
prog-verify: release-tool
	@test -n "$(BOARD)" || { echo "prog-verify: set BOARD=<name>" >&2; exit 1; }
	@test -n "$(BITSTREAM)" || { echo "prog-verify: no bitstream for $(BOARD) under $(FPGA_OUT)/ (make bitstream BOARD=$(BOARD))" >&2; exit 1; }
	@if ! $(RELEASE_BIN) verify --artifact $(BITSTREAM) --statement $(STATEMENT) --allowed-signers $(ALLOWED_SIGNERS); then \
	  if [ "$(PROG_UNVERIFIED)" = 1 ]; then echo "prog-verify: WARNING: $(BITSTREAM) does not verify; loading it anyway (PROG_UNVERIFIED=1)" >&2; \
	  else echo "prog-verify: refusing to load $(BITSTREAM): its signed statement does not verify (make release, or PROG_UNVERIFIED=1 to load it anyway)" >&2; exit 1; fi; fi

# Bitstream digests: boards/bitstreams.sha256 lists each board's bitstream from two identical clean
# builds at the commit that wrote it, with the tool versions; a fresh build must give the same bytes.
BITSTREAMS_CHECK_BOARDS ?= $(RELEASE_BOARDS)
bitstreams-check:
	@set -e; for b in $(BITSTREAMS_CHECK_BOARDS); do \
	  f=$$(ls target/fpga/$$b/$$b.bin target/fpga/$$b/$$b.bit 2>/dev/null | head -1); \
	  [ -n "$$f" ] || { echo "bitstreams-check: no bitstream for $$b under target/fpga/$$b/" >&2; exit 1; }; \
	  want=$$(awk -v n=$$(basename $$f) '$$2 == n { print $$1 }' $(BITSTREAM_MANIFEST)); \
	  got=$$(sha256sum $$f | cut -c1-64); \
	  [ -n "$$want" ] || { echo "bitstreams-check: $(BITSTREAM_MANIFEST) has no line for $$(basename $$f)" >&2; exit 1; }; \
	  [ "$$got" = "$$want" ] || { echo "bitstreams-check: $$f is $$got, $(BITSTREAM_MANIFEST) says $$want (a tool that is not reproducible, or a stale manifest: after a change to rtl/, boards/, constraints/ or a tool version, make bitstreams-manifest; the versions are in its header)" >&2; exit 1; }; \
	  echo "bitstreams-check: $$(basename $$f) matches $(BITSTREAM_MANIFEST)"; done

bitstreams-manifest: tools
	@$(MAKE) --no-print-directory fpga-venv
	@YOSYS=$(call fpga_tool,yosys) NEXTPNR_ICE40=$(call fpga_tool,nextpnr-ice40) ICEPACK=$(call fpga_tool,icepack) \
	  NEXTPNR_ECP5=$(call fpga_tool,nextpnr-ecp5) ECPPACK=$(call fpga_tool,ecppack) \
	  bash release/bitstreams-manifest.sh $(BITSTREAM_MANIFEST) $(SPECKLE_BOARDS) $(RELEASE_BOARDS)

# Two clean builds of the lean binary from two clones of HEAD at paths of different lengths, each
# with its own target directory, compared byte for byte (docs/release.md has the last result).
repro-check:
	@[ -n "$(SOURCE_DATE_EPOCH)" ] || { echo "repro-check: not a git checkout" >&2; exit 1; }
	@rm -rf $(REPRO_DIR)/a $(REPRO_DIR)/bb
	@set -e; for i in a bb; do $(MAKE) --no-print-directory release-binary RELEASE_BUILD=$(REPRO_DIR)/$$i RELEASE_COMMIT=$(RELEASE_COMMIT); done
	@sha256sum $(REPRO_DIR)/*/target/dist/speckle
	@cmp $(REPRO_DIR)/a/target/dist/speckle $(REPRO_DIR)/bb/target/dist/speckle && \
	  echo "repro-check: the two builds are byte-identical"
	@set -e; for i in a bb; do $(MAKE) --no-print-directory -s deb rpm PKG_BIN=$(abspath $(REPRO_DIR))/$$i/target/dist/speckle; \
	  mkdir -p $(REPRO_DIR)/$$i/packages && cp $(PKG_DEB) $(PKG_RPM) $(REPRO_DIR)/$$i/packages/; done
	@sha256sum $(REPRO_DIR)/*/packages/*
	@for f in $(notdir $(PKG_DEB) $(PKG_RPM)); do cmp $(REPRO_DIR)/a/packages/$$f $(REPRO_DIR)/bb/packages/$$f; done && \
	  echo "repro-check: the packages made around each binary are byte-identical"
