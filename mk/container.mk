# The daemon's container image (packaging/container/Containerfile, docs/install.md "From the
# container"), built and run with podman alone: no Docker daemon, no registry.
#
#   make container        build localhost/speckle:test (FEATURES=default: sim, monitor, gpu) and
#                         run it: `speckle --version`, then `run --source sim:optimal` to stdout
#   make container-image  build one image: CONTAINER_FEATURES (cargo features; "" = the lean
#                         production build, the packages' binary), CONTAINER_GPU
#                         (none|mesa|nvidia), CONTAINER_TAG; e.g. `make container-image
#                         CONTAINER_FEATURES= CONTAINER_TAG=latest`
#   make container-check  (in `make test`) packaging/container/check.sh: the test image above,
#                         the production image fed over a pty by a board simulated on the host,
#                         GPU=mesa whitening on lavapipe, the build's refusals (FEATURES, GPU)
#
# The base is `make rootfs` (debootstrap, mk/rootfs.mk, read after this file: hence `=` and the
# phony prerequisite), imported once as localhost/speckle-base:<its cache directory>. The binary
# is built on the host (the Containerfile says why). Podman keeps its images under
# $(CONTAINER_HOME), configured by the two files written there, so the machine's own
# /etc/containers and /var/lib/containers are neither read nor touched:
#   storage: vfs (no overlay or fuse mounts needed), graph and run roots in $(CONTAINER_HOME)
#   runtime: runc with cgroupfs; crun refuses this machine's hybrid cgroup v1/v2 layout ("cgroups
#            in hybrid mode not supported") and there is no systemd session for the systemd manager
#   ulimits: nofile and nproc 1024; podman's defaults (nofile 1048576) exceed the hard limits here,
#            and raising a limit needs CAP_SYS_RESOURCE, which this machine withholds ("setrlimit
#            RLIMIT_NOFILE: Operation not permitted")
#   builds:  --isolation chroot (RUN steps share the host's network: GPU=mesa installs from the
#            Debian mirror) and --layers=false (with vfs, caching every step's layer made a warm
#            rebuild take ~100 s against ~10 s for building whole)
# Dangling images of earlier builds are pruned after each build; the store holds the base and the
# latest image of each tag (170 to 500 MB each). $(CONTAINER_HOME)/apt keeps apt's lists and the
# packages that builds install (libssl3, GPU=mesa's drivers) between builds.

CONTAINER_HOME := $(SPECKLE_CACHE)/containers
CONTAINER_FEATURES ?= default
CONTAINER_GPU ?= none
CONTAINER_TAG ?= test
CONTAINER_BASE = localhost/speckle-base:$(notdir $(ROOTFS_DIR))
CONTAINER_CTX := target/container
CONTAINER_CONF := CONTAINERS_CONF=$(CONTAINER_HOME)/containers.conf \
  CONTAINERS_STORAGE_CONF=$(CONTAINER_HOME)/storage.conf
PODMAN := $(CONTAINER_CONF) podman
# $(call container_bin,FEATURES): builds the binary for a feature set and copies it at once to
# $(CONTAINER_CTX)/bin/ (the path the check reads; other targets of `make test` rebuild
# target/debug/speckle without features, e.g. mk/lean.mk): "" is the packages' production build
# (profile dist), anything else a debug build (what `make test` builds anyway) with those features.
container_bin_path = \
  $(abspath $(CONTAINER_CTX))/bin/speckle-$(or $(subst $(comma),-,$(strip $(1))),lean)
container_bin = mkdir -p $(CONTAINER_CTX)/bin && $(if $(strip $(1)),\
  $(CARGO) build -p speckle $(if $(filter default,$(1)),,--no-default-features --features $(1)) && \
  cp $(CARGO_TARGET)/debug/speckle $(call container_bin_path,$(1)),\
  $(CARGO) build --profile dist -p speckle --no-default-features && \
  cp $(CARGO_TARGET)/dist/speckle $(call container_bin_path,$(1)))
comma := ,

.PHONY: container container-image container-check container-engine container-base
test-extra: container-check

container-engine: | deps
	@for t in podman runc; do command -v $$t >/dev/null || \
	  { echo "container: $$t not found (Debian package $$t, .ci/apt-packages)" >&2; exit 1; }; done
	@mkdir -p $(CONTAINER_HOME)
	@printf '%s\n' '[storage]' 'driver = "vfs"' 'graphroot = "$(CONTAINER_HOME)/storage"' \
	  'runroot = "$(CONTAINER_HOME)/run"' > $(CONTAINER_HOME)/storage.conf
	@printf '%s\n' '[containers]' 'default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]' \
	  '[engine]' 'runtime = "runc"' 'cgroup_manager = "cgroupfs"' 'events_logger = "file"' \
	  'tmp_dir = "$(CONTAINER_HOME)/tmp"' > $(CONTAINER_HOME)/containers.conf

container-base: container-engine rootfs
	@$(PODMAN) image exists $(CONTAINER_BASE) || { \
	  echo "container: importing $(ROOTFS_TAR) as $(CONTAINER_BASE)"; \
	  for old in $$($(PODMAN) images --format '{{.Repository}}:{{.Tag}}' localhost/speckle-base); do \
	    $(PODMAN) rmi -f "$$old" >/dev/null; done; \
	  $(PODMAN) import -q $(ROOTFS_TAR) $(CONTAINER_BASE) >/dev/null; }

CONTAINER_ENV = $(CONTAINER_CONF) BASE=$(CONTAINER_BASE) BUILD_CTX=$(abspath $(CONTAINER_CTX)) \
  APT_CACHE=$(CONTAINER_HOME)/apt \
  SPECKLE_HOST_BIN=$(call container_bin_path,default) SPECKLE_LEAN_BIN=$(call container_bin_path,)

container-image: container-base prep
	$(call container_bin,$(CONTAINER_FEATURES))
	@$(CONTAINER_ENV) bash packaging/container/check.sh build "$(CONTAINER_FEATURES)" \
	  $(CONTAINER_GPU) $(CONTAINER_TAG) $(call container_bin_path,$(CONTAINER_FEATURES))

container: container-base prep
	$(call container_bin,default)
	@$(CONTAINER_ENV) bash packaging/container/check.sh smoke

container-check: container-base prep
	$(call container_bin,default)
	$(call container_bin,)
	@start=$$(date +%s); $(CONTAINER_ENV) bash packaging/container/check.sh all && \
	  echo "container-check: passed in $$(( $$(date +%s) - start )) s"
