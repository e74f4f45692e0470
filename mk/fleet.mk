# Fleet: the Prometheus alerting rules and the Alertmanager example of packaging/prometheus/
# (docs/fleet.md). promtool and amtool come with Debian's prometheus and prometheus-alertmanager
# (.ci/apt-packages, installed by `deps`), so a missing one fails here rather than skipping.
PROM_DIR := packaging/prometheus

.PHONY: fleet-check
test-extra: fleet-check

fleet-check: prep
	@for t in promtool:prometheus amtool:prometheus-alertmanager; do \
	  command -v $${t%%:*} >/dev/null 2>&1 || { echo "fleet-check: $${t%%:*} not found (Debian package $${t##*:})" >&2; exit 1; }; done
	promtool check rules $(PROM_DIR)/speckle-rules.yml
	cd $(PROM_DIR) && promtool test rules speckle-rules.test.yml
	amtool check-config $(PROM_DIR)/alertmanager.yml
