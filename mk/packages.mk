# Debian and RPM packages of the host daemon (docs/install.md).
#
#   make deb             target/packages/speckle_<version>-1_<arch>.deb (cargo-deb)
#   make rpm             target/packages/speckle-<version>-1.<arch>.rpm (rpmbuild, packaging/rpm/)
#   make packages-check  (in `make test`) both packages, twice, byte for byte the same; lintian on
#                        the .deb with no error (warnings printed); the .deb installed with dpkg in
#                        a fresh copy of a debootstrap bookworm (mk/rootfs.mk) and every file, its
#                        owner and mode, the service user and the installed binary checked, then
#                        removed and purged; the .rpm's files, owners, config files, scriptlets and
#                        requirements checked; the unit's systemd-analyze security exposure capped
#
# Both are built from one binary: `cargo build --profile dist -p speckle --no-default-features`
# (the production build; profile `dist` in Cargo.toml is release, stripped, in its own directory),
# or the one PKG_BIN names, staged with its man pages and completions by packaging/stage.sh into
# $(PKG_STAGE). Both are deterministic for a given binary: SOURCE_DATE_EPOCH is the last commit's
# time, and cargo-deb and rpmbuild (packaging/rpm/speckle.spec) take every mtime and the build time
# from it; neither depends on the checkout's path (two clones give the same bytes, checked by hand).
# Tools: cargo-deb $(CARGO_DEB_VERSION), installed once into $(SPECKLE_CACHE)/cargo-deb-<version>
# (a few minutes); rpmbuild, lintian, debootstrap from .ci/apt-packages.

PKG_OUT := target/packages
PKG_STAGE := $(PKG_OUT)/stage
# PKG_BIN=path packages that binary instead of building one (mk/release.mk's reproducible build).
PKG_BIN ?=
PKG_BIN_BUILT := $(CARGO_TARGET)/dist/speckle
pkg_bin = $(or $(PKG_BIN),$(PKG_BIN_BUILT))
PKG_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' host/Cargo.toml | head -1)
PKG_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
PKG_RPM_ARCH := $(shell rpm --eval '%{_arch}' 2>/dev/null)
PKG_DEB := $(PKG_OUT)/speckle_$(PKG_VERSION)-1_$(PKG_ARCH).deb
PKG_RPM := $(PKG_OUT)/speckle-$(PKG_VERSION)-1.$(PKG_RPM_ARCH).rpm
PKG_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null)
# The unit's `systemd-analyze security` exposure, in tenths (1.1 when written): a ceiling, so a
# hardening setting lost on the way fails the check.
PKG_UNIT_EXPOSURE_MAX := 15

CARGO_DEB_VERSION := 3.8.0
CARGO_DEB_DIR := $(SPECKLE_CACHE)/cargo-deb-$(CARGO_DEB_VERSION)
CARGO_DEB := $(CARGO_DEB_DIR)/bin/cargo-deb

# $(call pkg_deb,OUTDIR) and $(call pkg_rpm,OUTDIR): one package from the stage into OUTDIR.
pkg_deb = SOURCE_DATE_EPOCH=$(PKG_EPOCH) $(CARGO_DEB) -p speckle --no-build --no-strip --quiet \
  --output $(1)/
pkg_rpm = rm -rf $(1)/rpmbuild && SOURCE_DATE_EPOCH=$(PKG_EPOCH) rpmbuild -bb --quiet \
  --define '_topdir $(abspath $(1))/rpmbuild' --define '_rpmdir $(abspath $(1))' \
  --define '_build_name_fmt %{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}.rpm' \
  --define 'speckle_version $(PKG_VERSION)' --define 'speckle_stage $(abspath $(PKG_STAGE))' \
  --define 'speckle_src $(abspath packaging)' packaging/rpm/speckle.spec && rm -rf $(1)/rpmbuild

.PHONY: deb rpm packages packages-check pkg-stage pkg-epoch
test-extra: packages-check
packages: deb rpm

pkg-epoch:
	@[ -n "$(PKG_EPOCH)" ] || { echo "packages: no git commit to take SOURCE_DATE_EPOCH from (run in a clone)" >&2; exit 1; }

$(CARGO_DEB):
	@rm -rf $(CARGO_DEB_DIR).tmp
	$(CARGO) install cargo-deb --locked --version $(CARGO_DEB_VERSION) --root $(CARGO_DEB_DIR).tmp
	@rm -rf $(CARGO_DEB_DIR) && mv $(CARGO_DEB_DIR).tmp $(CARGO_DEB_DIR)

pkg-stage: prep pkg-epoch
	$(if $(PKG_BIN),@echo "packages: PKG_BIN=$(PKG_BIN) (not built here)",$(CARGO) build --profile dist -p speckle --no-default-features)
	SOURCE_DATE_EPOCH=$(PKG_EPOCH) bash packaging/stage.sh $(pkg_bin) $(PKG_STAGE)

deb: pkg-stage $(CARGO_DEB)
	@rm -f $(PKG_OUT)/speckle_*.deb
	$(call pkg_deb,$(PKG_OUT))
	@echo "deb: $(PKG_DEB)"

rpm: pkg-stage
	@command -v rpmbuild >/dev/null || { echo "rpm: rpmbuild not found (Debian package rpm)" >&2; exit 1; }
	@rm -f $(PKG_OUT)/speckle-*.rpm
	$(call pkg_rpm,$(PKG_OUT))
	@echo "rpm: $(PKG_RPM)"

packages-check: deb rpm rootfs-test
	@for t in lintian rpm rpm2cpio cpio systemd-analyze; do command -v $$t >/dev/null || \
	  { echo "packages-check: $$t not found (.ci/apt-packages)" >&2; exit 1; }; done
	@rm -rf $(PKG_OUT)/again && mkdir -p $(PKG_OUT)/again
	@$(call pkg_deb,$(PKG_OUT)/again) && $(call pkg_rpm,$(PKG_OUT)/again)
	@for f in $(PKG_DEB) $(PKG_RPM); do cmp $$f $(PKG_OUT)/again/$$(basename $$f) || \
	  { echo "packages-check: a second build of $$(basename $$f) differs (not reproducible)" >&2; exit 1; }; done
	@rm -rf $(PKG_OUT)/again; echo "packages-check: a second build of each package is byte for byte the same"
	@d=$$(mktemp -d) && sed "s|/usr/bin/speckle|$(abspath $(pkg_bin))|" packaging/speckle.service > $$d/speckle.service && \
	  systemd-analyze security --offline=yes --threshold=$(PKG_UNIT_EXPOSURE_MAX) $$d/speckle.service > $$d/security.txt; rc=$$?; \
	  grep 'Overall exposure' $$d/security.txt; rm -rf $$d; \
	  [ $$rc = 0 ] || { echo "packages-check: speckle.service exposure above $(PKG_UNIT_EXPOSURE_MAX)/10" >&2; exit 1; }
	bash packaging/check-deb.sh $(PKG_DEB) $(ROOTFS_TEST_DIR)/root $(PKG_STAGE) $(PKG_OUT)/check
	bash packaging/check-rpm.sh $(PKG_RPM) $(PKG_STAGE) $(ROOTFS_TEST_DIR)/root $(PKG_OUT)/check-rpm
