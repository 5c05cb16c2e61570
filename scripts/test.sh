#!/usr/bin/env bash
# Runs every test: the Rust workspace (unit, command and integration tests, the
# bindings check), the UI type check, and the real-window test under Xvfb. Prints one
# summary line at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
status=0

step() { printf '\n==> %s\n' "$*"; }

step "PostgreSQL for the chain's books (a cluster of this run's own, TLS, loopback)"
# The chain tests need it (AIRTILL_REQUIRE_PG): those that stop the server under the
# tills' feet start clusters of their own with the same script.
pg_dir=$(mktemp -d)
rmdir "$pg_dir"
if scripts/pg-cluster.sh start "$pg_dir"; then
  set -a; . "$pg_dir/env"; set +a
else
  status=1
fi
export AIRTILL_REQUIRE_PG=1
trap 'scripts/pg-cluster.sh remove "$pg_dir" >/dev/null 2>&1 || true' EXIT

step "Rust tests (workspace)"
cargo test --workspace 2>&1 | tee -a "$log" || status=1

step "The shop's day whatever the machine's zone: the app's tests again with the machine 14 hours ahead (Pacific/Kiritimati)"
TZ=Pacific/Kiritimati cargo test --workspace -p airtill-app --lib 2>&1 | tee -a "$log" || status=1

step "OS keyring (Secret Service: gnome-keyring in a private D-Bus session)"
# A keyring of its own in a fresh folder: the user's own keyring is never touched.
keyring_home=$(mktemp -d)
dbus-run-session -- bash -c 'printf airtill-test | XDG_DATA_HOME="$0" gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  AIRTILL_REQUIRE_KEYRING=1 cargo test --workspace -p airtill-app --lib credentials::tests::secrets_live' "$keyring_home" 2>&1 \
  | grep -v "Failed to set fd limit" | tee -a "$log" || status=1
rm -rf "$keyring_home"

step "System printing (CUPS, with a cups-pdf queue that writes PDFs to ~/PDF)"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
# `lpstat -r` exits 0 also when the scheduler is down: read what it says.
cups_up() { lpstat -r 2>/dev/null | grep -q "scheduler is running"; }
if ! cups_up; then
  $SUDO cupsd
  for _ in $(seq 1 30); do cups_up && break; sleep 0.5; done
fi
cups_up || echo "CUPS did not start (cupsd); the printing test will say so"
lpstat -p AirtillPDF >/dev/null 2>&1 || $SUDO lpadmin -p AirtillPDF -v cups-pdf:/ -E -P /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd 2>&1 | grep -v deprecated
AIRTILL_REQUIRE_CUPS=1 cargo test --workspace -p airtill-app --lib tests::slips_and_voucher_sheets_print_through_cups 2>&1 | tee -a "$log" || status=1

step "Code habits: rustfmt --check and clippy -D warnings (the lints in the workspace Cargo.toml)"
# Same target folder as the tests: clippy only adds its own check of each crate.
cargo fmt --all --check 2>&1 | tee -a "$log" || status=1
cargo clippy --workspace --all-targets -- -D warnings 2>&1 | tee -a "$log" || status=1

step "UI type check"
(cd ui && npm run --silent check) 2>&1 | tee -a "$log" || status=1

step "Real-window test (Xvfb + tauri-driver + WebKitWebDriver)"
timeout 600 xvfb-run -a -s "-screen 0 1400x900x24" \
  cargo test --workspace --test real_window -- --ignored --test-threads=1 2>&1 | tee -a "$log" || status=1

step "The package: make package (with a signing key made for this run), installed, and its window"
# The key pair lives for this run only; it is never committed.
keydir=$(mktemp -d)
(cd ui && CI=true node_modules/.bin/tauri signer generate --ci -p "" -f -w "$keydir/test.key" >/dev/null 2>&1)
if TAURI_SIGNING_PRIVATE_KEY="$keydir/test.key" TAURI_SIGNING_PRIVATE_KEY_PASSWORD="" AIRTILL_UPDATER_PUBKEY="$keydir/test.key.pub" \
    scripts/package.sh > "$keydir/package.log" 2>&1; then
  tail -n 3 "$keydir/package.log"
  deb=$(realpath "$(ls target/release/bundle/deb/Airtill_*_amd64.deb | head -1)")
  root=$(mktemp -d)
  # Installed for real where this run may (root: dpkg -i, its Depends checked), else unpacked.
  if [ "$(id -u)" -eq 0 ] && dpkg -i "$deb" > "$keydir/dpkg.log" 2>&1; then
    installed=""; echo "installed with dpkg -i: $(dpkg-query -W -f='${Package} ${Version}' airtill)"
  else
    dpkg -x "$deb" "$root"; installed=$root; echo "unpacked with dpkg -x into $root"
  fi
  AIRTILL_PACKAGE_DEB="$deb" cargo test --workspace --test updates 2>&1 | tee -a "$log" || status=1
  timeout 600 xvfb-run -a -s "-screen 0 1400x900x24" env AIRTILL_APP_BINARY="$installed/usr/bin/airtill-desktop" AIRTILL_INSTALLED_CLI="$installed/usr/bin/airtill" \
    cargo test --workspace --test installed_package -- --ignored 2>&1 | tee -a "$log" || status=1
  [ -z "$installed" ] && dpkg -r airtill >/dev/null 2>&1
  rm -rf "$root"
else
  cat "$keydir/package.log"
  echo "make package failed"
  status=1
fi
rm -rf "$keydir"

count() { grep -E '^test result:' "$log" | sed -E "s/.* ([0-9]+) $1.*/\\1/" | awk '{s+=$1} END {print s+0}'; }
passed=$(count passed)
failed=$(count failed)
ignored=$(count ignored)
rm -f "$log"
echo
echo "Summary (the ignored ones are the real-window tests in the plain run; they ran in the last step):"
echo "${passed:-0} passed, ${failed:-0} failed, ${ignored:-0} skipped"
if [ "$status" -ne 0 ] || [ "${failed:-0}" -ne 0 ]; then
  exit 1
fi
