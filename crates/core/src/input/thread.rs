//! Owns one [`Input`] on a dedicated OS thread. Input calls block (and enigo-style APIs take
//! `&mut self`), so async code sends closures here and awaits their result; the single thread
//! also guarantees this process never drives two deliveries' keystrokes at once.

use std::sync::mpsc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::Input;

type Job = Box<dyn FnOnce(&mut dyn Input) + Send>;

/// Handle to the input thread. Dropping the last handle ends the thread after queued work.
pub struct InputThread {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    name: &'static str,
    display: String,
}

impl InputThread {
    pub fn spawn(mut input: Box<dyn Input>) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<Job>();
        let name = input.name();
        let display = input.display();
        let thread = std::thread::Builder::new()
            .name("switchboard-input".into())
            .spawn(move || {
                for job in rx {
                    job(input.as_mut());
                }
            })?;
        Ok(InputThread {
            jobs: Some(tx),
            thread: Some(thread),
            name,
            display,
        })
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn display(&self) -> &str {
        &self.display
    }

    /// Run `f` on the input thread and wait for its result.
    pub async fn call<R, F>(&self, f: F) -> R
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn Input) -> R + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |input| {
            // The receiver is gone only if the caller was cancelled; nothing to report then.
            let _ = tx.send(f(input));
        });
        self.jobs
            .as_ref()
            .expect("jobs sender lives until drop")
            .send(job)
            .expect("the input thread only ends when this handle is dropped");
        rx.await
            .expect("an input job panicked; the input thread is gone")
    }
}

impl Drop for InputThread {
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(t) = self.thread.take() {
            // Joining makes sure the input (and any clipboard it serves) is released in order.
            let _ = t.join();
        }
    }
}
