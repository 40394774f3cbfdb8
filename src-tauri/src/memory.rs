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

        // Keep Mesa (and its libLLVM, whose relocated data is ~20 MB private to each process
        // that loads it) out of this process; the web process still loads it to paint.
        // Two things load it here, both only to probe the GPU:
        // - WebKitGTK 2.50, starting the web process, initialises an EGL display only to ask
        //   which DRM render node it uses, and passes that node on to the web process (for
        //   GBM buffers, which it does not use with the DMA-BUF renderer off).
        //   When WEBKIT_WEB_RENDER_DEVICE_FILE names the node, WebKit skips EGL
        //   (UIProcess/glib/DRMMainDevice.cpp). We name the first render node, which is what
        //   WebKit itself falls back to when EGL cannot say; a machine without one (a VM,
        //   Xvfb) gets a name that matches no device, which leaves the web process without
        //   a DRM device, as WebKit's own probe does there (Mesa's software EGL has none).
        // - GTK's X11 backend opens GLX at start to pick its visuals for GL; nothing in this
        //   app draws with GTK's GL (GDK_GL=disable: no GdkGLContext).
        // Measured under Xvfb (desktop_bench): the app process 95 -> 70 MB PSS, the web
        // process 101 -> 108 (it no longer shares libLLVM's clean pages with us): 224 -> 207 MB
        // for the three processes; the page renders pixel for pixel the same, with WebKit's
        // compositing on or off. Either setting alone saves nothing.
        // With the DMA-BUF renderer turned back on (`=0`), the node carries the web view's
        // buffers: WebKit's own probe then picks it (it knows which GPU the display uses).
        if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_some_and(|v| v != "0") {
            default_env("WEBKIT_WEB_RENDER_DEVICE_FILE", &render_node());
        }
        default_env("GDK_GL", "disable");
    }

    /// The first DRM render node (`/dev/dri/renderD128` on a machine with one GPU), or a
    /// name under /dev/dri that is no device when there is none.
    fn render_node() -> String {
        std::fs::read_dir("/dev/dri")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                let minor: u32 = name.strip_prefix("renderD")?.parse().ok()?;
                Some((minor, name))
            })
            .min()
            .map_or_else(
                || "/dev/dri/no-render-node".to_owned(),
                |(_, name)| format!("/dev/dri/{name}"),
            )
    }
}
