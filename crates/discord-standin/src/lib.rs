//! A small local Discord for end-to-end tests: REST (hyper) and the gateway (WebSocket) on
//! 127.0.0.1, enough to drive the real serenity client through a handshake, slash commands,
//! prefix commands and a dropped connection. Every REST request is recorded for assertions.
//!
//! Dev-only: the bot crate's end-to-end tests and the desktop app's bot supervisor tests use it
//! (Discord itself is unreachable from the machines the tests run on). Nothing here is
//! published or linked into a release binary.

pub mod fixtures;
mod gateway;
mod rest;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{Notify, mpsc};

use gateway::Command;

/// One REST request the bot made.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub body: Value,
    /// It carried `Authorization: Bot <the stand-in's token>`.
    pub authorized: bool,
}

pub(crate) struct Inner {
    token: String,
    ws_url: Mutex<String>,
    requests: Mutex<Vec<Recorded>>,
    changed: Notify,
    /// The live gateway connection, once it has identified or resumed.
    live: Mutex<Option<mpsc::UnboundedSender<Command>>>,
    identify: Mutex<Option<Value>>,
    sessions: AtomicU64,
    seq: AtomicU64,
    message_ids: AtomicU64,
    /// Gateway connections are dropped unanswered until this instant (an outage).
    down_until: Mutex<Option<tokio::time::Instant>>,
}

impl Inner {
    fn record(&self, r: Recorded) {
        self.requests.lock().unwrap().push(r);
        self.changed.notify_waiters();
    }
    fn ws_url(&self) -> String {
        self.ws_url.lock().unwrap().clone()
    }
    fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::SeqCst) + 1
    }
    fn next_message_id(&self) -> u64 {
        self.message_ids.fetch_add(1, Ordering::SeqCst) + 1
    }
    fn identified(&self, identify: Value, tx: mpsc::UnboundedSender<Command>) {
        *self.identify.lock().unwrap() = Some(identify);
        self.resumed(tx);
    }
    fn resumed(&self, tx: mpsc::UnboundedSender<Command>) {
        *self.live.lock().unwrap() = Some(tx);
        self.sessions.fetch_add(1, Ordering::SeqCst);
        self.changed.notify_waiters();
    }
}

pub struct StandIn {
    /// Give this to the bot as its API base.
    pub api_base: String,
    inner: Arc<Inner>,
}

impl StandIn {
    /// Listen on two free ports of 127.0.0.1; only requests carrying `token` are authorised.
    pub async fn start(token: &str) -> StandIn {
        let rest = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ws = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let inner = Arc::new(Inner {
            token: token.to_string(),
            ws_url: Mutex::new(format!("ws://{}", ws.local_addr().unwrap())),
            requests: Mutex::new(Vec::new()),
            changed: Notify::new(),
            live: Mutex::new(None),
            identify: Mutex::new(None),
            sessions: AtomicU64::new(0),
            seq: AtomicU64::new(0),
            message_ids: AtomicU64::new(10_000),
            down_until: Mutex::new(None),
        });
        let api_base = format!("http://{}", rest.local_addr().unwrap());
        let state = inner.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = rest.accept().await {
                let state = state.clone();
                tokio::spawn(async move {
                    let service =
                        hyper::service::service_fn(move |req| rest::handle(state.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        let state = inner.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = ws.accept().await {
                let down = *state.down_until.lock().unwrap();
                if down.is_some_and(|until| tokio::time::Instant::now() < until) {
                    drop(stream);
                    continue;
                }
                tokio::spawn(gateway::serve(state.clone(), stream));
            }
        });
        StandIn { api_base, inner }
    }

    /// Every REST request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.requests.lock().unwrap().clone()
    }

    /// Wait until a recorded request satisfies `matches`, at most `within`.
    pub async fn wait_request(
        &self,
        within: Duration,
        what: &str,
        matches: impl Fn(&Recorded) -> bool,
    ) -> Recorded {
        self.wait(within, what, || {
            self.requests().into_iter().find(|r| matches(r))
        })
        .await
    }

    /// How many sessions were identified or resumed so far.
    pub fn sessions(&self) -> u64 {
        self.inner.sessions.load(Ordering::SeqCst)
    }

    /// Wait until at least `n` sessions were identified or resumed.
    pub async fn wait_sessions(&self, n: u64, within: Duration) {
        self.wait(within, &format!("gateway session {n}"), || {
            (self.sessions() >= n).then_some(())
        })
        .await
    }

    /// The IDENTIFY payload's `d` the bot sent last.
    pub fn identify(&self) -> Option<Value> {
        self.inner.identify.lock().unwrap().clone()
    }

    /// Send a dispatch event (`t` = `kind`) on the live gateway connection.
    pub fn dispatch(&self, kind: &str, data: Value) {
        let live = self.inner.live.lock().unwrap();
        let tx = live.as_ref().expect("a gateway session is live");
        tx.send(Command::Dispatch {
            kind: kind.to_string(),
            data,
        })
        .expect("the gateway connection is open");
    }

    /// Close the live gateway connection with `code`, as Discord does when it restarts a node.
    pub fn close_connection(&self, code: u16) {
        if let Some(tx) = self.inner.live.lock().unwrap().take() {
            let _ = tx.send(Command::Close(code));
        }
    }

    /// An outage: close the live connection and drop every new gateway connection for `length`.
    pub fn outage(&self, length: Duration) {
        *self.inner.down_until.lock().unwrap() = Some(tokio::time::Instant::now() + length);
        self.close_connection(4000);
    }

    async fn wait<T>(&self, within: Duration, what: &str, check: impl Fn() -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let changed = self.inner.changed.notified();
            if let Some(found) = check() {
                return found;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                let seen: Vec<String> = self
                    .requests()
                    .iter()
                    .map(|r| format!("{} {}", r.method, r.path))
                    .collect();
                panic!("the stand-in saw no {what} within {within:?}; requests: {seen:#?}");
            }
        }
    }
}
