//! `switchboard-desktop`: the desktop window. A thin bootstrap over the library.

// Release builds on Windows are GUI programs without a console window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use clap::Parser;

fn main() -> std::process::ExitCode {
    switchboard_desktop::memory::before_threads();
    // GTK names the window's WM_CLASS after GLib's program name, the binary's file name unless
    // set. Fixed, so that an engine in another process recognises the window by its class
    // (`DESKTOP_WINDOW_CLASS`) and never types into it, whatever the binary is called.
    #[cfg(target_os = "linux")]
    glib::set_prgname(Some("switchboard-desktop"));
    let args = switchboard_desktop::args::Args::parse();
    if let Err(message) = switchboard_desktop::args::check_display() {
        eprintln!("switchboard-desktop: {message}");
        return std::process::ExitCode::FAILURE;
    }
    match switchboard_desktop::run(args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("switchboard-desktop: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
