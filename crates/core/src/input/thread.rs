//! Owns one [`Input`] on a dedicated OS thread. Input calls block (and enigo-style APIs take
//! `&mut self`), so async code sends closures here and awaits their result; the single thread
//! also guarantees this process never drives two deliveries' keystrokes at once.

use std::sync::mpsc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use super::{Input, InputError, Support};

type Job = Box<dyn FnOnce(&mut dyn Input) + Send>;

/// Handle to the input thread. Dropping the last handle ends the thread after queued work.
pub struct InputThread {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    name: &'static str,
    display: String,
    supports: Support,
}

impl InputThread {
    pub fn spawn(mut input: Box<dyn Input>) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<Job>();
        let name = input.name();
        let display = input.display();
        let supports = input.supports();
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
            supports,
        })
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn display(&self) -> &str {
        &self.display
    }

    /// Which safety checks the driver performs (see [`Input::supports`]).
    pub fn supports(&self) -> Support {
        self.supports
    }

    /// Run `f` on the input thread and wait for its result. A panic in the driver becomes an
    /// [`InputError::InputFailed`] and the thread lives on for the next delivery.
    pub async fn call<T, F>(&self, f: F) -> Result<T, InputError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Input) -> Result<T, InputError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |input| {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(input)))
                .unwrap_or_else(|panic| {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    Err(InputError::InputFailed(format!(
                        "the input driver failed: {what}"
                    )))
                });
            // The receiver is gone only if the caller was cancelled; nothing to report then.
            let _ = tx.send(result);
        });
        self.jobs
            .as_ref()
            .expect("jobs sender lives until drop")
            .send(job)
            .expect("the input thread only ends when this handle is dropped");
        rx.await
            .unwrap_or_else(|_| Err(InputError::InputFailed("the input thread stopped".into())))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::recording::RecordingInput;

    #[tokio::test]
    async fn a_panicking_driver_is_an_error_and_the_thread_lives_on() {
        let (input, recorder) = RecordingInput::new();
        let thread = InputThread::spawn(Box::new(input)).unwrap();
        // The recording driver panics on text with a line break (an engine bug it guards).
        let e = thread.call(|i| i.type_text("a\nb")).await.unwrap_err();
        assert!(matches!(e, InputError::InputFailed(_)), "{e:?}");
        thread
            .call(|i| i.click())
            .await
            .expect("the thread still serves calls");
        assert_eq!(recorder.actions().len(), 1);
    }
}
