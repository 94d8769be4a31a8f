//! Acceptance 1: the OpenID RP certification cases and the attack cases, with keys generated
//! in the test and a JWKS server on loopback.

mod common;

use std::time::Duration;

use common::*;
use oidc_checker::{
    Algorithm, CheckError, Checker, Expect, IssuerConfig, JwksTiming, TokenKind, Userinfo,
};
use serde_json::json;

fn setup(keys: &[&TestKey]) -> (TestServer, String) {
    let srv = TestServer::start();
    let iss = srv.issuer("/v1/identity/oidc/provider/default", keys);
    (srv, iss)
}

#[tokio::test]
async fn valid_token_per_algorithm() {
    for alg in Algorithm::ALL {
        let key = TestKey::generate(alg, "k1");
        let (srv, iss) = setup(&[&key]);
        let clock = clock();
        let checker = checker(&iss, &clock);
        let token = key.token(&claims(&iss));
        let p = checker
            .check(&token)
            .await
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(p.issuer, iss);
        assert_eq!(p.subject, "entity-1");
        assert_eq!(p.username, "alice");
        assert_eq!(p.groups, vec!["engineering", "admins"]);
        assert_eq!(p.audience, vec![AUD]);
        assert_eq!(p.expires_at, Some(NOW + 36_000));
        assert_eq!(p.kind, TokenKind::IdToken);
        // The JWKS URL came from discovery.
        assert_eq!(
            srv.hits("/v1/identity/oidc/provider/default/.well-known/openid-configuration"),
            1
        );
        assert_eq!(srv.hits("/v1/identity/oidc/provider/default/keys"), 1);
    }
}

#[tokio::test]
async fn bad_signature_per_algorithm() {
    for alg in Algorithm::ALL {
        let key = TestKey::generate(alg, "k1");
        let (_srv, iss) = setup(&[&key]);
        let clock = clock();
        let checker = checker(&iss, &clock);
        // Same header, different payload: a valid signature, but of another message.
        let good = key.token(&claims(&iss));
        let mut other = claims(&iss);
        other["sub"] = json!("mallory");
        let forged_payload = key.token(&other);
        let parts: Vec<&str> = good.split('.').collect();
        let fparts: Vec<&str> = forged_payload.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], fparts[1], parts[2]);
        assert_eq!(
            category(&forged, checker.check(&forged).await),
            "bad_signature",
            "{alg}"
        );
        // Flipped bit in the signature.
        let mut sig =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, parts[2])
                .unwrap();
        let mid = sig.len() / 2;
        sig[mid] ^= 1;
        let flipped = format!("{}.{}.{}", parts[0], parts[1], b64(&sig));
        assert_eq!(
            category(&flipped, checker.check(&flipped).await),
            "bad_signature",
            "{alg}"
        );
        // The genuine token still passes (the checker is not just refusing everything).
        checker.check(&good).await.unwrap();
    }
}

#[tokio::test]
async fn alg_none_and_hs256_with_rsa_public_key_are_refused() {
    let key = TestKey::generate(Algorithm::RS256, "k1");
    let (_srv, iss) = setup(&[&key]);
    let clock = clock();
    let checker = checker(&iss, &clock);
    let body = b64(claims(&iss).to_string().as_bytes());
    for alg in ["none", "None", "NONE"] {
        let h = b64(json!({"alg": alg, "kid": "k1"}).to_string().as_bytes());
        let t = format!("{h}.{body}.");
        assert_eq!(
            category(&t, checker.check(&t).await),
            "unsupported_algorithm"
        );
    }
    // HS256 "signed" with the RSA public key (the JWK's n as the HMAC secret, and the JWKS JSON).
    for secret in [
        key.jwk["n"].as_str().unwrap().to_string(),
        key.jwk.to_string(),
    ] {
        let h = b64(json!({"alg": "HS256", "kid": "k1"}).to_string().as_bytes());
        let input = format!("{h}.{body}");
        let mac = aws_lc_rs::hmac::sign(
            &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret.as_bytes()),
            input.as_bytes(),
        );
        let t = format!("{input}.{}", b64(mac.as_ref()));
        assert_eq!(
            category(&t, checker.check(&t).await),
            "unsupported_algorithm"
        );
    }
}

