# GPU offload (gpu-offload crate). Its tests run in `cargo test --workspace` and need a Vulkan
# adapter: Mesa's lavapipe (mesa-vulkan-drivers, in .ci/apt-packages) is enough.
.PHONY: bench-gpu test-gpu

# CPU vs GPU whitening throughput, medians, written to docs/gpu-bench.md. Release build: the dev
# profile would understate the CPU baseline. Override e.g. BENCH_GPU_ARGS="--mib 256 --reps 9".
BENCH_GPU_ARGS ?= --mib 32 --reps 5
bench-gpu: prep
	$(CARGO) run --release -p gpu-offload --bin whiten-bench -- --out docs/gpu-bench.md $(BENCH_GPU_ARGS)

test-gpu: prep
	$(CARGO) test -p gpu-offload
