#!/usr/bin/env bash
# Package size (docs/BENCHMARKS.md § Package size): builds the package as shipped (default
# features, with the wgpu scorer; the name section stripped as `make pkg` does) and CPU-only
# (--no-default-features) into target/size/, then
# shrinks each with wasm-opt -Oz from the npm `binaryen` package (Debian's is broken, see
# ../shared/TOOLCHAIN.md). Prints raw and gzip -9 bytes; writes bench/results/size.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
WASM_OPT=bench/node_modules/.bin/wasm-opt
[ -x "$WASM_OPT" ] || npm ci --prefix bench --no-audit --no-fund --loglevel=error
FEATURES=(--enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)

row() { printf '| %s | %s | %s |\n' "$1" "$(wc -c <"$2")" "$(gzip -9c "$2" | wc -c)"; }
out=bench/results/size.md
mkdir -p bench/results target/size
{
  echo "| build | raw bytes | gzip -9 bytes |"
  echo "|---|---|---|"
  for variant in gpu cpu; do
    flags=()
    [ "$variant" = cpu ] && flags=(--no-default-features)
    wasm-pack --quiet build --release --target web --no-typescript --out-dir "target/size/$variant" -- "${flags[@]}" >&2
    wasm="target/size/$variant/localrank_bg.wasm"
    node scripts/strip-names.mjs "$wasm" >&2 # as `make pkg` ships it
    "$WASM_OPT" -Oz "${FEATURES[@]}" "$wasm" -o "target/size/$variant/opt.wasm"
    label=$([ "$variant" = gpu ] && echo "default (with wgpu)" || echo "CPU-only")
    row "$label, as wasm-pack builds it" "$wasm"
    row "$label, wasm-opt -Oz" "target/size/$variant/opt.wasm"
  done
} | tee "$out"
