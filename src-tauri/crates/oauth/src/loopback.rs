//! A one-shot HTTP listener on `127.0.0.1` for the loopback client's callback
//! (RFC 8252 §7.3).

use std::io;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// The page the browser shows after the redirect. It reflects nothing from the request.
const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Skyport</title>\
<body style=\"font:16px system-ui;margin:3em\"><h1>Back to Skyport</h1>\
<p>You can close this tab and return to the app.</p></body>";

/// Listens on `127.0.0.1:<ephemeral port>` for one callback.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    port: u16,
}

impl LoopbackListener {
    /// Binds an ephemeral port on the IPv4 loopback address.
    pub async fn bind() -> io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        Ok(Self { listener, port })
    }

    /// The port, for the redirect URI.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Waits for a `GET <path>?…` and returns the full callback URL. Other requests (a
    /// browser's `/favicon.ico`) get a 404 and are skipped.
    pub async fn next_callback(&self, path: &str) -> io::Result<String> {
        loop {
            let (mut stream, _) = self.listener.accept().await?;
            let mut buf = vec![0u8; 16 * 1024];
            let mut len = 0;
            // Read until the end of the request line (or the buffer is full).
            while len < buf.len() && !buf[..len].windows(2).any(|w| w == b"\r\n") {
                let n = stream.read(&mut buf[len..]).await?;
                if n == 0 {
                    break;
                }
                len += n;
            }
            let line = String::from_utf8_lossy(&buf[..len]);
            let target = line.lines().next().and_then(|l| {
                let mut parts = l.split(' ');
                (parts.next() == Some("GET")).then(|| parts.next()).flatten()
            });
            let matches = target.is_some_and(|t| t == path || t.starts_with(&format!("{path}?")));
            let response = if matches {
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
                     cache-control: no-store\r\nconnection: close\r\n\r\n{DONE_PAGE}",
                    DONE_PAGE.len()
                )
            } else {
                "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_owned()
            };
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
            if let (true, Some(t)) = (matches, target) {
                return Ok(format!("http://127.0.0.1:{}{t}", self.port));
            }
        }
    }
}
