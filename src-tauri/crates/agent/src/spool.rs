//! Request bodies, read off the connection once and replayable: DPoP may send a call twice
//! (a `use_dpop_nonce` challenge) and a refresh a third time, so a body cannot simply be
//! streamed through. Small bodies stay in memory; a body larger than
//! [`AgentConfig::memory_body`](crate::AgentConfig) goes to an unnamed-on-drop temporary
//! file in the data directory (mode 0600), read back in 64 KiB chunks for each attempt.
//! Memory stays bounded whatever the size (a 50 MB blob costs a few buffers).

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::StreamExt as _;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use skyport_accounts::{BodySource, ByteStream};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Why a body could not be read.
#[derive(Debug)]
pub enum SpoolError {
    /// Larger than the cap.
    TooLarge,
    /// The client paused longer than allowed, or went away.
    Stalled,
    /// The spool file failed.
    Io(io::Error),
}

/// A body in a temporary file, deleted when the last attempt is done with it.
struct FileBody {
    path: tempfile::TempPath,
    len: u64,
}

impl BodySource for FileBody {
    fn len(&self) -> u64 {
        self.len
    }

    fn open(&self) -> ByteStream {
        let path = self.path.to_path_buf();
        futures::stream::once(async move { tokio::fs::File::open(path).await })
            .flat_map(|opened| match opened {
                Ok(file) => futures::stream::unfold(file, |mut file| async move {
                    let mut buf = BytesMut::zeroed(64 * 1024);
                    match file.read(&mut buf).await {
                        Ok(0) => None,
                        Ok(n) => {
                            buf.truncate(n);
                            Some((Ok(buf.freeze()), file))
                        }
                        Err(e) => Some((Err(e), file)),
                    }
                })
                .boxed(),
                Err(e) => futures::stream::once(futures::future::ready(Err(e))).boxed(),
            })
            .boxed()
    }
}

/// Reads a request body (at most `cap` bytes, pausing at most `idle` between chunks).
/// Returns it and its length; `None` for an empty body.
pub async fn read(
    mut body: Incoming,
    cap: u64,
    in_memory: usize,
    idle: Duration,
    dir: &Path,
) -> Result<(Option<Arc<dyn BodySource>>, u64), SpoolError> {
    let mut memory = BytesMut::new();
    let mut file: Option<(tokio::fs::File, tempfile::TempPath)> = None;
    let mut len: u64 = 0;
    loop {
        let frame = match tokio::time::timeout(idle, body.frame()).await {
            Err(_) => return Err(SpoolError::Stalled),
            Ok(None) => break,
            Ok(Some(Err(_))) => return Err(SpoolError::Stalled),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(chunk) = frame.into_data() else { continue };
        len += chunk.len() as u64;
        if len > cap {
            return Err(SpoolError::TooLarge);
        }
        if file.is_none() && memory.len() + chunk.len() > in_memory {
            let temp =
                tempfile::Builder::new().prefix("agent-body-").tempfile_in(dir).map_err(SpoolError::Io)?;
            let (std_file, path) = temp.into_parts();
            let mut f = tokio::fs::File::from_std(std_file);
            f.write_all(&memory).await.map_err(SpoolError::Io)?;
            memory = BytesMut::new();
            file = Some((f, path));
        }
        match &mut file {
            Some((f, _)) => f.write_all(&chunk).await.map_err(SpoolError::Io)?,
            None => memory.extend_from_slice(&chunk),
        }
    }
    if len == 0 {
        return Ok((None, 0));
    }
    Ok(match file {
        Some((mut f, path)) => {
            f.flush().await.map_err(SpoolError::Io)?;
            (Some(Arc::new(FileBody { path, len }) as Arc<dyn BodySource>), len)
        }
        None => (Some(Arc::new(Bytes::from(memory)) as Arc<dyn BodySource>), len),
    })
}
