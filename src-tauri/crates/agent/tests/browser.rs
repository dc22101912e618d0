//! A web page in headless Chromium that knows a valid key and tries every way a page can
//! reach the agent (`fetch` with and without CORS, a no-cors form-like POST, an image tag)
//! gets nothing usable, and nothing it sends reaches the PDS.

mod support;

use std::convert::Infallible;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use support::Rig;

/// Serves one HTML page on 127.0.0.1 (another origin than the agent's).
async fn serve_page(html: String) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let html = html.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |_req| {
                    let html = html.clone();
                    async move {
                        Ok::<_, Infallible>(
                            hyper::Response::builder()
                                .header("content-type", "text/html; charset=utf-8")
                                .body(Full::new(Bytes::from(html)))
                                .unwrap(),
                        )
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    port
}

fn page(agent: &str, key: &str, handle: &str, did: &str) -> String {
    format!(
        r#"<!doctype html><meta charset=utf-8><body><pre id=out>pending</pre>
<img id=img src="{agent}/xrpc/com.atproto.sync.getRepo?did={did}">
<script>
const agent = {agent:?}, key = {key:?};
const results = {{}};
async function attempt(name, f) {{
  try {{
    const r = await f();
    let body = '';
    try {{ body = await r.text(); }} catch (e) {{ body = 'unreadable'; }}
    results[name] = {{ status: r.status, type: r.type, body: body.slice(0, 300) }};
  }} catch (e) {{
    results[name] = {{ error: e.name }};
  }}
}}
(async () => {{
  await attempt('cors_get_with_key', () => fetch(agent + '/xrpc/com.atproto.server.getSession', {{ headers: {{ Authorization: 'Bearer ' + key }} }}));
  await attempt('simple_get', () => fetch(agent + '/xrpc/com.atproto.repo.describeRepo?repo={did}'));
  await attempt('no_cors_create_session', () => fetch(agent + '/xrpc/com.atproto.server.createSession', {{
    method: 'POST', mode: 'no-cors', headers: {{ 'content-type': 'text/plain' }},
    body: JSON.stringify({{ identifier: {handle:?}, password: key }}) }}));
  await attempt('no_cors_create_record', () => fetch(agent + '/xrpc/com.atproto.repo.createRecord', {{
    method: 'POST', mode: 'no-cors', headers: {{ 'content-type': 'text/plain' }},
    body: JSON.stringify({{ repo: {did:?}, collection: 'app.bsky.feed.post', record: {{ text: 'from a web page', createdAt: new Date().toISOString() }} }}) }}));
  const img = document.getElementById('img');
  results.image = {{ loaded: img.complete && img.naturalWidth > 0 }};
  document.getElementById('out').textContent = 'done ' + JSON.stringify(results);
}})();
</script>"#
    )
}

#[tokio::test]
async fn a_web_page_that_knows_a_key_gets_nothing_usable() {
    let (rig, who) = Rig::start(1).await;
    let alice = &who[0];
    let key = rig.allow("victim", alice, false, &[], None);
    let port = serve_page(page(&rig.url, &key, &alice.handle, &alice.did)).await;
    rig.http.reset();
    let profile = tempfile::tempdir().unwrap();
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new(
            std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into()),
        )
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--virtual-time-budget=15000",
            &format!("--user-data-dir={}", profile.path().display()),
            "--dump-dom",
            &format!("http://127.0.0.1:{port}/"),
        ])
        .output(),
    )
    .await
    .expect("chromium finished")
    .expect("chromium runs (installed by .ci/setup)");
    let dom = String::from_utf8_lossy(&out.stdout);
    let json = dom.split("done ").nth(1).and_then(|rest| rest.split("</pre>").next()).unwrap_or_else(|| {
        panic!("the page finished its attempts: {dom}\n{}", String::from_utf8_lossy(&out.stderr))
    });
    let results: Value = serde_json::from_str(&json.replace("&quot;", "\"").replace("&amp;", "&")).unwrap();
    // CORS requests fail outright (no CORS headers); no-cors ones are opaque and empty.
    for name in ["cors_get_with_key", "simple_get"] {
        assert_eq!(results[name]["error"], "TypeError", "{name}: {results}");
    }
    for name in ["no_cors_create_session", "no_cors_create_record"] {
        assert_eq!(
            (results[name]["type"].as_str(), results[name]["status"].as_u64()),
            (Some("opaque"), Some(0)),
            "{name}: {results}"
        );
        assert_eq!(results[name]["body"], "", "{name}: {results}");
    }
    assert_eq!(results["image"]["loaded"], false, "{results}");
    assert!(
        !json.contains("accessJwt") && !json.contains("\"did\""),
        "no session or account data reached the page: {json}"
    );

    // The requests did arrive, and were refused as a browser's; none reached the PDS.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused: Vec<_> = rig
        .accounts
        .activity(None, 50)
        .unwrap()
        .into_iter()
        .filter(|a| a.outcome == "from_browser")
        .collect();
    assert!(refused.len() >= 4, "the agent saw and refused the page's requests: {refused:?}");
    assert!(refused.iter().all(|a| a.status == 403 && a.key_name.is_none()));
    assert!(rig.http.log().is_empty(), "nothing reached the PDS: {:#?}", rig.http.log());
    assert_eq!(rig.accounts.apps(None).unwrap()[0].calls, 0, "the key was never used");
}
