//! A small WebDriver client (W3C protocol over plain HTTP) for tauri-driver: just what the
//! end-to-end test needs, with errors that quote the driver's message.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Session {
    agent: ureq::Agent,
    url: String,
}

#[derive(Clone)]
pub struct Element {
    id: String,
    what: String,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        // WebDriver errors are JSON bodies on 4xx/5xx: read them rather than fail blind.
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn value(
    what: &str,
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Value, String> {
    let mut response = result.map_err(|e| format!("{what}: {e}"))?;
    let status = response.status();
    let body: Value = response
        .body_mut()
        .read_json()
        .map_err(|e| format!("{what}: unreadable reply: {e}"))?;
    if !status.is_success() {
        return Err(format!(
            "{what}: {status}: {}",
            body["value"]["message"]
                .as_str()
                .unwrap_or(&body.to_string())
        ));
    }
    Ok(body["value"].clone())
}

impl Session {
    /// Start a session on the driver at `port`, launching `application` with `args`.
    pub fn start(port: u16, application: &str, args: &[String]) -> Result<Session, String> {
        let agent = agent();
        let base = format!("http://127.0.0.1:{port}");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": application, "args": args}
        }}});
        // tauri-driver needs a moment to listen; retry the connection only.
        let deadline = Instant::now() + Duration::from_secs(20);
        let reply = loop {
            match agent.post(format!("{base}/session")).send_json(&caps) {
                Err(ureq::Error::Io(_) | ureq::Error::ConnectionFailed)
                    if Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(100));
                }
                other => break value("new session", other)?,
            }
        };
        let id = reply["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session id in {reply}"))?;
        Ok(Session {
            url: format!("{base}/session/{id}"),
            agent,
        })
    }

    fn post(&self, what: &str, path: &str, body: Value) -> Result<Value, String> {
        value(
            what,
            self.agent
                .post(format!("{}{path}", self.url))
                .send_json(&body),
        )
    }

    fn get(&self, what: &str, path: &str) -> Result<Value, String> {
        value(what, self.agent.get(format!("{}{path}", self.url)).call())
    }

    /// The first element matching `css`, waiting up to 5 s for it to appear: screens render
    /// after their data arrives.
    pub fn find(&self, css: &str) -> Result<Element, String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let found = self.post(
                &format!("find {css}"),
                "/element",
                json!({"using": "css selector", "value": css}),
            );
            match found {
                Ok(v) => {
                    let id = v[ELEMENT]
                        .as_str()
                        .ok_or_else(|| format!("find {css}: {v}"))?;
                    return Ok(Element {
                        id: id.to_string(),
                        what: css.to_string(),
                    });
                }
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Err(e) => return Err(e),
            }
        }
    }

    pub fn find_all(&self, css: &str) -> Result<Vec<Element>, String> {
        let v = self.post(
            &format!("find all {css}"),
            "/elements",
            json!({"using": "css selector", "value": css}),
        )?;
        Ok(v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e[ELEMENT].as_str())
            .map(|id| Element {
                id: id.to_string(),
                what: css.to_string(),
            })
            .collect())
    }

    pub fn click(&self, e: &Element) -> Result<(), String> {
        self.post(
            &format!("click {}", e.what),
            &format!("/element/{}/click", e.id),
            json!({}),
        )
        .map(drop)
    }

    pub fn clear(&self, e: &Element) -> Result<(), String> {
        self.post(
            &format!("clear {}", e.what),
            &format!("/element/{}/clear", e.id),
            json!({}),
        )
        .map(drop)
    }

    pub fn type_text(&self, e: &Element, text: &str) -> Result<(), String> {
        self.post(
            &format!("type into {}", e.what),
            &format!("/element/{}/value", e.id),
            json!({"text": text}),
        )
        .map(drop)
    }

    pub fn text(&self, e: &Element) -> Result<String, String> {
        Ok(self
            .get(
                &format!("text of {}", e.what),
                &format!("/element/{}/text", e.id),
            )?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    pub fn script(&self, script: &str, args: Value) -> Result<Value, String> {
        self.post(
            "execute script",
            "/execute/sync",
            json!({"script": script, "args": args}),
        )
    }

    /// Poll `probe` until it gives a value (WebDriver has no event to wait on).
    pub fn wait<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut probe: impl FnMut(&Session) -> Option<T>,
    ) -> Result<T, String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(v) = probe(self) {
                return Ok(v);
            }
            if Instant::now() > deadline {
                return Err(format!("timed out after {timeout:?} waiting for {what}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Wait for an element matching `css` whose text contains `needle`; returns its text.
    pub fn wait_text(&self, css: &str, needle: &str, timeout: Duration) -> Result<String, String> {
        let mut last = String::new();
        self.wait(&format!("{css} to contain {needle:?}"), timeout, |s| {
            for e in s.find_all(css).ok()? {
                if let Ok(t) = s.text(&e) {
                    if t.contains(needle) {
                        return Some(t);
                    }
                    last = t;
                }
            }
            None
        })
        .map_err(|e| format!("{e}; last text seen: {last:?}"))
    }

    pub fn end(self) {
        let _ = self.agent.delete(&self.url).call();
    }
}
