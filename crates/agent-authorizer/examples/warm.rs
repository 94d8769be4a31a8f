//! Warm decisions per second for bench.sh: `warm ISSUER TOKEN` (audience `bench-client`).

use std::time::{Duration, Instant};

use agent_authorizer::{Authorizer, Config};
use serde_json::json;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [issuer, token] = args.as_slice() else {
        eprintln!("usage: warm ISSUER TOKEN");
        std::process::exit(2);
    };
    let config = Config::from_lookup(|k| match k {
        "AUTHORIZER_ISSUERS" => Some(issuer.clone()),
        "AUTHORIZER_AUDIENCES" => Some("bench-client".into()),
        _ => None,
    })
    .expect("config");
    let authorizer = Authorizer::new(config).expect("authorizer");
    let event = json!({"type": "TOKEN", "authorizationToken": format!("Bearer {token}"),
        "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abc/prod/GET/items"});
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        assert!(authorizer.hydrate().await, "JWKS not reachable");
        assert!(authorizer.decide(&event).await.outcome.is_ok());
        let started = Instant::now();
        let mut n = 0u64;
        while started.elapsed() < Duration::from_secs(2) {
            for _ in 0..100 {
                let d = authorizer.decide(&event).await;
                assert_eq!(d.decision, "allow");
                n += 1;
            }
        }
        println!("{:.0}", n as f64 / started.elapsed().as_secs_f64());
    });
}
