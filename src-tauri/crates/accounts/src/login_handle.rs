//! The login a front-end drives (desktop app, CLI, agent): [`Accounts::login`] starts it and
//! [`LoginHandle::wait`] waits for its callback, from this process's loopback listener
//! (loopback client, RFC 8252 §7.3) or from another process (a custom-scheme deep link the OS
//! hands to the app, `skyport complete`). Front-ends never build a listener themselves.

use std::sync::Arc;
use std::time::Duration;

use skyport_oauth::LoopbackListener;

use crate::login::LoginRequest;
use crate::view::{LoginCompleted, LoginStarted};
use crate::{Accounts, Error};

/// The path of the loopback redirect URI (`http://127.0.0.1:<port>/callback`).
const CALLBACK_PATH: &str = "/callback";

/// How long a front-end should wait for a login at most: as long as the server-side
/// pending login lives.
pub const LOGIN_WAIT: Duration = Duration::from_secs(skyport_oauth::LOGIN_TTL_SECS as u64);

/// A login waiting for the browser.
pub struct LoginHandle {
    accounts: Arc<Accounts>,
    started: LoginStarted,
    listener: Option<LoopbackListener>,
}

impl Accounts {
    /// Starts a login for a front-end: for the loopback client a listener on `127.0.0.1`
    /// is bound first (its port goes into the redirect URI). Open
    /// [`LoginStarted::authorization_url`] in the system browser, then [`LoginHandle::wait`].
    pub async fn login(self: &Arc<Self>, request: &LoginRequest) -> Result<LoginHandle, Error> {
        let listener = if self.oauth.config().is_loopback() {
            Some(LoopbackListener::bind().await.map_err(|source| Error::CallbackListener { source })?)
        } else {
            None
        };
        let request =
            LoginRequest { loopback_port: listener.as_ref().map(LoopbackListener::port), ..request.clone() };
        let started = self.start_login(&request).await?;
        Ok(LoginHandle { accounts: self.clone(), started, listener })
    }
}

impl std::fmt::Debug for LoginHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginHandle")
            .field("state", &self.started.state)
            .field("listens", &self.listens())
            .finish_non_exhaustive()
    }
}

impl LoginHandle {
    /// What the front-end shows: the URL to open, the server, the expected account.
    pub fn started(&self) -> &LoginStarted {
        &self.started
    }

    /// Whether this process receives the callback itself (loopback client), so someone must
    /// call [`wait`](Self::wait). Otherwise the OS delivers it as a deep link, which
    /// completes the login wherever it lands.
    pub fn listens(&self) -> bool {
        self.listener.is_some()
    }

    /// Waits until the login ends: this login's callback on the loopback listener (callbacks
    /// with another `state` are answered and ignored), a completion or cancellation by
    /// another process, or `timeout`, which cancels it.
    pub async fn wait(self, timeout: Duration) -> Result<LoginCompleted, Error> {
        let state = self.started.state.as_str();
        let elsewhere = self.accounts.wait_for_login(state, timeout);
        let Some(listener) = &self.listener else { return elsewhere.await };
        tokio::select! {
            url = listener.wait_for(CALLBACK_PATH, state) => match url {
                Ok(url) => self.accounts.complete_login(&url).await,
                Err(source) => {
                    let _ = self.accounts.cancel_login(state);
                    Err(Error::CallbackListener { source })
                }
            },
            done = elsewhere => done,
        }
    }

    /// Cancels the login: its callback, if it still comes, is refused.
    pub fn cancel(&self) -> Result<(), Error> {
        self.accounts.cancel_login(&self.started.state)
    }
}
