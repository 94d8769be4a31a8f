//! Tests of the test kit itself, against a real OpenBao dev server.

use bao_testkit::Bao;
use serde_json::{json, Value};

#[test]
fn start_api_and_drop_kills_server() {
    let bao = Bao::start();
    assert!(bao.addr().starts_with("http://127.0.0.1:"));
    assert_eq!(bao.root_token(), "root");
    assert!(!bao.unseal_key().is_empty());
    let health = bao.api("GET", "sys/health", None).unwrap();
    assert_eq!(health["sealed"], json!(false));
    assert!(health["version"].as_str().unwrap().starts_with("2."));

    // empty 204 answer -> Null
    let r = bao
        .api(
            "POST",
            "identity/oidc/key/k1",
            Some(json!({"algorithm": "ES256"})),
        )
        .unwrap();
    assert_eq!(r, Value::Null);
    let key = bao.api("GET", "identity/oidc/key/k1", None).unwrap();
    assert_eq!(key["data"]["algorithm"], "ES256");
    assert_eq!(bao.list("identity/oidc/key"), vec!["default", "k1"]);
    assert!(bao.list("identity/oidc/client").is_empty());

    // errors
    let e = bao.api("GET", "identity/oidc/key/nope", None).unwrap_err();
    assert_eq!(e.status, 404);
    let e = bao
        .api(
            "POST",
            "identity/oidc/key/bad",
            Some(json!({"algorithm": "XX999"})),
        )
        .unwrap_err();
    assert_eq!(e.status, 400);
    assert!(!e.errors.is_empty(), "{e}");
    let e = bao
        .api_with_token("not-a-token", "GET", "identity/oidc/key/k1", None)
        .unwrap_err();
    assert_eq!(e.status, 403, "{e}");
    assert!(
        e.errors.iter().any(|m| m.contains("permission denied")),
        "{e}"
    );

    // leading "/v1/" tolerated
    assert!(bao.api("GET", "/v1/identity/oidc/key/k1", None).is_ok());

    let port = bao.port();
    drop(bao);
    // nothing listens on the port any more
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn two_servers_side_by_side() {
    let a = Bao::start();
    let b = Bao::start();
    assert_ne!(a.addr(), b.addr());
    a.api(
        "POST",
        "identity/oidc/scope/s",
        Some(json!({"template": "{}"})),
    )
    .unwrap();
    assert_eq!(a.list("identity/oidc/scope"), vec!["s"]);
    assert!(b.list("identity/oidc/scope").is_empty());
}

#[test]
fn create_user_and_login() {
    let bao = Bao::start();
    let alice = bao.create_user("alice", "pw-alice", &["engineers", "admins"]);
    assert_eq!(alice.name, "alice");
    assert_eq!(alice.group_ids.len(), 2);
    let bob = bao.create_user("bob", "pw-bob", &["engineers"]);
    assert_eq!(bob.group_ids[0], alice.group_ids[0], "group reused by name");

    let group = bao
        .api("GET", "identity/group/name/engineers", None)
        .unwrap();
    let members = group["data"]["member_entity_ids"].as_array().unwrap();
    assert!(members.contains(&json!(alice.entity_id)));
    assert!(members.contains(&json!(bob.entity_id)));
    assert_eq!(group["data"]["type"], "internal");

    let token = bao.login_userpass("alice", "pw-alice");
    let me = bao
        .api_with_token(&token, "GET", "auth/token/lookup-self", None)
        .unwrap();
    assert_eq!(me["data"]["entity_id"], json!(alice.entity_id));
    let e = bao.try_login_userpass("alice", "wrong").unwrap_err();
    assert_eq!(e.status, 400, "{e}");

    let ent = bao
        .api(
            "GET",
            &format!("identity/entity/id/{}", alice.entity_id),
            None,
        )
        .unwrap();
    let groups = ent["data"]["group_ids"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
}
