//! Keeping the idle app small (goal: 200 MB PSS for the app and its WebKit processes; see
//! BENCHMARKS.md, "Desktop app", for what was measured and what did not help).

/// Settings that must be in place before any thread starts or any child process is spawned.
/// Call first thing in `main`.
pub fn before_threads() {
    // JavaScriptCore reads its options from the web process's environment, which it inherits
    // from ours. The UI is one small page (a script under 100 kB): in JSC's interpreter it
    // still renders well within the start-up goal, and without the JIT the web process holds
    // about 8 MB less (no JIT compiler threads, no compiled code). An operator's own setting
    // wins.
    if std::env::var_os("JSC_useJIT").is_none() {
        // SAFETY (unsafe_code is denied workspace-wide): `set_var` is unsound only while
        // another thread may read the environment; `main` calls this before any thread exists.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("JSC_useJIT", "false");
        }
    }
}
