//! `agent-authorizer`: the Lambda entry point, and a local mode for debugging and tests:
//! `agent-authorizer --event FILE` (or `-` for stdin) runs the handler once and prints the
//! response (or the `{"errorType", "errorMessage"}` refusal) on stdout.

use std::io::Read;
use std::process::ExitCode;

use agent_authorizer::{log_line, Authorizer, Config};
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::{json, Value};

const USAGE: &str = "usage: agent-authorizer [--event FILE|-]\n\
  Without arguments: runs as an AWS Lambda function (needs AWS_LAMBDA_RUNTIME_API).\n\
  --event FILE|-: runs the handler once on the event in FILE (- for stdin), prints the response.\n\
  Configuration: AUTHORIZER_* environment variables (see the crate README).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let event_path = match args.as_slice() {
        [] => None,
        [flag, path] if flag == "--event" => Some(path.clone()),
        [flag] if flag.starts_with("--event=") => Some(flag["--event=".len()..].to_string()),
        [flag] if flag == "-h" || flag == "--help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        [flag] if flag == "-V" || flag == "--version" => {
            println!("agent-authorizer {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            log_line(
                json!({"level": "error", "msg": "bad configuration", "variable": e.variable, "detail": e.detail}),
            );
            return ExitCode::from(78);
        }
    };
    let authorizer = match Authorizer::new(config) {
        Ok(a) => a,
        Err(e) => {
            log_line(
                json!({"level": "error", "msg": "bad configuration", "variable": e.variable, "detail": e.detail}),
            );
            return ExitCode::from(78);
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            log_line(
                json!({"level": "error", "msg": "cannot start the async runtime", "detail": e.to_string()}),
            );
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        match event_path {
            Some(path) => local(&authorizer, &path).await,
            None => lambda(authorizer).await,
        }
    })
}

async fn local(authorizer: &Authorizer, path: &str) -> ExitCode {
    let text = if path == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map(|_| s)
    } else {
        std::fs::read_to_string(path)
    };
    let event: Value = match text
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            log_line(
                json!({"level": "error", "msg": "cannot read the event", "path": path, "detail": e}),
            );
            return ExitCode::from(2);
        }
    };
    authorizer.hydrate().await;
    let out = match authorizer.handle(&event, "local").await {
        Ok(v) => v,
        Err(r) => r.to_json(),
    };
    println!("{out}");
    ExitCode::SUCCESS
}

async fn lambda(authorizer: Authorizer) -> ExitCode {
    // JWKS during init, before the first event.
    authorizer.hydrate().await;
    let handler = service_fn(|event: LambdaEvent<Value>| {
        let authorizer = authorizer.clone();
        async move {
            authorizer
                .handle(&event.payload, &event.context.request_id)
                .await
        }
    });
    match lambda_runtime::run(handler).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log_line(
                json!({"level": "error", "msg": "lambda runtime stopped", "detail": e.to_string()}),
            );
            ExitCode::FAILURE
        }
    }
}
