# monitor/: `speckle monitor`, the terminal monitor — see docs/monitor.md. `make monitor` opens the
# demo (simulated board, rotating scenarios and views); override with e.g.
# `make monitor MONITOR_ARGS="--socket /run/speckle/status.sock"`. Its tests run in `cargo test`.
MONITOR_ARGS ?= --demo

.PHONY: monitor
monitor: prep
	$(CARGO) run -p speckle -- monitor $(MONITOR_ARGS)