#[tokio::test]
async fn issuer_audience_and_required_claims() {
    let key = TestKey::generate(Algorithm::ES256, "k1");
    let (srv, iss) = setup(&[&key]);
    let clock = clock();
    let checker = checker(&iss, &clock);

    let mut c = claims(&iss);
    c["iss"] = json!(format!("{iss}x"));
    let t = key.token(&c);
    assert_eq!(category(&t, checker.check(&t).await), "issuer");

    let mut c = claims(&iss);
    c["aud"] = json!("someone-else");
    let t = key.token(&c);
    assert_eq!(category(&t, checker.check(&t).await), "audience");
    c["aud"] = json!(["someone-else", "another"]);
    let t = key.token(&c);
    assert_eq!(category(&t, checker.check(&t).await), "audience");
    c["aud"] = json!(["someone-else", AUD]);
    checker.check(&key.token(&c)).await.unwrap();

    for claim in ["aud", "iat", "sub", "exp", "iss"] {
        let mut c = claims(&iss);
        c.as_object_mut().unwrap().remove(claim);
        let t = key.token(&c);
        let e = checker.check(&t).await.unwrap_err();
        assert_eq!(
            e,
            CheckError::MissingClaim(match claim {
                "aud" => "aud",
                "iat" => "iat",
                "sub" => "sub",
                "exp" => "exp",
                _ => "iss",
            })
        );
    }
    // Issuer mismatch never fetches anything for the untrusted issuer.
    assert_eq!(srv.total_hits(), 2);
}

#[tokio::test]
async fn times_exp_nbf_iat_with_leeway() {
    let key = TestKey::generate(Algorithm::EdDSA, "k1");
    let (_srv, iss) = setup(&[&key]);
    let clock = clock();
    let checker = checker_with(
        IssuerConfig::new(&iss)
            .audience(AUD)
            .leeway(Duration::from_secs(30)),
        &clock,
        JwksTiming::default(),
    );
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut c = claims(&iss);
        f(&mut c);
        key.token(&c)
    };
    // Expired beyond leeway / within leeway.
    let t = with(&|c| c["exp"] = json!(NOW - 31));
    assert_eq!(category(&t, checker.check(&t).await), "expired");
    checker
        .check(&with(&|c| c["exp"] = json!(NOW - 29)))
        .await
        .unwrap();
    // nbf in the future.
    let t = with(&|c| c["nbf"] = json!(NOW + 31));
    assert_eq!(category(&t, checker.check(&t).await), "not_yet_valid");
    checker
        .check(&with(&|c| c["nbf"] = json!(NOW + 29)))
        .await
        .unwrap();
    // iat in the future.
    let t = with(&|c| c["iat"] = json!(NOW + 31));
    assert_eq!(category(&t, checker.check(&t).await), "issued_in_future");
    checker
        .check(&with(&|c| c["iat"] = json!(NOW + 29)))
        .await
        .unwrap();
    // Wrong types.
    let t = with(&|c| c["exp"] = json!("soon"));
    assert_eq!(category(&t, checker.check(&t).await), "invalid_claim");
    // Time moves: the valid token expires.
    let t = key.token(&claims(&iss));
    checker.check(&t).await.unwrap();
    clock.advance(Duration::from_secs(36_031));
    assert_eq!(category(&t, checker.check(&t).await), "expired");
}

