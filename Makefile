# localrank — the two commands of the README:
#   make demo   install what is missing, build pkg/ and the demo model, serve www/ on 127.0.0.1
#   make test   install what is missing, then run every check and test suite
# Both are idempotent: installed tools are skipped, cargo builds incrementally.

SHELL := /bin/bash
export PATH := $(or $(CARGO_INSTALL_ROOT),$(HOME)/.cargo)/bin:$(PATH)
# wasm-bindgen-test-runner picks the browser from whichever *DRIVER variable is set (Firefox's
# first), so each browser target sets only its own and unsets the other.
CHROMEDRIVER ?= /usr/bin/chromedriver
PORT ?= 8080
MODEL := www/models/scientific.lrm

.PHONY: demo test setup pkg model serve lint test-native test-browser test-chrome test-firefox test-e2e clean storefront bench bench-native

demo: setup pkg model serve

# The model comes before lint: the browser test crates embed it (include_bytes!).
test: setup model lint test-native test-browser test-e2e
	@echo "== all tests passed =="

setup:
	@scripts/setup.sh

# The default demo model, trained deterministically on the Scientific data in data/: 4-bit ALS
# rows plus NBRS next-item lists, the configuration docs/QUALITY.md chose on validation.
MODEL_FLAGS := --rows 4 --nbr-top 19 --nbr-window 4 --nbr-backward 1 --nbr-recency 0.7 --nbr-mix 1.5
# Built with the `native` profile (opt-level 3; `release` keeps opt-level "s" for the wasm package).
# Deterministic: the parallel ALS gives the same bytes for any thread count (docs/TRAINING.md).
model:
	cargo run --profile native --quiet --features train -- train --data data/scientific --out $(MODEL) $(MODEL_FLAGS)

pkg:
	wasm-pack build --release --target web --out-dir pkg
	node scripts/strip-names.mjs pkg/localrank_bg.wasm

serve:
	@echo "localrank demo: http://127.0.0.1:$(PORT)/www/   (Ctrl-C to stop)"
	python3 -m http.server $(PORT) --bind 127.0.0.1

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets --features train -- -D warnings
	cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings

# LOCALRANK_REQUIRE_GPU: the wgpu tests must find an adapter (lavapipe, installed by setup).
test-native:
	LOCALRANK_REQUIRE_GPU=1 XDG_RUNTIME_DIR=$${XDG_RUNTIME_DIR:-/tmp} cargo test --features train

test-browser: test-chrome test-firefox

test-chrome:
	@echo "== browser tests: headless Chromium =="
	env -u GECKODRIVER CHROMEDRIVER=$(CHROMEDRIVER) LOCALRANK_EXPECT_BROWSER=Chrome \
	  wasm-pack test --headless --chrome -- --test web --test web_gpu --test kernel

test-firefox:
	@echo "== browser tests: headless Firefox =="
	env -u CHROMEDRIVER GECKODRIVER=$$(command -v geckodriver) LOCALRANK_EXPECT_BROWSER=Firefox \
	  wasm-pack test --headless --firefox -- --test web --test web_gpu --test kernel

# The example store, built as a shop would build it: its npm dependencies (installed by setup,
# `localrank` linked to pkg/), the model copied into its public/ folder, tsc --noEmit, vite build.
storefront: pkg model
	npm run build --prefix examples/storefront

# The demo page as `make demo` serves it and the built example store, clicked through in headless
# Chromium (screenshots in artifacts/e2e/).
test-e2e: pkg model storefront
	@echo "== end-to-end: demo page in headless Chromium =="
	node tests/e2e/demo.mjs
	@echo "== end-to-end: example storefront in headless Chromium =="
	node tests/e2e/storefront.mjs

# Benchmarks (not part of `make test`; docs/BENCHMARKS.md): localrank against onnxruntime-web,
# tfjs-backend-wasm and a plain JS loop in headless Chromium, then the native criterion benches,
# the package sizes, then the tables and the plot. BENCH_CONFIGS picks the catalogues (N x d).
BENCH_CONFIGS ?= 10000x64,100000x64,1000000x64,10000x128,100000x128,1000000x128
bench: setup pkg
	BENCH_CONFIGS=$(BENCH_CONFIGS) bench/build.sh
	BENCH_CONFIGS=$(BENCH_CONFIGS) node bench/run.mjs
	$(MAKE) bench-native
	bench/size.sh
	bench/.venv/bin/python bench/report.py

bench-native:
	cargo bench --bench kernels -- --warm-up-time 1 --measurement-time 3

clean:
	cargo clean
	rm -rf pkg $(MODEL)
