#!/usr/bin/env bash
# Installs every tool localrank's build, demo and tests need, skipping what is already there.
# Idempotent: a second run only checks versions. Used by `make setup` (and so by `make demo`/`make test`).
set -euo pipefail

WASM_BINDGEN_VERSION=0.2.130
GECKODRIVER_VERSION=0.37.1
CARGO_FUZZ_VERSION=0.13.2
CARGO_BIN="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin"
export PATH="$CARGO_BIN:$PATH"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Debian packages: browsers + drivers, Vulkan CPU driver (lavapipe) for native wgpu tests ---
# libblas3/liblapack3: native BLAS for Spark MLlib's ALS (`make test-spark`; without them it
# falls back to Java BLAS with a warning). python3-venv: the project venv of spark/.
apt_pkgs=(chromium chromium-driver firefox-esr mesa-vulkan-drivers libvulkan1 libblas3 liblapack3 python3-venv)
missing=()
for p in "${apt_pkgs[@]}"; do
  [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" == "install ok installed" ]] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "Debian packages present (${apt_pkgs[*]})"
fi

# --- Rust: wasm target, rustfmt/clippy ---
if [[ "$(rustup target list --installed)" != *wasm32-unknown-unknown* ]]; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for c in rustfmt clippy; do
  [[ "$(rustup component list --installed)" == *"$c"* ]] || rustup component add "$c"
done

# --- cargo-installed tools (no prebuilt downloads: no internet but registries) ---
# Capture version output before matching it: `tool --version | grep -q` lets grep exit early,
# and under pipefail the tool's broken-pipe error would look like "not installed".
version_of() { "$@" 2>/dev/null || true; }
if [[ "$(version_of wasm-bindgen --version)" != *" $WASM_BINDGEN_VERSION"* ]]; then
  say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (~2 min)"
  # Without --locked on purpose: the locked tree fails on webpki-roots here (see TOOLCHAIN notes).
  cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
if ! command -v wasm-pack >/dev/null 2>&1; then
  say "cargo install wasm-pack (~2 min)"
  cargo install -q wasm-pack --locked
fi
if [[ "$(version_of geckodriver --version)" != *"$GECKODRIVER_VERSION"* ]]; then
  say "cargo install geckodriver $GECKODRIVER_VERSION (~3 min)"
  cargo install -q geckodriver --version "$GECKODRIVER_VERSION" --locked
fi

# --- Fuzzing (`make fuzz-smoke`): nightly is used only by `cargo +nightly fuzz`; stable stays the
# default toolchain (`rustup toolchain install` keeps the default there is) ---
if [[ "$(rustup toolchain list)" != *nightly-* ]]; then
  say "rustup toolchain install nightly --profile minimal (~1 min)"
  # --no-self-update: installing a toolchain must not replace rustup itself (a fresh RUSTUP_HOME
  # auto-updates it, here to an older release than the one installed).
  rustup toolchain install nightly --profile minimal --no-self-update
fi
if [[ "$(version_of cargo-fuzz --version)" != *" $CARGO_FUZZ_VERSION"* ]]; then
  say "cargo install cargo-fuzz $CARGO_FUZZ_VERSION (~3 min)"
  cargo install -q cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --force
fi

# --- npm packages: playwright-core for the end-to-end checks (drives Debian's Chromium), and the
# example storefront's Vite + TypeScript (its `localrank` dependency links to pkg/, built later) ---
# `npm ci` runs only when the lockfile differs from the one node_modules was installed from.
npm_ci() {
  local dir="$1" stamp="$1/node_modules/.localrank-lockfile.sha256" want have
  want=$(sha256sum "$dir/package-lock.json")
  want="${want%% *}"
  have=$(cat "$stamp" 2>/dev/null || true)
  if [ "$want" != "$have" ]; then
    say "npm ci (${dir#"$root/"})"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    printf '%s\n' "$want" >"$stamp"
  else
    say "npm packages present (${dir#"$root/"})"
  fi
}
root="$(cd "$(dirname "$0")/.." && pwd)"
npm_ci "$root/tests/e2e"
npm_ci "$root/examples/storefront"
npm_ci "$root/tests/types"

# --- Spark (spark/train.py, `make test-spark`): Java 17+ from apt only when `java -version` is
# missing or older; PySpark pinned in the project venv spark/.venv, created once ---
PYSPARK_VERSION=4.3.0
NUMPY_VERSION=2.4.6
java_major() { local v; v=$(java -version 2>&1 || true); v="${v#*version \"}"; v="${v%%[.\"]*}"; [[ "$v" =~ ^[0-9]+$ ]] && echo "$v" || echo 0; }
if [ "$(java_major)" -lt 17 ]; then
  say "apt-get install openjdk-17-jre-headless (java $(java_major) found)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null
fi
venv="$root/spark/.venv"
if [[ "$(version_of "$venv/bin/python" -c 'import pyspark, numpy; print(pyspark.__version__, numpy.__version__)')" != "$PYSPARK_VERSION $NUMPY_VERSION" ]]; then
  say "pip install pyspark $PYSPARK_VERSION into spark/.venv (~1 min)"
  [ -x "$venv/bin/pip" ] || { rm -rf "$venv"; python3 -m venv "$venv"; }
  "$venv/bin/pip" install -q --disable-pip-version-check "pyspark==$PYSPARK_VERSION" "numpy==$NUMPY_VERSION"
else
  say "PySpark present (spark/.venv: pyspark $PYSPARK_VERSION, java $(java_major))"
fi

first_line() { local out; out=$("$@" 2>/dev/null || true); printf '%s' "${out%%$'\n'*}"; }
say "ready: $(first_line wasm-pack --version), $(first_line wasm-bindgen --version), $(first_line geckodriver --version), $(first_line cargo-fuzz --version), $(first_line chromium --version), $(first_line firefox-esr --version)"
