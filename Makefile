# localrank — the two commands of the README:
#   make demo   install what is missing, build pkg/ and the demo model, serve www/ on 127.0.0.1
#   make test   install what is missing, then run every check and test suite
# Both are idempotent: installed tools are skipped, cargo builds incrementally.

SHELL := /bin/bash
export PATH := $(or $(CARGO_INSTALL_ROOT),$(HOME)/.cargo)/bin:$(PATH)
# wasm-bindgen-test-runner picks the browser from whichever *DRIVER variable is set (Firefox's
# first), so each browser target sets only its own and unsets the other.
CHROMEDRIVER ?= /usr/bin/chromedriver
# Seconds a whole browser test file may take (wasm-bindgen-test-runner's default, 20, is what
# tests/web.rs takes on a loaded 2-core machine).
# web_storage waits out blocked opens and deletions (3 s each) on purpose.
BROWSER_TEST_TIMEOUT ?= 180
PORT ?= 8080
MODEL := www/models/scientific.lrm

.PHONY: demo test setup pkg model store-model serve lint size test-types test-native test-spark fuzz-smoke test-browser test-chrome test-firefox test-e2e clean storefront bench bench-native

demo: setup pkg model serve

# The model comes before lint: the browser test crates embed it (include_bytes!).
test: setup model lint test-native test-spark fuzz-smoke test-browser size test-types test-e2e
	@echo "== all tests passed =="

setup:
	@scripts/setup.sh

# The default demo model, trained deterministically on the Scientific data in data/: 4-bit ALS
# rows plus NBRS next-item lists, the configuration docs/QUALITY.md chose on validation. The data
# has no stock levels: every item is in stock in the file, declared so that the demo page can
# mark items sold out live (setAttributes; README "The demo model and its data").
# (scripts/similar-quality.sh reads MODEL_FLAGS from this line: keep it on one line.)
MODEL_FLAGS := --rows 4 --nbr-top 19 --nbr-window 4 --nbr-backward 1 --nbr-recency 0.7 --nbr-mix 1.5
MODEL_ATTRS := --attr-default in_stock=true
# Built with the `native` profile (opt-level 3; `release` keeps opt-level "s" for the wasm package).
# Deterministic: the parallel ALS gives the same bytes for any thread count (docs/TRAINING.md).
model:
	cargo run --profile native --quiet --features train -- train --data data/scientific --out $(MODEL) $(MODEL_FLAGS) $(MODEL_ATTRS)

# wasm-pack regenerates pkg/; the Web Worker companion (js/) is copied in after it.
pkg:
	wasm-pack build --release --target web --out-dir pkg
	node scripts/strip-names.mjs pkg/localrank_bg.wasm
	node scripts/pkg-companion.mjs pkg

# The shipped wasm against its gzip budget (docs/BENCHMARKS.md § Size budget).
size: pkg
	scripts/size-guard.sh

# The README quick start and a typed use of every public member, compiled by tsc against
# pkg/localrank.d.ts under the strict tsconfig `npm create vite` generates (tests/types/).
test-types: pkg
	npm run --silent check --prefix tests/types

serve:
	@echo "localrank demo: http://127.0.0.1:$(PORT)/www/   (Ctrl-C to stop)"
	python3 -m http.server $(PORT) --bind 127.0.0.1

lint:
	cargo fmt --all -- --check
	cargo fmt --manifest-path fuzz/Cargo.toml -- --check
	python3 scripts/readme_figures.py --check
	cargo clippy --all-targets --features train -- -D warnings
	cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings

# LOCALRANK_REQUIRE_GPU: the wgpu tests must find an adapter (lavapipe, installed by setup).
test-native:
	LOCALRANK_REQUIRE_GPU=1 XDG_RUNTIME_DIR=$${XDG_RUNTIME_DIR:-/tmp} cargo test --features train

# Issue 16: spark/train.py in Spark local mode (the venv and Java from setup) on the fixture
# store, holding out the newest event of 40 users, then tests/spark.rs on its output: the same
# item rows and counts as the native trainer (less the held-out events), NBRS lists equal to the
# native ones, the device's fold-in against Spark's own user factors, the pack report's figures
# on the held-out cases equal to the public call's; then `localrank pack --from-spark` writes the
# model file and its report (which must have the held-out figures).
SPARK_OUT := target/spark/store
SPARK_FLAGS := --dim 16 --iterations 10 --event-map view=view,addtocart=cart,transaction=purchase --holdout-users 40
test-spark:
	@echo "== Spark local mode: fixture store -> spark/train.py -> pack -> recommendations =="
	spark/.venv/bin/python spark/train.py --events $(STORE)/events.csv --out $(SPARK_OUT) \
	  --holdout-users some 2>&1 | grep -q -- '--holdout-users must be a count, all or auto'
	SPARK_LOCAL_IP=127.0.0.1 spark/.venv/bin/python spark/train.py --events $(STORE)/events.csv \
	  --catalog $(STORE)/products.jsonl --out $(SPARK_OUT) $(SPARK_FLAGS)
	LOCALRANK_SPARK_DIR=$(SPARK_OUT) cargo test --features train --test spark -- --nocapture
	cargo run --profile native --quiet --features train -- pack --from-spark $(SPARK_OUT) \
	  --catalog $(STORE)/products.jsonl --out $(SPARK_OUT).lrm --rows 4
	grep -q '^| localrank | ' $(SPARK_OUT).report.md

