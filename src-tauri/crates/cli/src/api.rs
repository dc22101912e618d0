//! `skyport api`: any XRPC call as an account, like `gh api`: queries and procedures, JSON or
//! binary bodies (`uploadBlob`), extra headers (`atproto-proxy`), and `--paginate` over
//! `cursor`. The call goes through the account manager's forwarding path, so the body is sent
//! as given and the PDS's answer comes back as it is.

use std::io::{Read as _, Write as _};
use std::sync::Arc;

use bytes::Bytes;
use serde_json::Value;
use skyport_accounts::{Accounts, BodySource, ForwardRequest, Method};

use crate::output::{self, Failure};

/// What the user asked for.
#[derive(Debug)]
pub struct ApiCall {
    pub nsid: String,
    pub params: Vec<String>,
    pub input: Option<String>,
    pub method: Option<String>,
    pub headers: Vec<String>,
    pub content_type: Option<String>,
    pub paginate: bool,
    pub account: Option<String>,
}

/// The request headers `-H` may set.
const SETTABLE: &[&str] =
    &["accept", "accept-language", "atproto-accept-labelers", "atproto-proxy", "content-type"];

fn bad(message: String) -> Failure {
    Failure::Other { code: "invalid_input", message }
}

/// The body and its content type: JSON text (`--input '{...}'`, `-` for stdin), or a file
/// (`@photo.png`) sent as bytes with `--content-type` or a type from its extension.
fn body(input: &str, content_type: Option<&str>) -> Result<(Bytes, String), Failure> {
    let (bytes, guessed) = match input {
        "-" => {
            let mut b = Vec::new();
            std::io::stdin().read_to_end(&mut b).map_err(|e| bad(format!("reading stdin: {e}")))?;
            (b, None)
        }
        s if s.starts_with('@') => {
            let path = &s[1..];
            let b = std::fs::read(path).map_err(|e| bad(format!("cannot read {path}: {e}")))?;
            (b, type_of(path))
        }
        s => (s.as_bytes().to_vec(), None),
    };
    let content_type = match (content_type, guessed) {
        (Some(t), _) => t.to_owned(),
        (None, Some(t)) => t.to_owned(),
        (None, None) => {
            serde_json::from_slice::<Value>(&bytes)
                .map_err(|e| bad(format!("--input is not JSON ({e}); for other data give --content-type")))?;
            "application/json".to_owned()
        }
    };
    Ok((Bytes::from(bytes), content_type))
}

fn type_of(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "mp4" => "video/mp4",
        "car" => "application/vnd.ipld.car",
        _ => return None,
    })
}

fn request(call: &ApiCall, cursor: Option<&str>) -> Result<ForwardRequest, Failure> {
    let mut headers: Vec<(&'static str, String)> = Vec::new();
    for h in &call.headers {
        let (name, value) = h.split_once(':').ok_or_else(|| bad(format!("-H {h:?}: use 'Name: value'")))?;
        let name = name.trim().to_ascii_lowercase();
        let Some(known) = SETTABLE.iter().find(|n| **n == name) else {
            return Err(bad(format!("-H {name}: only {} can be set", SETTABLE.join(", "))));
        };
        headers.push((known, value.trim().to_owned()));
    }
    let body = match &call.input {
        Some(input) => {
            let (bytes, content_type) = body(input, call.content_type.as_deref())?;
            if !headers.iter().any(|(k, _)| *k == "content-type") {
                headers.push(("content-type", content_type));
            }
            Some(Arc::new(bytes) as Arc<dyn BodySource>)
        }
        None => None,
    };
    let method = match call.method.as_deref().map(str::to_ascii_uppercase).as_deref() {
        None if body.is_some() => Method::Post,
        None | Some("GET") => Method::Get,
        Some("POST") => Method::Post,
        Some(other) => {
            return Err(bad(format!("--method {other}: XRPC uses GET (queries) or POST (procedures)")));
        }
    };
    if method == Method::Get && body.is_some() {
        return Err(bad("--input makes a procedure: use --method POST or leave --method out".into()));
    }
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for p in &call.params {
        let (k, v) = p.split_once('=').ok_or_else(|| bad(format!("-p {p:?}: use key=value")))?;
        if !(cursor.is_some() && k == "cursor") {
            query.append_pair(k, v);
        }
    }
    if let Some(c) = cursor {
        query.append_pair("cursor", c);
    }
    let query = query.finish();
    headers.push(("accept", "application/json, */*".into()));
    Ok(ForwardRequest {
        method,
        nsid: call.nsid.clone(),
        query: (!query.is_empty()).then_some(query),
        headers,
        body,
    })
}

/// Runs the call (every page with `--paginate`) and prints the answers.
pub async fn run(accounts: &Arc<Accounts>, call: ApiCall, json: bool) -> Result<(), Failure> {
    if call.paginate && call.input.is_some() {
        return Err(bad("--paginate is for queries (GET) only".into()));
    }
    let mut cursor: Option<String> = None;
    let mut pages = 0usize;
    loop {
        let res = accounts.forward(call.account.as_deref(), &request(&call, cursor.as_deref())?).await?;
        let status = res.status;
        let is_json = res.header("content-type").is_some_and(|t| {
            t.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
        let bytes = res
            .collect(256 * 1024 * 1024)
            .await
            .map_err(|e| Failure::Other { code: "network", message: format!("the answer broke off: {e}") })?;
        if !(200..300).contains(&status) {
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            return Err(Failure::Other {
                code: "api_error",
                message: format!(
                    "{} answered HTTP {status} {}: {}",
                    call.nsid,
                    text("error"),
                    text("message")
                ),
            });
        }
        if !is_json {
            if call.paginate {
                return Err(bad(format!("{} did not answer JSON, so it cannot be paginated", call.nsid)));
            }
            let mut out = std::io::stdout().lock();
            if let Err(e) = out.write_all(&bytes).and_then(|()| out.flush()) {
                output::exit_on_broken_pipe(&e);
            }
            return Ok(());
        }
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if json {
            output::json(&body)
        } else {
            output::pretty(&body)
        }
        pages += 1;
        let next = body.get("cursor").and_then(Value::as_str).map(str::to_owned);
        match next {
            Some(c) if call.paginate && Some(&c) != cursor.as_ref() && pages < 10_000 => cursor = Some(c),
            _ => return Ok(()),
        }
    }
}