#[tokio::test]
async fn missing_kid_single_key_accepted_several_refused() {
    let k1 = TestKey::generate(Algorithm::RS256, "k1");
    let header = json!({"alg": "RS256"});
    {
        let (_srv, iss) = setup(&[&k1]);
        let clock = clock();
        let checker = checker(&iss, &clock);
        checker
            .check(&k1.token_with_header(&header, &claims(&iss)))
            .await
            .unwrap();
    }
    {
        // An encryption key beside the one signing key does not make the choice ambiguous.
        let mut enc = TestKey::generate(Algorithm::RS256, "enc");
        enc.jwk["use"] = json!("enc");
        let (_srv, iss) = setup(&[&enc, &k1]);
        let clock = clock();
        let checker = checker(&iss, &clock);
        checker
            .check(&k1.token_with_header(&header, &claims(&iss)))
            .await
            .unwrap();
    }
    let k2 = TestKey::generate(Algorithm::RS256, "k2");
    let (_srv, iss) = setup(&[&k1, &k2]);
    let clock = clock();
    let checker = checker(&iss, &clock);
    let t = k1.token_with_header(&header, &claims(&iss));
    assert_eq!(category(&t, checker.check(&t).await), "ambiguous_key");
    checker.check(&k1.token(&claims(&iss))).await.unwrap();
}

#[tokio::test]
async fn key_rotation_refetches_and_accepts() {
    let old = TestKey::generate(Algorithm::ES384, "old");
    let (srv, iss) = setup(&[&old]);
    let clock = clock();
    let checker = checker(&iss, &clock);
    checker.check(&old.token(&claims(&iss))).await.unwrap();
    assert_eq!(srv.hits("/v1/identity/oidc/provider/default/keys"), 1);
    // The OP rotates: the new key appears in the JWKS; a token signed with it triggers a refetch.
    let new = TestKey::generate(Algorithm::ES384, "new");
    srv.set(
        "/v1/identity/oidc/provider/default/keys",
        &jwks(&[&old, &new]),
    );
    clock.advance(Duration::from_secs(11));
    checker.check(&new.token(&claims(&iss))).await.unwrap();
    assert_eq!(srv.hits("/v1/identity/oidc/provider/default/keys"), 2);
    // Both keys now served from the cache.
    checker.check(&old.token(&claims(&iss))).await.unwrap();
    checker.check(&new.token(&claims(&iss))).await.unwrap();
    assert_eq!(srv.hits("/v1/identity/oidc/provider/default/keys"), 2);
}

#[tokio::test]
async fn nonce_and_at_hash() {
    let key = TestKey::generate(Algorithm::RS256, "k1");
    let (_srv, iss) = setup(&[&key]);
    let clock = clock();
    let checker = checker(&iss, &clock);
    let access_token = "b.AAAAAQopaqueaccesstoken";
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, access_token.as_bytes());
    let mut c = claims(&iss);
    c["nonce"] = json!("n-0S6_WzA2Mj");
    c["at_hash"] = json!(b64(&d.as_ref()[..16]));
    let t = key.token(&c);
    checker
        .check_with(
            &t,
            Expect {
                nonce: Some("n-0S6_WzA2Mj"),
                access_token: Some(access_token),
            },
        )
        .await
        .unwrap();
    let e = checker
        .check_with(
            &t,
            Expect {
                nonce: Some("other"),
                access_token: None,
            },
        )
        .await;
    assert_eq!(category(&t, e), "nonce");
    let e = checker
        .check_with(
            &t,
            Expect {
                nonce: None,
                access_token: Some("b.other"),
            },
        )
        .await;
    assert_eq!(category(&t, e), "at_hash");
    let t2 = key.token(&claims(&iss));
    let e = checker
        .check_with(
            &t2,
            Expect {
                nonce: Some("n-0S6_WzA2Mj"),
                access_token: None,
            },
        )
        .await;
    assert_eq!(e.unwrap_err(), CheckError::MissingClaim("nonce"));
}

