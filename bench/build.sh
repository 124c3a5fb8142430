#!/usr/bin/env bash
# Builds what the browser benchmark loads: the bench crate (bench/wasm) twice — with +simd128 as
# the package ships (.cargo/config.toml) and without (the scalar baseline) — through wasm-bindgen
# into bench/dist/{simd,scalar}; the npm peers; the Python venv; the synthetic data.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

build() { # $1 = dist name, $2 = target dir, $3... = extra env
  local name=$1 dir=$2
  shift 2
  (cd wasm && env "$@" CARGO_TARGET_DIR="$dir" cargo build --quiet --release --target wasm32-unknown-unknown)
  wasm-bindgen --target web --out-dir "dist/$name" "$dir/wasm32-unknown-unknown/release/localrank_bench.wasm"
}
build simd "$root/target/bench-simd"
build scalar "$root/target/bench-scalar" RUSTFLAGS="-C target-feature=-simd128"

want=$(node -p "Object.entries(require('./package.json').devDependencies).map(e => e.join('@')).join(' ')")
have=$(node -p "try { Object.keys(require('./package.json').devDependencies).map(n => n + '@' + require('./node_modules/' + n + '/package.json').version).join(' ') } catch { '' }")
[ "$want" = "$have" ] || npm ci --no-audit --no-fund --loglevel=error

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c "import numpy, onnx, matplotlib" 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet -r requirements.txt
fi
configs=${BENCH_CONFIGS:-10000x64,100000x64,1000000x64,10000x128,100000x128,1000000x128}
.venv/bin/python make_data.py ${configs//,/ }
