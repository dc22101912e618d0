//! The Node child process that runs the network.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::install::localnet_dir;
use super::{Error, NetworkInfo};

/// Lines of the child's stderr kept for error reports.
const STDERR_LINES: usize = 40;

/// A running `start-network.mjs --exit-on-stdin-close`.
#[derive(Debug)]
pub(super) struct NodeProcess {
    child: Child,
    /// Held open: closing it tells the network to stop.
    stdin: Option<ChildStdin>,
}

impl NodeProcess {
    /// Spawns the network and waits for its ready line.
    pub(super) fn spawn(
        node: &Path,
        args: &[String],
        timeout: Duration,
    ) -> Result<(Self, NetworkInfo), Error> {
        let dir = localnet_dir();
        let mut child = Command::new(node)
            .arg(dir.join("start-network.mjs"))
            .args(args)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| Error::Io { what: format!("run {}", node.display()), source })?;
        let stdin = child.stdin.take();
        let stderr = StderrTail::collect(child.stderr.take());
        let (ready_tx, ready_rx) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            std::thread::spawn(move || read_ready_line(stdout, &ready_tx));
        }
        let mut process = Self { child, stdin };

        match ready_rx.recv_timeout(timeout) {
            Ok(Ok(info)) => Ok((process, info)),
            Ok(Err(message)) => {
                process.kill();
                Err(Error::InvalidInfo { origin: "start-network.mjs".into(), message })
            }
            Err(RecvTimeoutError::Timeout) => {
                process.kill();
                Err(Error::StartTimeout { timeout, stderr: stderr.finish() })
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = process.child.wait().map_or_else(|e| e.to_string(), |s| s.to_string());
                Err(Error::Exited { status, stderr: stderr.finish() })
            }
        }
    }

    /// Closes stdin so the network shuts down cleanly (removing its data directory);
    /// kills it if it is still running after `grace`.
    pub(super) fn stop(mut self, grace: Duration) {
        drop(self.stdin.take());
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            match self.child.try_wait() {
                Ok(None) => std::thread::sleep(Duration::from_millis(25)),
                Ok(Some(_)) | Err(_) => return,
            }
        }
        self.kill();
    }

    fn kill(&mut self) {
        // Best effort: the process may already be gone.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends the first stdout line that parses as [`NetworkInfo`] (other lines, such as logs,
/// are skipped), then keeps draining stdout so the child never blocks on a full pipe.
fn read_ready_line(stdout: impl Read, ready: &mpsc::Sender<Result<NetworkInfo, String>>) {
    let mut sent = false;
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        if sent || !line.starts_with('{') {
            continue;
        }
        if let Ok(info) = serde_json::from_str::<NetworkInfo>(&line) {
            sent = true;
            // The receiver may have given up (timeout): nothing to do then.
            let _ = ready.send(Ok(info));
        } else if line.contains("\"plcUrl\"") {
            sent = true;
            let _ = ready.send(Err(format!("unexpected ready line: {line}")));
        }
    }
}

/// The last lines of the child's stderr, collected by a thread.
struct StderrTail {
    lines: Arc<Mutex<VecDeque<String>>>,
    reader: Option<JoinHandle<()>>,
}

impl StderrTail {
    fn collect(stderr: Option<impl Read + Send + 'static>) -> Self {
        let lines = Arc::new(Mutex::new(VecDeque::new()));
        let sink = Arc::clone(&lines);
        let reader = stderr.map(|stderr| {
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    if let Ok(mut buf) = sink.lock() {
                        if buf.len() == STDERR_LINES {
                            buf.pop_front();
                        }
                        buf.push_back(line);
                    }
                }
            })
        });
        Self { lines, reader }
    }

    /// Waits for the stream to end (the child is gone) and returns its last lines.
    fn finish(mut self) -> String {
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        self.lines.lock().map(|buf| buf.iter().cloned().collect::<Vec<_>>().join("\n")).unwrap_or_default()
    }
}
