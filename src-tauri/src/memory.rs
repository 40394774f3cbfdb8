//! Keeping the idle app small (goal: 200 MB PSS for the app and its WebKit processes; see
//! BENCHMARKS.md, "Desktop app", for what was measured and what did not help).

/// Settings that must be in place before any thread starts or any child process is spawned.
/// Call first thing in `main`.
pub fn before_threads() {
    // JavaScriptCore reads its options from the web process's environment, which it inherits
    // from ours. The UI is one small page (a script under 100 kB): in JSC's interpreter it
    // still renders well within the start-up goal, and without the JIT the web process holds
    // about 8 MB less (no JIT compiler threads, no compiled code).
    default_env("JSC_useJIT", "false");
    #[cfg(target_os = "linux")]
    linux::before_threads();
}

/// Sets `name` unless the operator has set it: their own value always wins.
fn default_env(name: &str, value: &str) {
    if std::env::var_os(name).is_none() {
        // SAFETY (unsafe_code is denied workspace-wide): `set_var` is unsound only while
        // another thread may read the environment; `before_threads` runs before any exists.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var(name, value);
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use super::default_env;

    pub(super) fn before_threads() {
        // WebKitGTK's DMA-BUF renderer has the app process set up GBM and EGL buffers for the
        // web process to draw into. The UI is a few forms and tables that WebKit paints on the
        // CPU into shared memory just as well. Measured: the app process 99 -> 94 MB PSS,
        // 227 -> 223 MB for the app and its WebKit processes. (WebKit still initialises EGL
        // once when it starts the web process, so Mesa's libLLVM stays loaded in both.)
        default_env("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    }
}