#[tokio::test]
async fn embedded_jwk_and_jku_never_used() {
    let real = TestKey::generate(Algorithm::RS256, "k1");
    let attacker = TestKey::generate(Algorithm::RS256, "evil");
    let (srv, iss) = setup(&[&real]);
    srv.set("/evil/jwks", &jwks(&[&attacker]));
    let clock = clock();
    let checker = checker(&iss, &clock);
    let c = claims(&iss);
    // Embedded jwk with the attacker's key, no kid (JWKS has one key) and kid = the real one.
    for header in [
        json!({"alg": "RS256", "jwk": attacker.jwk}),
        json!({"alg": "RS256", "kid": "k1", "jwk": attacker.jwk}),
        json!({"alg": "RS256", "kid": "k1", "x5c": ["MIIBIjAN"], "x5u": format!("{}/evil/cert", srv.url)}),
    ] {
        let t = attacker.token_with_header(&header, &c);
        assert_eq!(category(&t, checker.check(&t).await), "bad_signature");
    }
    // jku pointing at a JWKS holding the attacker's key: never fetched.
    let t = attacker.token_with_header(
        &json!({"alg": "RS256", "kid": "evil", "jku": format!("{}/evil/jwks", srv.url)}),
        &c,
    );
    assert_eq!(category(&t, checker.check(&t).await), "unknown_key");
    assert_eq!(srv.hits("/evil/jwks"), 0);
    assert_eq!(srv.hits("/evil/cert"), 0);
    // Only discovery and the real JWKS were requested (the unknown-kid refetch is rate-limited:
    // the JWKS was fetched less than 10 s before).
    assert_eq!(srv.total_hits(), 2);
    clock.advance(Duration::from_secs(11));
    let t = attacker.token_with_header(
        &json!({"alg": "RS256", "kid": "evil", "jku": format!("{}/evil/jwks", srv.url)}),
        &c,
    );
    assert_eq!(category(&t, checker.check(&t).await), "unknown_key");
    assert_eq!(srv.hits("/evil/jwks"), 0);
    assert_eq!(
        srv.total_hits(),
        3,
        "one refetch of the real JWKS for the unknown kid"
    );
}

#[tokio::test]
async fn crit_b64_oversize_and_encoding() {
    let key = TestKey::generate(Algorithm::ES256, "k1");
    let (srv, iss) = setup(&[&key]);
    let clock = clock();
    let checker = checker(&iss, &clock);
    let c = claims(&iss);
    let t = key.token_with_header(
        &json!({"alg": "ES256", "kid": "k1", "crit": ["exp"], "exp": 1}),
        &c,
    );
    assert_eq!(category(&t, checker.check(&t).await), "critical_header");
    let t = key.token_with_header(&json!({"alg": "ES256", "kid": "k1", "crit": []}), &c);
    assert_eq!(category(&t, checker.check(&t).await), "malformed");
    let t = key.token_with_header(
        &json!({"alg": "ES256", "kid": "k1", "b64": false, "crit": ["b64"]}),
        &c,
    );
    assert_eq!(category(&t, checker.check(&t).await), "critical_header");
    let t = key.token_with_header(&json!({"alg": "ES256", "kid": "k1", "b64": false}), &c);
    assert_eq!(category(&t, checker.check(&t).await), "unencoded_payload");

    // Oversize: refused before decoding or fetching anything.
    let mut big = claims(&iss);
    big["pad"] = json!("x".repeat(17 * 1024));
    let t = key.token(&big);
    assert_eq!(category(&t, checker.check(&t).await), "too_large");
    assert_eq!(srv.total_hits(), 0);
    // Garbage that is also huge.
    let t = "a".repeat(100_000);
    assert_eq!(category(&t, checker.check(&t).await), "too_large");

    let good = key.token(&c);
    checker.check(&good).await.unwrap();
    let parts: Vec<&str> = good.split('.').collect();
    // Non-canonical trailing bits in the last base64url character (64-byte ES256 signature:
    // its last character carries 2 data bits and 4 bits that must be zero).
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = parts[2].chars().last().unwrap();
    let idx = alphabet.find(last).unwrap();
    assert_eq!(idx % 16, 0, "canonical encoding of a 64-byte value");
    let noncanonical = format!(
        "{}.{}.{}{}",
        parts[0],
        parts[1],
        &parts[2][..parts[2].len() - 1],
        &alphabet[idx + 1..idx + 2]
    );
    assert_eq!(
        category(&noncanonical, checker.check(&noncanonical).await),
        "malformed"
    );
    for bad in [
        format!("{}.{}", parts[0], parts[1]),
        format!("{good}.x"),
        format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
        format!("{}.{} .{}", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}+", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}", parts[0], b64(b"[1,2]"), parts[2]),
        format!("{}.{}.{}", b64(b"not json"), parts[1], parts[2]),
        format!(".{}.{}", parts[1], parts[2]),
    ] {
        assert_eq!(
            category(&bad, checker.check(&bad).await),
            "malformed",
            "{bad}"
        );
    }
}

