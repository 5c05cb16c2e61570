#!/usr/bin/env bash
# The installed app's first window and memory next to a bare Tauri 2 app built the same
# way (release, symbols stripped, custom-protocol), on this machine, in the same run.
#
#   scripts/bench-window.sh [path/to/airtill-desktop] [runs]
#
# The app defaults to /usr/bin/airtill-desktop (the installed package), else
# target/release/airtill-desktop (made by `make package`). The bare app is made in a
# temporary folder from Tauri's own crates (the versions of this workspace's Cargo.lock)
# with a one-line page, and built in target/bare-tauri. Each run starts the app under
# Xvfb (1366x768) with a fresh data folder (Airtill: a practice till, at its login
# screen), times it until its window is mapped, waits 3 s and sums the PSS of the app
# and its WebKit processes (from /proc/PID/smaps_rollup). Prints the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# Under Xvfb at a till's size, unless a display is given.
if [ -z "${DISPLAY:-}" ]; then exec xvfb-run -a -s "-screen 0 1366x768x24" "$root/scripts/bench-window.sh" "$@"; fi
app=${1:-}
runs=${2:-5}
if [ -z "$app" ]; then
  if [ -x /usr/bin/airtill-desktop ]; then app=/usr/bin/airtill-desktop; else app=$root/target/release/airtill-desktop; fi
fi
[ -x "$app" ] || { echo "no app at $app: run make package first" >&2; exit 2; }
cli=$(dirname "$app")/airtill
[ -x "$cli" ] || cli=$root/target/release/airtill

# ---- the bare Tauri 2 app ----
bare=$(mktemp -d)
trap 'rm -rf "$bare"' EXIT
tauri_version=$(awk '/^name = "tauri"$/{getline; print $3}' Cargo.lock | tr -d '"')
build_version=$(awk '/^name = "tauri-build"$/{getline; print $3}' Cargo.lock | tr -d '"')
mkdir -p "$bare/src" "$bare/dist" "$bare/icons"
cp icons/icon.png "$bare/icons/icon.png"
cp Cargo.lock "$bare/Cargo.lock"
cat > "$bare/Cargo.toml" <<TOML
[package]
name = "bare-tauri"
version = "0.1.0"
edition = "2021"
[build-dependencies]
tauri-build = { version = "=$build_version", features = [] }
[dependencies]
tauri = { version = "=$tauri_version", features = [] }
[features]
custom-protocol = ["tauri/custom-protocol"]
[profile.release]
strip = "symbols"
[workspace]
TOML
echo 'fn main() { tauri_build::build() }' > "$bare/build.rs"
echo 'fn main() { tauri::Builder::default().run(tauri::generate_context!()).expect("runs"); }' > "$bare/src/main.rs"
echo '<!doctype html><html><body><h1>Bare Tauri</h1></body></html>' > "$bare/dist/index.html"
cat > "$bare/tauri.conf.json" <<JSON
{ "productName": "BareTauri", "version": "0.1.0", "identifier": "test.bare.tauri",
  "build": { "frontendDist": "dist" },
  "app": { "windows": [ { "title": "BareTauri", "width": 1280, "height": 800 } ] },
  "bundle": { "active": false, "icon": ["icons/icon.png"] } }
JSON
echo "building the bare Tauri $tauri_version app (release) ..."
CARGO_TARGET_DIR=$root/target/bare-tauri cargo build --release --features custom-protocol --manifest-path "$bare/Cargo.toml" -q
bare_bin=$root/target/bare-tauri/release/bare-tauri

pss_tree() { # PSS in kB of a process and all its descendants
  local pid=$1 total=0 kids
  for p in $pid $(pgrep -P "$pid" 2>/dev/null) $(for k in $(pgrep -P "$pid" 2>/dev/null); do pgrep -P "$k"; done); do
    v=$(awk '/^Pss:/{print $2}' /proc/$p/smaps_rollup 2>/dev/null || echo 0)
    total=$((total + ${v:-0}))
  done
  echo $total
}

measure() { # label binary title [setup-data-dir-cmd]
  local label=$1 bin=$2 title=$3 times=() mems=()
  for i in $(seq 1 "$runs"); do
    local data; data=$(mktemp -d)
    [ "$label" = airtill ] && AIRTILL_DATA_DIR=$data "$cli" setup --practice >/dev/null
    local t0; t0=$(date +%s%N)
    AIRTILL_DATA_DIR=$data "$bin" >/dev/null 2>&1 &
    local pid=$!
    until xwininfo -root -tree 2>/dev/null | grep -q "\"$title\""; do sleep 0.01; done
    local t1; t1=$(date +%s%N)
    sleep 3
    mems+=("$(pss_tree $pid)")
    times+=("$(( (t1 - t0) / 1000000 ))")
    kill $pid; wait $pid 2>/dev/null || true
    rm -rf "$data"
  done
  local mt mm
  mt=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  mm=$(printf '%s\n' "${mems[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  echo "$label $mt $mm ${times[*]}"
}

run_all() {
  local a b
  a=$(measure airtill "$app" Airtill)
  b=$(measure bare "$bare_bin" BareTauri)
  read -r _ at am _ <<<"$a"
  read -r _ bt bm _ <<<"$b"
  echo
  echo "first window (median of $runs): Airtill ${at} ms, bare Tauri ${bt} ms: $(awk "BEGIN{printf \"%.2f\", $at/$bt}")x"
  echo "memory PSS, app + WebKit (median): Airtill $((am / 1024)) MB, bare Tauri $((bm / 1024)) MB: $(awk "BEGIN{printf \"%.2f\", $am/$bm}")x"
  echo "runs (ms): Airtill ${a#* * * }; bare ${b#* * * }"
}
run_all
deb=$(ls target/release/bundle/deb/Airtill_*_amd64.deb 2>/dev/null | head -1 || true)
[ -n "$deb" ] && echo "package: $(basename "$deb") $(du -k "$deb" | cut -f1) kB"
exit 0
