//! Typing (or pasting) benchmark against a real target: starts a private Xvfb with an xterm
//! running `cat`, delivers N random printable ASCII characters R times, and prints the speed
//! and how many runs arrived exactly.
//!
//! ```text
//! cargo run --release -p switchboard-core --example typing_bench -- [chars=2000] [runs=20] [type|paste]
//! ```
//!
//! "Delivered" is the time `type_text`/`paste` took (it returns once the X server has processed
//! every key, or once the target fetched the pasted text); "landed" is the time until the whole
//! text was in cat's file (polled every millisecond).

#[cfg(target_os = "linux")]
fn main() {
    use std::time::{Duration, Instant};

    use switchboard_core::input::x11::X11Input;
    use switchboard_core::input::{Chord, Input, Key, Point};
    use switchboard_testkit::{Geometry, XtermCat, Xvfb};

    let mut args = std::env::args().skip(1);
    let chars: usize = args
        .next()
        .map_or(2000, |a| a.parse().expect("chars: a number"));
    let runs: u64 = args
        .next()
        .map_or(20, |a| a.parse().expect("runs: a number"));
    let paste = match args.next().as_deref() {
        None | Some("type") => false,
        Some("paste") => true,
        Some(other) => panic!("mode must be type or paste, not {other:?}"),
    };

    let xvfb = Xvfb::start();
    let mut input = X11Input::connect(Some(xvfb.display())).expect("connect to Xvfb");
    let term = XtermCat::open(&xvfb, Geometry::at(0, 0));
    let (x, y) = term.text_point();
    input.move_to(Point { x, y }).expect("move");
    input.click().expect("click");

    let mut exact = 0;
    let mut delivered = Vec::new();
    let mut landed = Vec::new();
    for run in 0..runs {
        let mut rng = fastrand::Rng::with_seed(run);
        let text: String = (0..chars)
            .map(|_| char::from(rng.u8(0x20..=0x7e)))
            .collect();
        let before = term.contents().len();
        let start = Instant::now();
        if paste {
            input
                .paste(&text, Chord::shift(Key::Insert), Duration::from_secs(2))
                .expect("paste");
        } else {
            input.type_text(&text).expect("type_text");
        }
        let sent = start.elapsed();
        // Poll without the testkit's quiet period so that "landed" is the arrival time.
        let deadline = start + Duration::from_secs(30);
        while term.contents().len() < before + chars && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        let arrived = start.elapsed();
        let got = term.wait_len(before + chars, Duration::from_secs(1));
        let ok = got.get(before..) == Some(text.as_str());
        exact += usize::from(ok);
        println!(
            "run {run:2}: delivered in {sent:>9.1?} ({:>9.0} chars/s), landed in {arrived:>9.1?} \
             ({:>7.0} chars/s), {}",
            rate(chars, sent),
            rate(chars, arrived),
            if ok { "exact" } else { "NOT EXACT" }
        );
        delivered.push(sent);
        landed.push(arrived);
    }
    delivered.sort();
    landed.sort();
    let median = |v: &[Duration]| v[v.len() / 2];
    let slowest = |v: &[Duration]| v[v.len() - 1];
    println!(
        "{} {chars} chars x {runs} runs: exact {exact}/{runs}; delivered median {:.1?} \
         ({:.0} chars/s), slowest {:.1?} ({:.0} chars/s); landed median {:.1?} ({:.0} chars/s), \
         slowest {:.1?}",
        if paste { "paste" } else { "type" },
        median(&delivered),
        rate(chars, median(&delivered)),
        slowest(&delivered),
        rate(chars, slowest(&delivered)),
        median(&landed),
        rate(chars, median(&landed)),
        slowest(&landed),
    );
}

#[cfg(target_os = "linux")]
fn rate(chars: usize, d: std::time::Duration) -> f64 {
    chars as f64 / d.as_secs_f64()
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("typing_bench drives X11 and runs on Linux only");
}