#[tokio::test]
async fn ecdsa_zero_signature_refused() {
    for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::ES512] {
        let key = TestKey::generate(alg, "k1");
        let (_srv, iss) = setup(&[&key]);
        let clock = clock();
        let checker = checker(&iss, &clock);
        let good = key.token(&claims(&iss));
        let len = match alg {
            Algorithm::ES256 => 64,
            Algorithm::ES384 => 96,
            _ => 132,
        };
        let (input, _) = good.rsplit_once('.').unwrap();
        let t = format!("{input}.{}", b64(&vec![0u8; len]));
        assert_eq!(
            category(&t, checker.check(&t).await),
            "bad_signature",
            "{alg}"
        );
        // DER-encoded r = s = 0 (the wrong encoding for JOSE) is refused too.
        let t = format!(
            "{input}.{}",
            b64(&[0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00])
        );
        assert_eq!(
            category(&t, checker.check(&t).await),
            "bad_signature",
            "{alg}"
        );
        checker.check(&good).await.unwrap();
    }
}

#[tokio::test]
async fn weak_and_wrong_use_keys_refused() {
    // RSA-1024: a correctly signed token is still refused, because of the key.
    let weak = TestKey::rsa1024("weak");
    let strong = TestKey::generate(Algorithm::RS256, "strong");
    let mut enc = TestKey::generate(Algorithm::RS256, "enc");
    enc.jwk["use"] = json!("enc");
    let (srv, iss) = setup(&[&weak, &strong, &enc]);
    let clock = clock();
    let checker = checker(&iss, &clock);
    let t = weak.token(&claims(&iss));
    let e = checker.check(&t).await.unwrap_err();
    assert_eq!(e.category(), "key_rejected");
    assert!(e.to_string().contains("1024 bits"), "{e}");
    let t = enc.token(&claims(&iss));
    let e = checker.check(&t).await.unwrap_err();
    assert_eq!(e.category(), "key_rejected");
    assert!(e.to_string().contains("use"), "{e}");
    checker.check(&strong.token(&claims(&iss))).await.unwrap();
    // Refused keys are known keys: no refetch for them.
    assert_eq!(srv.hits("/v1/identity/oidc/provider/default/keys"), 1);
    let st = &checker.jwks_status()[0];
    assert_eq!(st.keys, 1);
    assert_eq!(st.rejected.len(), 2);
}

#[tokio::test]
async fn header_alg_must_match_key() {
    let rsa = TestKey::generate(Algorithm::RS256, "rsa");
    let ec = TestKey::generate(Algorithm::ES256, "ec");
    let mut rsa_no_alg = TestKey::generate(Algorithm::RS384, "rsa-any");
    rsa_no_alg.jwk.as_object_mut().unwrap().remove("alg");
    let (_srv, iss) = setup(&[&rsa, &ec, &rsa_no_alg]);
    let clock = clock();
    let checker = checker(&iss, &clock);
    let c = claims(&iss);
    // Header says ES256 but names the RSA key.
    let t = ec.token_with_header(&json!({"alg": "ES256", "kid": "rsa"}), &c);
    assert_eq!(
        category(&t, checker.check(&t).await),
        "key_algorithm_mismatch"
    );
    // Header says RS384 but the JWK says RS256.
    let t = rsa.token_with_header(&json!({"alg": "RS384", "kid": "rsa"}), &c);
    assert_eq!(
        category(&t, checker.check(&t).await),
        "key_algorithm_mismatch"
    );
    // EdDSA header on an EC key.
    let t = ec.token_with_header(&json!({"alg": "EdDSA", "kid": "ec"}), &c);
    assert_eq!(
        category(&t, checker.check(&t).await),
        "key_algorithm_mismatch"
    );
    // A JWK without alg serves the RS* family only.
    checker.check(&rsa_no_alg.token(&c)).await.unwrap();
    // Algorithm allow-list per issuer.
    let only_es = checker_with(
        IssuerConfig::new(&iss)
            .audience(AUD)
            .algorithms([Algorithm::ES256]),
        &clock,
        JwksTiming::default(),
    );
    only_es.check(&ec.token(&c)).await.unwrap();
    let t = rsa.token(&c);
    assert_eq!(
        category(&t, only_es.check(&t).await),
        "algorithm_not_allowed"
    );
}

