//! tauri.conf.json lives at the repository root (next to the UI it names), so tauri-build is
//! pointed at it; capabilities stay in this crate's `capabilities/`.

fn main() {
    // The UI is embedded at compile time: rebuild when `npm run build` refreshed ui/dist.
    println!("cargo:rerun-if-changed=../ui/dist");
    if !std::path::Path::new("../ui/dist/index.html").exists() {
        println!(
            "cargo::error=ui/dist is missing: build the UI first with `cd ui && npm ci && npm run build` (scripts/test and scripts/run do this)"
        );
        return;
    }
    let attributes = tauri_build::Attributes::new().config_path("../tauri.conf.json");
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo::error=tauri-build failed: {e:#}");
    }
}