# A bounded fuzzing pass (docs/RELIABILITY.md; the long runs use the same flags): each cargo-fuzz
# target for FUZZ_SECONDS on its committed corpus, failing on any panic, timeout or OOM (the input
# lands in fuzz/artifacts/). fuzz/corpus/ is only read: new inputs go to a scratch directory.
# Nightly for this step only (installed by setup); the fuzz crate has its own target dir.
FUZZ_TARGETS := model_reader model_fixup history_document store_csv store_jsonl store_parquet
FUZZ_SECONDS ?= 30
FUZZ_FLAGS := --sanitizer none --debug-assertions
fuzz-smoke:
	@set -o pipefail; for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz-smoke: $$t, $(FUZZ_SECONDS) s =="; \
	  scratch=$$(mktemp -d); \
	  cargo +nightly fuzz run $(FUZZ_FLAGS) $$t $$scratch fuzz/corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 2>&1 \
	    | grep -Ev '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)|^[[:space:]]*Compiling |^######|# Uses: '; \
	  rc=$$?; rm -rf "$$scratch"; [ $$rc = 0 ] || exit $$rc; \
	done

test-browser: test-chrome test-firefox

test-chrome:
	@echo "== browser tests: headless Chromium =="
	env -u GECKODRIVER CHROMEDRIVER=$(CHROMEDRIVER) LOCALRANK_EXPECT_BROWSER=Chrome WASM_BINDGEN_TEST_TIMEOUT=$(BROWSER_TEST_TIMEOUT) \
	  wasm-pack test --headless --chrome -- --test web --test web_args --test web_attributes --test web_gpu --test kernel --test web_storage --test web_integrity --test web_coldstart --test web_filters --test web_diversity --test web_similar

test-firefox:
	@echo "== browser tests: headless Firefox =="
	env -u CHROMEDRIVER GECKODRIVER=$$(command -v geckodriver) LOCALRANK_EXPECT_BROWSER=Firefox WASM_BINDGEN_TEST_TIMEOUT=$(BROWSER_TEST_TIMEOUT) \
	  wasm-pack test --headless --firefox -- --test web --test web_args --test web_attributes --test web_gpu --test kernel --test web_storage --test web_integrity --test web_coldstart --test web_filters --test web_diversity --test web_similar

# Issue 13's acceptance path, first half: the fixture store's CSV events and JSONL catalogue
# through `localrank train --tune` (6 trials; the report lands beside it as store.report.{json,md});
# tests/e2e/store.mjs loads the model in the browser.
STORE := tests/fixtures/store
store-model:
	@mkdir -p target/e2e
	cargo run --profile native --quiet --features train -- train --events $(STORE)/events.csv \
	  --catalog $(STORE)/products.jsonl --out target/e2e/store.lrm \
	  --event-map view=view,addtocart=cart,transaction=purchase --rows 4 --tune --trials 6

# The example store, built as a shop would build it: its npm dependencies (installed by setup,
# `localrank` linked to pkg/), the model copied into its public/ folder, tsc --noEmit, vite build.
storefront: pkg model
	npm run build --prefix examples/storefront

# The demo page as `make demo` serves it and the built example store, clicked through in headless
# Chromium (screenshots in artifacts/e2e/); the Web Worker companion on a page of its own with a
# generated 1M-item model, and bundled by Vite without configuration (both in target/e2e/);
# IndexedDB shared by several pages at once, and pages closed in the middle of a burst of writes.
test-e2e: pkg model storefront store-model
	@echo "== end-to-end: store model with typed attributes in headless Chromium =="
	node tests/e2e/store.mjs
	@echo "== end-to-end: demo page in headless Chromium =="
	node tests/e2e/demo.mjs
	@echo "== end-to-end: demo diversity slider and de-duplicated rows =="
	node tests/e2e/diversity.mjs
	@echo "== end-to-end: cold start (empty history: Popular now, by the prior) in headless Chromium =="
	node tests/e2e/coldstart.mjs
	@echo "== end-to-end: the demo's recommendation filters in headless Chromium =="
	node tests/e2e/filters.mjs
	@echo "== end-to-end: example storefront in headless Chromium =="
	node tests/e2e/storefront.mjs
	@echo "== end-to-end: similar items and explanations (demo and store) in headless Chromium =="
	node tests/e2e/similar.mjs
	@echo "== end-to-end: Web Worker companion (pkg/worker.js) in headless Chromium =="
	node tests/e2e/worker.mjs
	node tests/e2e/worker-vite.mjs
	@echo "== end-to-end: IndexedDB with several pages at once, pages closed mid-write =="
	node tests/e2e/storage.mjs
	node tests/e2e/ssr.mjs
	@echo "== end-to-end: auto without a WebGPU adapter asks once per page =="
	node tests/e2e/no-adapter.mjs

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