#[tokio::test]
async fn token_kinds_and_groups() {
    let key = TestKey::generate(Algorithm::RS256, "k1");
    let srv = TestServer::start();
    let identity = srv.issuer("/v1/identity/oidc", &[&key]);
    let provider = srv.issuer("/v1/identity/oidc/provider/p", &[&key]);
    let clock = clock();
    let checker = Checker::builder()
        .issuer(IssuerConfig::new(&identity).audience("role-client"))
        .issuer(
            IssuerConfig::new(&provider)
                .audience(AUD)
                .require_group("admins"),
        )
        .clock(clock.clone())
        .build()
        .unwrap();
    // Identity token.
    let mut c = claims(&identity);
    c["aud"] = json!("role-client");
    let p = checker.check(&key.token(&c)).await.unwrap();
    assert_eq!(p.kind, TokenKind::IdentityToken);
    // Client-credentials access token: sub = client_id.
    let cc = json!({"iss": provider, "sub": AUD, "aud": AUD, "iat": NOW, "exp": NOW + 60, "client_id": AUD, "groups": ["admins"]});
    let p = checker.check(&key.token(&cc)).await.unwrap();
    assert_eq!(p.kind, TokenKind::ClientCredentials);
    assert!(p.is_machine());
    assert_eq!(p.username, AUD);
    // Required group missing.
    let mut c = claims(&provider);
    c["groups"] = json!(["engineering"]);
    let t = key.token(&c);
    assert_eq!(category(&t, checker.check(&t).await), "group");
    // Kind allow-list.
    let only_id = Checker::builder()
        .issuer(
            IssuerConfig::new(&provider)
                .audience(AUD)
                .accept_kind(TokenKind::IdToken),
        )
        .clock(clock.clone())
        .build()
        .unwrap();
    let t = key.token(&cc);
    assert_eq!(category(&t, only_id.check(&t).await), "token_kind");
    only_id.check(&key.token(&claims(&provider))).await.unwrap();
}

#[tokio::test]
async fn namespaced_identity_tokens() {
    let key = TestKey::generate(Algorithm::ES256, "k1");
    let srv = TestServer::start();
    let iss = srv.issuer("/v1/team-a/identity/oidc", &[&key]);
    let clock = clock();
    let checker = checker(&iss, &clock);
    let p = checker.check(&key.token(&claims(&iss))).await.unwrap();
    assert_eq!(p.kind, TokenKind::IdentityToken);
}

