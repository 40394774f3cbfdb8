//! The REST half of the stand-in: records every request and answers the routes the bot uses.

use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};

use super::fixtures::{CHANNEL_ID, bot_user, dm_channel, message, user};
use super::{Inner, Recorded};

fn reply(status: StatusCode, body: Value) -> Response<Full<Bytes>> {
    let body = if status == StatusCode::NO_CONTENT {
        Bytes::new()
    } else {
        Bytes::from(body.to_string())
    };
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(body))
        .expect("a valid response")
}

pub(super) async fn handle(
    inner: Arc<Inner>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let authorization = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let authorized = authorization.as_deref() == Some(&format!("Bot {}", inner.token));
    let recorded = Recorded {
        method: method.clone(),
        path: path.clone(),
        body: body.clone(),
        authorized,
    };
    let segments: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
    let response = if !authorized && !path.starts_with("/api/v10/interactions/") {
        // Interaction callbacks are authorised by their token in the path, like Discord's.
        reply(
            StatusCode::UNAUTHORIZED,
            json!({"message": "401: Unauthorized", "code": 0}),
        )
    } else {
        route(&inner, &method, &segments, &body)
    };
    inner.record(recorded);
    Ok(response)
}

fn route(inner: &Inner, method: &str, segments: &[&str], body: &Value) -> Response<Full<Bytes>> {
    let content = body["content"].as_str().unwrap_or_default();
    let next_id = || inner.next_message_id();
    match (method, segments) {
        ("GET", ["users", "@me"]) => reply(StatusCode::OK, bot_user()),
        ("GET", ["gateway"]) => reply(StatusCode::OK, json!({ "url": inner.ws_url() })),
        ("PUT", ["applications", _, "guilds", _, "commands"] | ["applications", _, "commands"]) => {
            reply(StatusCode::OK, json!([]))
        }
        ("POST", ["interactions", _, _, "callback"]) => reply(StatusCode::NO_CONTENT, Value::Null),
        ("PATCH", ["webhooks", _, _, "messages", "@original"]) => reply(
            StatusCode::OK,
            message(next_id(), CHANNEL_ID, bot_user(), content),
        ),
        ("POST", ["channels", channel, "messages"]) => reply(
            StatusCode::OK,
            message(next_id(), channel.parse().unwrap_or(0), bot_user(), content),
        ),
        ("PATCH", ["channels", channel, "messages", id]) => reply(
            StatusCode::OK,
            message(
                id.parse().unwrap_or(0),
                channel.parse().unwrap_or(0),
                bot_user(),
                content,
            ),
        ),
        ("POST", ["users", "@me", "channels"]) => {
            let recipient = body["recipient_id"].as_str().unwrap_or("0");
            reply(
                StatusCode::OK,
                dm_channel(user(recipient.parse().unwrap_or(0), "someone")),
            )
        }
        _ => reply(
            StatusCode::NOT_FOUND,
            json!({"message": "404: Not Found", "code": 0}),
        ),
    }
}
