#!/usr/bin/env bash
# Installs what Airtill needs to build, run and test, skipping whatever is already
# there, so a second run costs a second. Debian 12 / Ubuntu 22.04+ (apt). On other
# systems it says what to install by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '==> %s\n' "$*"; }

APT_PACKAGES=(build-essential pkg-config curl file libssl-dev libxdo-dev
  libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev libsoup-3.0-dev libgtk-3-dev
  libayatana-appindicator3-dev librsvg2-dev xvfb xauth webkit2gtk-driver
  poppler-utils sqlite3 libdbus-1-dev dbus gnome-keyring cups cups-bsd printer-driver-cups-pdf x11-utils
  postgresql openssl)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing system packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
else
  say "not a Debian/Ubuntu system: install WebKitGTK 4.1, GTK 3, libsoup 3, OpenSSL dev files, Xvfb and WebKitWebDriver by hand (see README)"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "Rust is missing: install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
# make test checks formatting and lints: rustfmt and clippy come with rustup's default
# profile; add them where a minimal profile left them out.
for tool in rustfmt clippy; do
  if ! cargo "${tool/rustfmt/fmt}" --version >/dev/null 2>&1 && command -v rustup >/dev/null 2>&1; then
    say "adding the Rust component $tool"
    rustup component add "$tool" || true
  fi
done

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'
}
if ! node_ok; then
  if command -v apt-get >/dev/null 2>&1; then
    say "installing Node.js from the system packages"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm || true
  fi
  node_ok || { echo "Node.js 20.19 or newer is needed to build the UI (node --version says $(node --version 2>/dev/null || echo none))." >&2; exit 1; }
fi

# The UI's packages, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  say "installing the UI's packages"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi

# tauri-driver for the real-window tests.
if [ ! -x .tools/bin/tauri-driver ]; then
  say "installing tauri-driver"
  cargo install tauri-driver --version 2.1.0 --locked --root .tools --quiet
fi
