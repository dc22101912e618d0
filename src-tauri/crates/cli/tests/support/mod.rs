//! Running the real `skyport` binary against the local atproto network and the real
//! Secret Service, each test in its own data directory. Shared by several test binaries,
//! each of which uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use serde_json::Value;
use skyport_tests::approve;
use skyport_tests::localnet::{Account, Network};
use tokio::io::{AsyncBufReadExt as _, BufReader};

/// The one Secret Service is shared by every test in this binary: tests hold a shared
/// guard, and the test that locks the keychain holds the exclusive one.
static KEYRING: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// Shared use of the keychain.
pub async fn keyring_shared() -> tokio::sync::RwLockReadGuard<'static, ()> {
    KEYRING.read().await
}

/// Exclusive use of the keychain (to lock it).
pub async fn keyring_exclusive() -> tokio::sync::RwLockWriteGuard<'static, ()> {
    KEYRING.write().await
}

/// A Skyport data directory and the environment that points the CLI at the local network.
pub struct Home {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    /// Everything the CLI printed (stdout and stderr of `run`), for the secret scan.
    outputs: std::sync::Mutex<Vec<u8>>,
}

impl Home {
    /// A fresh home using the loopback client.
    pub fn new(net: &Network) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let env = vec![
            ("SKYPORT_HOME".into(), dir.path().display().to_string()),
            ("SKYPORT_DEV".into(), "1".into()),
            ("SKYPORT_PLC_URL".into(), net.plc_url().into()),
            ("SKYPORT_LEXICON_AUTHORITY".into(), net.info().lexicons.as_ref().unwrap().authority.clone()),
            ("SKYPORT_HANDLE_RESOLVER".into(), net.handle_resolver().into()),
        ];
        Self { dir, env, outputs: Default::default() }
    }

    /// A fresh home that needs no network: the production profile, the loopback client,
    /// for commands that only read files (`client-metadata check FILE`).
    pub fn offline() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let env = vec![
            ("SKYPORT_HOME".into(), dir.path().display().to_string()),
            ("SKYPORT_DEV".into(), "0".into()),
        ];
        Self { dir, env, outputs: Default::default() }
    }

    /// A fresh home using a hosted client_id (custom-scheme redirect).
    pub fn with_client_id(net: &Network, client_id: &str) -> Self {
        let mut home = Self::new(net);
        home.env.push(("SKYPORT_CLIENT_ID".into(), client_id.into()));
        home
    }

    /// The data directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The SQLite file.
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("skyport.db")
    }

    /// Adds or replaces an environment variable for every later command.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
    }

    /// Removes an environment variable override.
    pub fn env_remove(&mut self, key: &str) {
        self.env.retain(|(k, _)| k != key);
    }

    /// A `skyport` command in this home.
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_skyport"));
        cmd.args(args).envs(self.env.iter().map(|(k, v)| (k, v))).kill_on_drop(true);
        cmd
    }

    /// Runs `skyport args...` to the end.
    pub async fn run(&self, args: &[&str]) -> Output {
        let out = self.command(args).stdin(Stdio::null()).output().await.unwrap();
        let mut all = self.outputs.lock().unwrap();
        all.extend_from_slice(&out.stdout);
        all.extend_from_slice(&out.stderr);
        out
    }

    /// Everything the CLI printed through [`run`](Self::run) so far.
    pub fn printed(&self) -> Vec<u8> {
        self.outputs.lock().unwrap().clone()
    }

    /// Runs a `--json` command that must succeed; returns its (last line of) JSON.
    pub async fn json(&self, args: &[&str]) -> Value {
        let mut full = args.to_vec();
        full.push("--json");
        let out = self.run(&full).await;
        assert!(out.status.success(), "skyport {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        last_json(&out.stdout)
    }

    /// `skyport status --json`: its JSON, after checking its exit status says what the JSON
    /// does (1 when an account needs sign-in or the keychain is not available, else 0).
    pub async fn status(&self) -> Value {
        let out = self.run(&["status", "--json"]).await;
        let status = last_json(&out.stdout);
        let accounts = status["accounts"].as_array().cloned().unwrap_or_default();
        let attention = (!accounts.is_empty() && status["keychain"] != "available")
            || accounts.iter().any(|a| a["status"] == "needs_sign_in" || a["status"] == "keychain_locked");
        assert_eq!(
            out.status.code(),
            Some(i32::from(attention)),
            "status exits 1 exactly when something needs the user: {status}"
        );
        status
    }

    /// Runs a `--json` command that must fail; returns its error code.
    pub async fn error(&self, args: &[&str]) -> String {
        let mut full = args.to_vec();
        full.push("--json");
        let out = self.run(&full).await;
        assert!(
            !out.status.success(),
            "skyport {args:?} should fail: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "one-line error: {stderr}");
        last_json(&out.stdout)["error"]["code"].as_str().unwrap_or_default().to_owned()
    }

    /// Signs `who` in with the loopback client: the CLI prints the URL, the test approves
    /// it and delivers the redirect to the CLI's listener, as a browser would.
    pub async fn login(&self, who: &Account) -> Value {
        let (mut child, mut lines, url) = self.start_login(&who.handle, &[]).await;
        let callback = approve::approve(&url, &who.handle, &who.password).await.unwrap();
        let browser = reqwest::get(&callback).await.unwrap();
        assert_eq!(browser.status(), 200, "the CLI's listener answered the browser");
        let done: Value = serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
        assert!(child.wait().await.unwrap().success());
        done
    }

    /// Spawns `skyport login <identifier> --no-browser --json [extra]` and reads the
    /// authorization URL from its first line (panicking with its stderr if there is none).
    pub async fn start_login(
        &self,
        identifier: &str,
        extra: &[&str],
    ) -> (tokio::process::Child, tokio::io::Lines<BufReader<tokio::process::ChildStdout>>, String) {
        let mut args = vec!["login", identifier, "--no-browser", "--json"];
        args.extend_from_slice(extra);
        let mut child = self.command(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let Some(first) = lines.next_line().await.unwrap() else {
            let out = child.wait_with_output().await.unwrap();
            panic!("skyport login printed nothing: {}", String::from_utf8_lossy(&out.stderr));
        };
        let parsed: Value = serde_json::from_str(&first).unwrap();
        let Some(url) = parsed["authorization_url"].as_str().map(str::to_owned) else {
            let out = child.wait_with_output().await.unwrap();
            panic!("skyport login failed: {first} {}", String::from_utf8_lossy(&out.stderr));
        };
        (child, lines, url)
    }

    /// The session secrets the keychain holds for `did`: (access token, refresh token,
    /// base64url DPoP private key).
    pub fn keychain_secrets(&self, did: &str) -> Option<(String, String, String)> {
        let s = skyport_tests::secrets::session(&self.db(), did)?;
        Some((s[0].clone(), s[1].clone(), s[2].clone()))
    }

    /// Every secret of `did`'s session, raw key bytes included.
    pub fn all_secrets(&self, did: &str) -> Vec<String> {
        skyport_tests::secrets::session(&self.db(), did).unwrap_or_default()
    }
}

/// The last JSON line of an output.
pub fn last_json(stdout: &[u8]) -> Value {
    let text = String::from_utf8_lossy(stdout);
    let line =
        text.lines().rev().find(|l| l.starts_with('{')).unwrap_or_else(|| panic!("no JSON in {text:?}"));
    serde_json::from_str(line).unwrap()
}

/// The account entry of `did` in `skyport status --json` output.
pub fn entry<'a>(status: &'a Value, did: &str) -> &'a Value {
    status["accounts"].as_array().unwrap().iter().find(|a| a["did"] == did).unwrap_or(&Value::Null)
}
