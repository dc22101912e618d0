//! Command-line syntax.

use clap::{Parser, Subcommand};

/// Sign in to atproto accounts (Bluesky and any PDS) and keep the sessions alive.
#[derive(Debug, Parser)]
#[command(name = "skyport", version, about, propagate_version = true)]
pub struct Cli {
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    pub json: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in (or sign in again) to an account in the browser.
    Login {
        /// A handle (alice.bsky.social), a DID, or a server URL (https://bsky.social).
        identifier: String,
        /// The scope to ask for (default "atproto transition:generic").
        #[arg(long)]
        scope: Option<String>,
        /// Do not open a browser; print the URL only (first line of output).
        #[arg(long)]
        no_browser: bool,
        /// Seconds to wait for the browser before giving up.
        #[arg(long, default_value_t = 600)]
        timeout: u64,
    },
    /// Deliver a callback URL, exactly as the operating system's deep link does.
    Complete {
        /// The callback URL (`<scheme>:/callback?...` or `http://127.0.0.1:.../callback?...`).
        callback_url: String,
    },
    /// Show the accounts and their sessions. Exits 1 when one needs you (a new sign-in, a
    /// locked or missing keychain), like `gh auth status`.
    Status,
    /// Make an account the active one.
    Switch {
        /// DID or handle.
        account: String,
    },
    /// Refresh an account's tokens now.
    Refresh {
        /// DID or handle (default: the active account).
        account: Option<String>,
    },
    /// Sign out: revoke at the server, then delete from this device.
    Logout {
        /// DID or handle (default: the active account).
        account: Option<String>,
        /// Sign out of every account.
        #[arg(long, conflicts_with = "account")]
        all: bool,
    },
    /// Show granted and requested scopes in plain words.
    Scopes {
        /// DID or handle (default: the active account).
        account: Option<String>,
    },
    /// Call an XRPC method as an account (GET for queries, POST with --input).
    Api {
        /// The method NSID, e.g. com.atproto.server.getSession.
        nsid: String,
        /// A query parameter, `key=value` (repeatable).
        #[arg(short = 'p', long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
        /// The body: JSON text, `-` (stdin) or `@file` (a file, sent as bytes; makes the call a POST).
        #[arg(long)]
        input: Option<String>,
        /// GET or POST (default: POST with --input, else GET).
        #[arg(long, short = 'X')]
        method: Option<String>,
        /// A request header, 'Name: value' (repeatable): atproto-proxy, atproto-accept-labelers,
        /// content-type, accept, accept-language.
        #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
        headers: Vec<String>,
        /// The body's content type (default: from the file's extension, or JSON).
        #[arg(long)]
        content_type: Option<String>,
        /// Follow `cursor` and print every page.
        #[arg(long)]
        paginate: bool,
        /// DID or handle (default: the active account).
        #[arg(long)]
        account: Option<String>,
    },
    /// Print or check a hosted client-metadata document.
    ClientMetadata {
        /// What to do.
        #[command(subcommand)]
        action: ClientMetadataAction,
    },
    /// Check the setup: keychain, data directory, network profile, client, clock.
    Doctor,
    /// The agent: a local XRPC gateway through which scripts and SDKs use your accounts
    /// with their own keys, never a token or an app password.
    Agent {
        /// What to do.
        #[command(subcommand)]
        action: AgentAction,
    },
    /// Run a command with a key that works only while it runs, handed over in environment
    /// variables (SKYPORT_AGENT_URL, SKYPORT_KEY, ATP_PDS_HOST, ATP_AUTH_HANDLE,
    /// ATP_AUTH_PASSWORD, ...). Serves the agent itself if none is running.
    Run {
        /// DID or handle (default: the active account).
        #[arg(long)]
        account: Option<String>,
        /// Queries only.
        #[arg(long)]
        read_only: bool,
        /// The command and its arguments (after `--`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true, value_name = "CMD")]
        command: Vec<String>,
    },
}

/// `agent` actions.
#[derive(Debug, Subcommand)]
pub enum AgentAction {
    /// Serve the agent in the foreground (one per data directory) until Ctrl-C.
    Run,
    /// Show whether the agent runs, its address, uptime and counters.
    Status,
    /// Connect a program: make its key (printed once) with these rules.
    Allow {
        /// A name for the program (unique), e.g. "feed-bot".
        name: String,
        /// DID or handle (default: the active account).
        #[arg(long)]
        account: Option<String>,
        /// Queries (GET) only.
        #[arg(long)]
        read_only: bool,
        /// Only these methods (NSID or pattern such as 'app.bsky.feed.*'; repeatable).
        /// Account-management methods need their exact name here.
        #[arg(long = "allow", value_name = "NSID")]
        allow: Vec<String>,
        /// Lifetime, e.g. 90m, 12h, 30d, 2w (default: until revoked).
        #[arg(long)]
        expires: Option<String>,
    },
    /// List connected programs: account, rules, created, last used, calls.
    Keys {
        /// Only this account's.
        #[arg(long)]
        account: Option<String>,
    },
    /// Revoke a program's key; its next request is refused.
    Revoke {
        /// The program's name.
        name: String,
    },
    /// Show the latest calls programs made through the agent.
    Activity {
        /// Only this account's.
        #[arg(long)]
        account: Option<String>,
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

/// `client-metadata` actions.
#[derive(Debug, Subcommand)]
pub enum ClientMetadataAction {
    /// Print the document to host at the configured client_id (SKYPORT_CLIENT_ID).
    Print {
        /// `client_name` to include.
        #[arg(long)]
        client_name: Option<String>,
        /// `client_uri` to include.
        #[arg(long)]
        client_uri: Option<String>,
    },
    /// Check a document (a file, or an https URL fetched as an authorization server would).
    ///
    /// A file does not know where it will be served: give that URL with `--url` to check
    /// the rule "client_id is the URL the document is served at" (atproto OAuth spec, "Client ID Metadata Document") and
    /// every rule that depends on it. Without `--url` the other rules are checked against
    /// the document's own client_id, and the output says that rule was not checked.
    Check {
        /// A file path or URL.
        source: String,
        /// The URL the file is (to be) served at; only for a file source.
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
}
