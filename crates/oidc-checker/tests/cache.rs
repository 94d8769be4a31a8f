//! Acceptance 3: JWKS cache rules — unknown-kid floods, outages, key removal.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use oidc_checker::{Algorithm, Checker, IssuerConfig, JwksTiming};

const KEYS: &str = "/v1/identity/oidc/provider/default/keys";

fn timing() -> JwksTiming {
    JwksTiming {
        max_age: Duration::from_secs(600),
        refetch_interval: Duration::from_secs(10),
        max_stale: Duration::from_secs(3600),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kid_flood_costs_one_fetch_per_window() {
    let key = TestKey::generate(Algorithm::ES256, "k1");
    let srv = TestServer::start();
    let iss = srv.issuer("/v1/identity/oidc/provider/default", &[&key]);
    let clock = clock();
    let checker = checker(&iss, &clock);
    checker.hydrate().await.unwrap();
    assert_eq!(srv.hits(KEYS), 1);

    // 1,000 tokens with unknown kids, checked concurrently (signed by a key the JWKS lacks).
    let attacker = TestKey::generate(Algorithm::ES256, "x");
    let flood = |round: usize| {
        let checker = checker.clone();
        let tokens: Vec<String> = (0..1000)
            .map(|i| {
                attacker.token_with_header(
                    &serde_json::json!({"alg": "ES256", "kid": format!("unknown-{round}-{i}")}),
                    &claims(&iss),
                )
            })
            .collect();
        async move {
            let tasks: Vec<_> = tokens
                .into_iter()
                .map(|t| {
                    let c = checker.clone();
                    tokio::spawn(
                        async move { c.check(&t).await.map(|_| ()).map_err(|e| e.category()) },
                    )
                })
                .collect();
            for t in tasks {
                assert_eq!(t.await.unwrap(), Err("unknown_key"));
            }
        }
    };
    // Within the window of the hydrate fetch: no fetch at all.
    flood(0).await;
    assert_eq!(srv.hits(KEYS), 1);
    // Next window: exactly one fetch for the whole flood.
    clock.advance(Duration::from_secs(11));
    flood(1).await;
    assert_eq!(srv.hits(KEYS), 2);
    flood(2).await;
    assert_eq!(srv.hits(KEYS), 2);
    clock.advance(Duration::from_secs(11));
    flood(3).await;
    assert_eq!(srv.hits(KEYS), 3);
    // The real key still works throughout, from the cache.
    checker.check(&key.token(&claims(&iss))).await.unwrap();
    assert_eq!(srv.hits(KEYS), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_use_is_single_flight() {
    let key = TestKey::generate(Algorithm::EdDSA, "k1");
    let srv = TestServer::start();
    let iss = srv.issuer("/v1/identity/oidc/provider/default", &[&key]);
    let clock = clock();
    let checker = checker(&iss, &clock);
    let token = key.token(&claims(&iss));
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let c = checker.clone();
            let t = token.clone();
            tokio::spawn(async move { c.check(&t).await.is_ok() })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap());
    }
    assert_eq!(srv.hits(KEYS), 1);
}

#[tokio::test]
async fn outage_keeps_cached_keys_serving_and_is_reported() {
    let key = TestKey::generate(Algorithm::RS256, "k1");
    let srv = TestServer::start();
    let iss = srv.issuer("/v1/identity/oidc/provider/default", &[&key]);
    let clock = clock();
    let failures: Arc<Mutex<Vec<String>>> = Arc::default();
    let f = failures.clone();
    let checker = Checker::builder()
        .issuer(IssuerConfig::new(&iss).audience(AUD))
        .clock(clock.clone())
        .jwks_timing(timing())
        .on_jwks_failure(move |issuer, detail| {
            f.lock().unwrap().push(format!("{issuer}: {detail}"))
        })
        .build()
        .unwrap();
    let token = key.token(&claims(&iss));
    checker.check(&token).await.unwrap();

    srv.set_down(true);
    // Past max_age: a refresh is attempted, fails, and the cached key keeps serving.
    clock.advance(Duration::from_secs(601));
    checker.check(&token).await.unwrap();
    assert_eq!(srv.hits(KEYS), 2);
    let st = &checker.jwks_status()[0];
    assert!(st.stale);
    assert!(st.last_error.as_deref().unwrap().contains("503"), "{st:?}");
    assert_eq!(failures.lock().unwrap().len(), 1);
    assert!(failures.lock().unwrap()[0].contains("HTTP 503"));
    // Retries are rate-limited during the outage.
    for _ in 0..50 {
        checker.check(&token).await.unwrap();
    }
    assert_eq!(srv.hits(KEYS), 2);
    clock.advance(Duration::from_secs(11));
    checker.check(&token).await.unwrap();
    assert_eq!(srv.hits(KEYS), 3);
    // Beyond max_stale the cached keys are no longer trusted.
    clock.advance(Duration::from_secs(3600));
    let e = checker.check(&token).await.unwrap_err();
    assert_eq!(e.category(), "jwks_unavailable");
    assert!(e.is_unavailable());
    // Recovery.
    srv.set_down(false);
    clock.advance(Duration::from_secs(11));
    checker.check(&token).await.unwrap();
    let st = &checker.jwks_status()[0];
    assert!(!st.stale && st.last_error.is_none());
}

#[tokio::test]
async fn jwks_unreachable_at_first_use() {
    let key = TestKey::generate(Algorithm::RS256, "k1");
    // A port nobody listens on.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/keys", dead.local_addr().unwrap());
    drop(dead);
    let clock = clock();
    let iss = "https://issuer.invalid/v1/identity/oidc/provider/p";
    let checker = checker_with(
        IssuerConfig::new(iss).audience(AUD).jwks_url(url),
        &clock,
        timing(),
    );
    let token = key.token(&claims(iss));
    assert_eq!(
        category(&token, checker.check(&token).await),
        "jwks_unavailable"
    );
    assert!(checker.hydrate().await.is_err());
}

#[tokio::test]
async fn removed_key_refused_after_max_age() {
    let old = TestKey::generate(Algorithm::ES512, "old");
    let new = TestKey::generate(Algorithm::ES512, "new");
    let srv = TestServer::start();
    let iss = srv.issuer("/v1/identity/oidc/provider/default", &[&old]);
    let clock = clock();
    let checker = checker_with(IssuerConfig::new(&iss).audience(AUD), &clock, timing());
    let old_token = old.token(&claims(&iss));
    checker.check(&old_token).await.unwrap();
    // The OP removes the old key.
    srv.set(KEYS, &jwks(&[&new]));
    clock.advance(Duration::from_secs(300));
    checker.check(&old_token).await.unwrap(); // still cached, within max_age
    clock.advance(Duration::from_secs(301));
    assert_eq!(
        category(&old_token, checker.check(&old_token).await),
        "unknown_key"
    );
    checker.check(&new.token(&claims(&iss))).await.unwrap();
    assert_eq!(srv.hits(KEYS), 2);
}
