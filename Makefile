# Airtill: `make run` and `make test` do everything on a fresh Debian/Ubuntu machine.
.PHONY: run test deps ui build bindings package clean-test-artifacts

UI_SOURCES := $(shell find ui/src -type f 2>/dev/null) ui/index.html ui/vite.config.ts ui/package-lock.json ui/svelte.config.js

deps:
	@scripts/install-deps.sh

ui/dist/index.html: $(UI_SOURCES) | deps
	cd ui && npm run --silent build

ui: deps ui/dist/index.html

build: ui
	cargo build --workspace

# Opens the till in training mode (no account, no internet needed).
run: build
	./target/debug/airtill-desktop

# Every test, the real-window one included, with a summary line at the end.
test: ui
	@scripts/test.sh

# The release .deb (app, desktop entry, icon, the airtill command line), signed for the
# updater: needs TAURI_SIGNING_PRIVATE_KEY and AIRTILL_UPDATER_PUBKEY (see scripts/package.sh).
package: ui
	@scripts/package.sh

# Writes ui/src/lib/bindings.ts again from the Rust types.
bindings: ui
	AIRTILL_WRITE_BINDINGS=1 cargo test --workspace --test commands bindings_are_fresh
	cd ui && npm run --silent build
