//! Approves (or rejects) an authorization request on the local network without a browser,
//! and prints the callback URL: `skyport-approve <authorize-url> <user> <password> [--reject]`.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reject = args.iter().any(|a| a == "--reject");
    let rest: Vec<&String> = args.iter().filter(|a| *a != "--reject").collect();
    let [url, user, password] = rest.as_slice() else {
        eprintln!("usage: skyport-approve <authorize-url> <user> <password> [--reject]");
        return ExitCode::from(2);
    };
    let result = if reject {
        skyport_tests::approve::reject(url, user, password).await
    } else {
        skyport_tests::approve::approve(url, user, password).await
    };
    match result {
        Ok(callback) => {
            println!("{callback}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("skyport-approve: {e}");
            ExitCode::FAILURE
        }
    }
}
