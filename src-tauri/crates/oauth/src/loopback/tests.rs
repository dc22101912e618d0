use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use super::*;

const STATE: &str = "this-logins-state-0123456789";

/// Sends one raw request and reads the whole response.
async fn request(port: u16, raw: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream.write_all(raw.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

fn get(target: &str) -> String {
    format!("GET {target} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
}

#[tokio::test]
async fn a_callback_with_another_state_gets_a_page_and_the_listener_keeps_waiting() {
    let listener = LoopbackListener::bind().await.unwrap();
    let port = listener.port();
    let waiting = listener.wait_for("/callback", STATE);
    tokio::pin!(waiting);
    let strangers = async {
        for target in [
            "/callback?state=someone-elses&code=x&iss=y",
            "/callback?code=no-state",
            "/callback",
            &format!("/callback?state={STATE}&state={STATE}"),
            "/favicon.ico",
        ] {
            let res = request(port, &get(target)).await;
            let expected = if target.starts_with("/callback") { "400 Bad Request" } else { "404 Not Found" };
            assert!(res.starts_with(&format!("HTTP/1.1 {expected}")), "{target}: {res}");
            assert!(!res.contains("state"), "the page reflects the request: {res}");
        }
    };
    tokio::select! {
        url = &mut waiting => panic!("the listener ended on a stranger's request: {url:?}"),
        () = strangers => {}
    }
    let ours = format!("/callback?state={STATE}&code=c&iss=https%3A%2F%2Fpds.example");
    let raw = get(&ours);
    let (url, res) = tokio::join!(waiting, request(port, &raw));
    assert_eq!(url.unwrap(), format!("http://127.0.0.1:{port}{ours}"));
    assert!(res.starts_with("HTTP/1.1 200 OK"), "{res}");
    assert!(res.contains("Back to Skyport"), "{res}");
}

#[tokio::test]
async fn an_idle_connection_does_not_hold_up_the_real_callback() {
    let listener = LoopbackListener::bind().await.unwrap();
    let port = listener.port();
    // Connected, sending nothing (a preconnect or a port scan), and one sending half a head.
    let _idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut half = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    half.write_all(b"GET /callback?state=").await.unwrap();
    let ours = format!("/callback?state={STATE}&code=c");
    let both = async {
        tokio::join!(listener.wait_for("/callback", STATE), async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            request(port, &get(&ours)).await
        })
    };
    // Well before the idle connections time out.
    let (url, _) = tokio::time::timeout(HEAD_TIMEOUT / 2, both).await.expect("held up by an idle connection");
    assert!(url.unwrap().ends_with(&ours));
}

#[tokio::test]
async fn an_oversized_head_is_refused_and_the_listener_keeps_waiting() {
    let listener = LoopbackListener::bind().await.unwrap();
    let port = listener.port();
    let huge =
        format!("GET /callback?state={STATE}&pad={} HTTP/1.1\r\nhost: x\r\n\r\n", "a".repeat(40 * 1024));
    let waiting = listener.wait_for("/callback", STATE);
    tokio::pin!(waiting);
    tokio::select! {
        url = &mut waiting => panic!("an oversized request ended the listener: {url:?}"),
        res = request(port, &huge) => assert!(!res.contains("200 OK"), "{res}"),
    }
    let ours = format!("/callback?state={STATE}&code=c");
    let raw = get(&ours);
    let (url, _) = tokio::join!(waiting, request(port, &raw));
    assert!(url.unwrap().ends_with(&ours));
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_head_timeout() {
    let listener = LoopbackListener::bind().await.unwrap();
    let port = listener.port();
    let waiting = listener.wait_for("/callback", STATE);
    tokio::pin!(waiting);
    let silent = async {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let mut out = Vec::new();
        // Ends when the listener closes the connection (EOF or a 408), not when we give up.
        let read = tokio::time::timeout(CONNECTION_TIMEOUT * 2, stream.read_to_end(&mut out)).await;
        assert!(read.is_ok(), "the silent connection was never closed");
    };
    tokio::select! {
        url = &mut waiting => panic!("ended without a callback: {url:?}"),
        () = silent => {}
    }
}
