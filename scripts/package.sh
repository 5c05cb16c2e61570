#!/usr/bin/env bash
# `make package`: the release .deb of Airtill (the app, its desktop entry and icon, and
# the `airtill` command line in /usr/bin), signed for the updater.
#
# Signing: TAURI_SIGNING_PRIVATE_KEY (the key or a path to it, from
# `npx tauri signer generate`), TAURI_SIGNING_PRIVATE_KEY_PASSWORD if it has one, and
# AIRTILL_UPDATER_PUBKEY (the .pub file's contents or its path), which is built into the
# app so it accepts only packages signed with that key. Without them nothing is built.
#
# Out: target/release/bundle/deb/Airtill_<version>_amd64.deb, its .sig, and
# latest.json beside them (the static file the shop's supplier serves; the package's
# address in it comes from AIRTILL_UPDATE_BASE_URL, default the folder's own name).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TAURI_SIGNING_PRIVATE_KEY:-}" ] || [ -z "${AIRTILL_UPDATER_PUBKEY:-}" ]; then
  echo "make package needs the update signing key: set TAURI_SIGNING_PRIVATE_KEY (the private key or its path)" >&2
  echo "and AIRTILL_UPDATER_PUBKEY (the public key or its path). Make a pair with:" >&2
  echo "  (cd ui && npx tauri signer generate -w ~/airtill-update.key)" >&2
  echo "Nothing was built." >&2
  exit 2
fi
pubkey=$AIRTILL_UPDATER_PUBKEY
[ -f "$pubkey" ] && pubkey=$(cat "$pubkey")
case "$pubkey" in
  *[!A-Za-z0-9+/=]*) echo "AIRTILL_UPDATER_PUBKEY is not a public key (the one-line contents of the .pub file). Nothing was built." >&2; exit 2 ;;
esac

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
config=$(printf '{"version":"%s","plugins":{"updater":{"pubkey":"%s"}}}' "$version" "$pubkey")
# One release build makes the app and the command line that goes beside it in the
# package (airtill-app's binaries, with the same features).
(cd src-tauri && ../ui/node_modules/.bin/tauri build --ci --bundles deb --config "$config" -- -p airtill-desktop -p airtill-app)

out=target/release/bundle/deb
deb=$(ls "$out"/Airtill_"$version"_*.deb)
sig="$deb.sig"
[ -f "$sig" ] || { echo "the package was built but not signed ($sig is missing)" >&2; exit 1; }
base=${AIRTILL_UPDATE_BASE_URL:-.}
name=$(basename "$deb")
python3 - "$version" "$base/$name" "$sig" "$out/latest.json" <<'PY'
import json, sys, datetime
version, url, sig, out = sys.argv[1:]
doc = {
    "version": version,
    "notes": f"Airtill {version}",
    "pub_date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "platforms": {"linux-x86_64-deb": {"signature": open(sig).read().strip(), "url": url}},
}
json.dump(doc, open(out, "w"), indent=2)
PY
echo "package: $deb ($(du -h "$deb" | cut -f1)); signature $sig; update list $out/latest.json"
