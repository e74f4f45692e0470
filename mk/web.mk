# web/: `speckle web`, the browser monitor behind passkey login (docs/web.md).
# web-e2e drives `speckle web --demo` in Debian's headless Chromium with playwright-core and a
# virtual passkey (web/e2e/e2e.mjs); playwright-core comes from npm with the committed lockfile,
# installed once into a cache directory keyed by that lockfile. Screenshots of every view go to
# target/web-screenshots/ for review. .ci/apt-packages lists nodejs but not npm: the CI image's
# nodejs is NodeSource's, which bundles npm and conflicts with Debian's npm package; `make deps`
# adds Debian's npm only where nodejs came without one.

WEB_E2E_DIR := $(SPECKLE_CACHE)/web-e2e-$(call cache_key,$(shell cat web/e2e/package-lock.json 2>/dev/null | sha256sum))

.PHONY: web-e2e
test-extra: web-e2e

web-e2e: host-build
	@command -v chromium >/dev/null || { echo "web-e2e: chromium not found (Debian package chromium)" >&2; exit 1; }
	@command -v npm >/dev/null || { echo "web-e2e: npm not found (NodeSource's nodejs, as on the CI image, includes it; with Debian's nodejs install the Debian package npm)" >&2; exit 1; }
	@test -f $(WEB_E2E_DIR)/node_modules/playwright-core/package.json || { \
	    rm -rf $(WEB_E2E_DIR) && mkdir -p $(WEB_E2E_DIR) && \
	    cp web/e2e/package.json web/e2e/package-lock.json $(WEB_E2E_DIR)/ && \
	    (cd $(WEB_E2E_DIR) && npm ci --ignore-scripts --no-audit --no-fund); }
	@cp web/e2e/e2e.mjs $(WEB_E2E_DIR)/e2e.mjs
	timeout 300 node $(WEB_E2E_DIR)/e2e.mjs $(abspath $(CARGO_TARGET))/debug/speckle $(abspath target/web-screenshots)