#[tokio::test]
async fn cognito_tokens_normalised() {
    let key = TestKey::generate(Algorithm::RS256, "k1");
    let srv = TestServer::start();
    let iss = srv.issuer("/eu-west-1_AbC", &[&key]);
    let clock = clock();
    let checker = Checker::builder()
        .issuer(IssuerConfig::cognito(&iss).audience("app-client"))
        .clock(clock.clone())
        .build()
        .unwrap();
    let id = json!({"iss": iss, "sub": "uuid-1", "aud": "app-client", "token_use": "id", "iat": NOW, "exp": NOW + 60,
                    "cognito:username": "bob", "cognito:groups": ["ops"]});
    let p = checker.check(&key.token(&id)).await.unwrap();
    assert_eq!(
        (p.kind, p.username.as_str(), p.groups.clone()),
        (TokenKind::CognitoId, "bob", vec!["ops".to_string()])
    );
    let access = json!({"iss": iss, "sub": "uuid-1", "client_id": "app-client", "token_use": "access", "iat": NOW, "exp": NOW + 60,
                        "username": "bob", "cognito:groups": ["ops"], "scope": "openid"});
    let p = checker.check(&key.token(&access)).await.unwrap();
    assert_eq!(p.kind, TokenKind::CognitoAccess);
    assert_eq!(p.username, "bob");
    assert_eq!(p.audience, vec!["app-client"]);
    assert_eq!(p.groups, vec!["ops"]);
    let mut wrong = access.clone();
    wrong["client_id"] = json!("other-app");
    let t = key.token(&wrong);
    assert_eq!(category(&t, checker.check(&t).await), "audience");
    let mut no_use = id.clone();
    no_use.as_object_mut().unwrap().remove("token_use");
    let t = key.token(&no_use);
    assert_eq!(category(&t, checker.check(&t).await), "missing_claim");
}

#[tokio::test]
async fn opaque_tokens_checked_at_userinfo_and_cached_by_hash() {
    let key = TestKey::generate(Algorithm::RS256, "k1");
    let srv = TestServer::start();
    let iss = srv.issuer("/v1/identity/oidc/provider/p", &[&key]);
    let good = "b.AAAAAQJgoodopaquetoken";
    srv.set(
        &format!("/v1/identity/oidc/provider/p/userinfo#Bearer {good}"),
        &json!({"sub": "entity-9", "username": "carol", "groups": ["admins"]}),
    );
    let clock = clock();
    let checker = Checker::builder()
        .issuer(
            IssuerConfig::new(&iss)
                .audience(AUD)
                .userinfo(Userinfo::Discover),
        )
        .clock(clock.clone())
        .build()
        .unwrap();
    let p = checker.check(good).await.unwrap();
    assert_eq!(
        (p.kind, p.subject.as_str(), p.username.as_str()),
        (TokenKind::OpaqueAccess, "entity-9", "carol")
    );
    assert_eq!(p.expires_at, None);
    checker.check(good).await.unwrap();
    assert_eq!(
        srv.hits("/v1/identity/oidc/provider/p/userinfo"),
        1,
        "second check served from cache"
    );
    clock.advance(Duration::from_secs(61));
    checker.check(good).await.unwrap();
    assert_eq!(
        srv.hits("/v1/identity/oidc/provider/p/userinfo"),
        2,
        "cache entry expired"
    );
    let bad = "b.AAAAAQJrevokedtoken";
    assert_eq!(category(bad, checker.check(bad).await), "userinfo_rejected");
    assert_eq!(srv.auth_headers().last().unwrap(), &format!("Bearer {bad}"));
    // Without userinfo configured, opaque tokens are refused without any request.
    let jwt_only = checker_with(
        IssuerConfig::new(&iss).audience(AUD),
        &clock,
        JwksTiming::default(),
    );
    let hits = srv.total_hits();
    assert_eq!(
        category(good, jwt_only.check(good).await),
        "opaque_not_accepted"
    );
    assert_eq!(srv.total_hits(), hits);
}

#[test]
fn config_errors() {
    assert!(Checker::new([]).is_err());
    assert!(
        Checker::new([IssuerConfig::new("https://x")]).is_err(),
        "no audience"
    );
    assert!(Checker::new([IssuerConfig::new("https://x").audience("a").algorithms([])]).is_err());
    assert!(Checker::new([IssuerConfig::new("https://x")
        .audience("a")
        .leeway(Duration::from_secs(3600))])
    .is_err());
    assert!(Checker::new([
        IssuerConfig::new("https://x").audience("a"),
        IssuerConfig::new("https://x").audience("b")
    ])
    .is_err());
    assert!(Checker::new([IssuerConfig::new("https://x").audience("a")]).is_ok());
    assert_eq!("ES512".parse::<Algorithm>().unwrap(), Algorithm::ES512);
    assert!("HS256".parse::<Algorithm>().is_err());
    assert!("es256".parse::<Algorithm>().is_err());
}
