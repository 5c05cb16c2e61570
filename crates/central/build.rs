// The migrations are embedded at compile time: build again when one changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
