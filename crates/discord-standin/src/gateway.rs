//! The gateway half of the stand-in: a WebSocket speaking Discord's JSON protocol (HELLO,
//! IDENTIFY -> READY, RESUME -> RESUMED, heartbeats answered), plus dispatches the test pushes.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::Inner;
use super::fixtures::ready;

/// What the test asks of the live connection.
pub(super) enum Command {
    Dispatch {
        kind: String,
        data: Value,
    },
    /// Close with this code (4000: "unknown error", which Discord clients resume after).
    Close(u16),
}

/// Long enough that serenity's first heartbeat does not fall inside a test.
const HEARTBEAT_MS: u64 = 45_000;

pub(super) async fn serve(inner: Arc<Inner>, stream: TcpStream) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut source) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let hello = json!({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_MS}});
    if sink.send(Message::text(hello.to_string())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            frame = source.next() => {
                let Some(Ok(Message::Text(text))) = frame else {
                    // Closed by the client, or not a JSON frame: this connection is over.
                    if matches!(frame, Some(Ok(Message::Ping(_) | Message::Pong(_)))) { continue; }
                    return;
                };
                let payload: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                let reply = match payload["op"].as_u64() {
                    Some(1) => Some(json!({"op": 11})),
                    Some(2) => {
                        inner.identified(payload["d"].clone(), tx.clone());
                        Some(dispatch(&inner, "READY", ready(&inner.ws_url())))
                    }
                    Some(6) => {
                        inner.resumed(tx.clone());
                        Some(dispatch(&inner, "RESUMED", json!({})))
                    }
                    _ => None,
                };
                if let Some(reply) = reply
                    && sink.send(Message::text(reply.to_string())).await.is_err()
                {
                    return;
                }
            }
            command = rx.recv() => {
                let Some(command) = command else { return };
                match command {
                    Command::Dispatch { kind, data } => {
                        let frame = dispatch(&inner, &kind, data);
                        if sink.send(Message::text(frame.to_string())).await.is_err() {
                            return;
                        }
                    }
                    Command::Close(code) => {
                        let close = CloseFrame { code: CloseCode::from(code), reason: "stand-in closes".into() };
                        let _ = sink.send(Message::Close(Some(close))).await;
                        // Give the close frame a moment to leave before the socket drops.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        return;
                    }
                }
            }
        }
    }
}

/// A dispatch frame; every one carries the next sequence number, as Discord's do.
fn dispatch(inner: &Inner, kind: &str, data: Value) -> Value {
    json!({"op": 0, "s": inner.next_seq(), "t": kind, "d": data})
}
