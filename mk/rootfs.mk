# Debian root file systems made with debootstrap, built once and kept under $(SPECKLE_CACHE).
#
#   make rootfs        the container base: `debootstrap --variant=minbase bookworm` from
#                      deb.debian.org (nothing added), for the container image (podman import)
#   make rootfs-path   print that directory ($(ROOTFS_DIR)); with `make -s`, only the path
#   make rootfs-repro  debootstrap a second base into a temporary directory and compare the two
#                      rootfs.tar (same archive snapshot: identical; by hand, ~1 min and network)
#
# Layout of $(ROOTFS_DIR) = $(SPECKLE_CACHE)/rootfs-bookworm-<key>, the key a hash of suite,
# mirror, variant, architecture, added packages and the build script (a change of any makes a new
# directory; the old one stays until removed by hand):
#   root/        the tree ($(ROOTFS_TREE)); do not write into it, copy it (cp -a) or import the tar
#   rootfs.tar   the same tree, for `podman import $(ROOTFS_TAR) speckle-base:bookworm`
#                ($(ROOTFS_TAR)): sorted, numeric owners, mtimes clamped to the suite's Release
#                date; /dev, /proc and /sys empty
#   epoch        that Release date (seconds): the tree's SOURCE_DATE_EPOCH
#   .complete    written last ($(ROOTFS_STAMP)); the target to depend on
# Build: packaging/rootfs/mkrootfs.sh (root, debootstrap from .ci/apt-packages; a few minutes,
# once per machine; concurrent builds wait on a lock and reuse the result).
#
# $(ROOTFS_TEST_DIR) is the same suite with systemd and udev added: the fresh root that
# mk/packages.mk installs the .deb into (the package depends on systemd for sysusers and tmpfiles;
# udevadm there parses the package's udev rule).

ROOTFS_SUITE := bookworm
ROOTFS_MIRROR := http://deb.debian.org/debian
ROOTFS_VARIANT := minbase
ROOTFS_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
ROOTFS_SCRIPT := packaging/rootfs/mkrootfs.sh
rootfs_dir = $(SPECKLE_CACHE)/rootfs-$(ROOTFS_SUITE)-$(call cache_key,$(ROOTFS_SUITE) $(ROOTFS_MIRROR) $(ROOTFS_VARIANT) $(ROOTFS_ARCH) $(1) $(shell sha256sum < $(ROOTFS_SCRIPT)))

ROOTFS_DIR := $(call rootfs_dir,)
ROOTFS_TREE := $(ROOTFS_DIR)/root
ROOTFS_TAR := $(ROOTFS_DIR)/rootfs.tar
ROOTFS_STAMP := $(ROOTFS_DIR)/.complete

ROOTFS_TEST_INCLUDE := systemd,udev
ROOTFS_TEST_DIR := $(call rootfs_dir,$(ROOTFS_TEST_INCLUDE))
ROOTFS_TEST_STAMP := $(ROOTFS_TEST_DIR)/.complete

.PHONY: rootfs rootfs-path rootfs-test rootfs-repro
rootfs: $(ROOTFS_STAMP)
	@echo "rootfs: $(ROOTFS_DIR) (tree root/, rootfs.tar)"
rootfs-path:
	@echo $(ROOTFS_DIR)
rootfs-test: $(ROOTFS_TEST_STAMP)

$(ROOTFS_STAMP): | deps
	bash $(ROOTFS_SCRIPT) $(ROOTFS_DIR) $(ROOTFS_SUITE) $(ROOTFS_MIRROR) $(ROOTFS_VARIANT) $(ROOTFS_ARCH)
$(ROOTFS_TEST_STAMP): | deps
	bash $(ROOTFS_SCRIPT) $(ROOTFS_TEST_DIR) $(ROOTFS_SUITE) $(ROOTFS_MIRROR) $(ROOTFS_VARIANT) $(ROOTFS_ARCH) $(ROOTFS_TEST_INCLUDE)

rootfs-repro: $(ROOTFS_STAMP)
	@d=$$(mktemp -d) && bash $(ROOTFS_SCRIPT) $$d/again $(ROOTFS_SUITE) $(ROOTFS_MIRROR) $(ROOTFS_VARIANT) $(ROOTFS_ARCH) && \
	  if [ "$$(cat $$d/again/epoch)" != "$$(cat $(ROOTFS_DIR)/epoch)" ]; then \
	    echo "rootfs-repro: the archive moved on since $(ROOTFS_DIR) was made (Release dates differ): nothing to compare"; rm -rf $$d; exit 1; fi; \
	  cmp $$d/again/rootfs.tar $(ROOTFS_TAR) && echo "rootfs-repro: a second debootstrap gives the same rootfs.tar"; rc=$$?; rm -rf $$d; exit $$rc
