//! `MIGRATION.md`: every Cognito setting found and what became of it, the blocks removed and
//! changed, the environment variable renames, and the cut-over order.

use std::fmt::Write as _;

use super::rewrite::Rewrite;
use super::to_oidc::{Migration, Note, Outcome};

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Mapped => "migrated",
        Outcome::Unsupported => "**not representable**",
        Outcome::Flagged => "**review**",
    }
}

/// Remaining `aws_cognito_` mentions in the written Terraform: `(file:line, line text)`.
pub fn remaining_cognito(rw: &Rewrite) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, text) in &rw.files {
        for (i, l) in text.lines().enumerate() {
            if l.contains("aws_cognito_") {
                out.push((
                    format!("{}:{}", path.display(), i + 1),
                    l.trim().to_string(),
                ));
            }
        }
    }
    out
}

/// `path:line rest` → (path, line, rest) for a numeric sort.
fn source_key(s: &str) -> (String, usize, String) {
    let (head, rest) = s.split_once(' ').unwrap_or((s, ""));
    match head.rsplit_once(':') {
        Some((p, l)) => (p.to_string(), l.parse().unwrap_or(0), rest.to_string()),
        None => (head.to_string(), 0, rest.to_string()),
    }
}

pub fn render(mig: &Migration, rw: &Rewrite, dir: &str) -> String {
    let mut o = String::new();
    let notes: Vec<&Note> = mig.notes.iter().chain(rw.notes.iter()).collect();
    let count = |k: Outcome| notes.iter().filter(|n| n.outcome == k).count();
    let _ = writeln!(o, "# Migrating `{dir}` from Amazon Cognito to Vault OIDC\n");
    let _ = writeln!(
        o,
        "Written by `vault-oidc migrate cognito`. The input directory was not modified.\n"
    );
    let _ = writeln!(
        o,
        "- {} pool(s), {} client(s), {} role(s) for machine clients, {} assignment(s), {} scope(s).",
        mig.pools.len(),
        mig.config.clients.len(),
        mig.config.roles.len(),
        mig.config.assignments.len(),
        mig.config.scopes.len()
    );
    let _ = writeln!(
        o,
        "- {} setting(s) migrated, {} not representable in Vault, {} to review.",
        count(Outcome::Mapped),
        count(Outcome::Unsupported),
        count(Outcome::Flagged)
    );
    let _ = writeln!(
        o,
        "- Terraform: {} block(s) removed, {} changed, {} added; every other block is byte-identical to the input.\n",
        rw.removed.len(),
        rw.changed.len(),
        rw.added.len()
    );
    o.push_str("## Files\n\n");
    o.push_str("- `oidc.hcl`: Vault's OIDC keys, scopes, assignments, clients, providers and roles. Check it with `vault-oidc validate`, then `vault-oidc plan` / `apply`.\n");
    let _ = writeln!(o, "- `{}`: `module \"vault_oidc\"` declaring the same objects for Terraform (use either it or `vault-oidc apply`, not both). Its `source` (and the agent-authorizer's) is set by `--vault-oidc-source` / `--agent-authorizer-source`: point it at this repository's `modules/vault-oidc` and `modules/agent-authorizer`.", rw.module_file.display());
    for e in &rw.emptied {
        let _ = writeln!(
            o,
            "- `{}`: held only Cognito blocks; not written.",
            e.display()
        );
    }
    o.push('\n');

    o.push_str("## Cognito settings\n\n| where | setting | outcome | what it became / what to do |\n|---|---|---|---|\n");
    let mut sorted = notes.clone();
    sorted.sort_by_key(|n| (source_key(&n.source), n.outcome));
    for n in sorted {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            cell(&n.source),
            cell(&n.setting),
            outcome(n.outcome),
            cell(&n.detail)
        );
    }
    o.push('\n');
    o.push_str("Always true after the move, whatever the configuration:\n\n");
    o.push_str("- **`sub` changes**: Vault's `sub` is the entity id, not the Cognito user's `sub`. Anything keyed by `sub` (databases, audit trails, S3 prefixes) must be re-keyed by username or email before the cut-over.\n");
    o.push_str("- **Local user passwords** cannot be exported from Cognito: users get new credentials in the Vault auth method (or keep signing in through the same upstream IdP).\n");
    o.push_str("- **No refresh tokens, no token revocation endpoint, no logout URL**: sessions end when the ID token expires; `vault-oidc logout` revokes the Vault token.\n");
    o.push_str("- **Hosted UI, custom domains, password policy, MFA, Lambda triggers**: these belong to the Vault auth method (or the upstream IdP), not to the OIDC provider.\n");
    o.push_str("- **Implicit flow**: not supported; public clients use the authorization-code flow with PKCE.\n");
    o.push_str("- **Resource-server scopes**: Vault tokens carry no OAuth scopes; authorize on groups (`AUTHORIZER_ROUTE_RULES`) or, for machine clients, on the `scope` claim of their role.\n");
    o.push_str("- **`cognito:username` / `cognito:groups`** stay available in ID tokens when the client asks for the `cognito` scope (add it to `VAULT_OIDC_SCOPES`).\n\n");

    o.push_str("## Terraform blocks\n\n");
    for (title, list) in [
        ("Removed", &rw.removed),
        ("Changed", &rw.changed),
        ("Added", &rw.added),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(o, "{title}:\n");
        for c in list {
            if c.source.is_empty() {
                let _ = writeln!(o, "- `{}`: {}", c.address, c.what);
            } else {
                let _ = writeln!(o, "- {} `{}`: {}", c.source, c.address, c.what);
            }
        }
        o.push('\n');
    }
    let rem = remaining_cognito(rw);
    if !rem.is_empty() {
        o.push_str("### `aws_cognito_*` still in the Terraform\n\nThese could not be mapped (see **review** above); they keep the original expression and fail `terraform validate` until edited:\n\n");
        for (w, l) in rem {
            let _ = writeln!(o, "- {w}: `{l}`");
        }
        o.push('\n');
    }

    o.push_str("## Environment variables\n\n");
    if !rw.renames.is_empty() {
        o.push_str(
            "Renamed in the Terraform:\n\n| function | old | new | value |\n|---|---|---|---|\n",
        );
        for r in &rw.renames {
            let _ = writeln!(
                o,
                "| `{}` | `{}` | `{}` | {} |",
                r.function,
                r.old,
                r.new,
                cell(&r.value)
            );
        }
        o.push('\n');
    }
    o.push_str("Applications configured by hand or outside this directory:\n\n| Cognito-era setting | Vault OIDC | from |\n|---|---|---|\n");
    for (old, new, from) in [
        (
            "user pool id / `COGNITO_ISSUER` (`https://cognito-idp.REGION.amazonaws.com/POOL_ID`)",
            "`VAULT_OIDC_ISSUER`",
            "`module.vault_oidc.issuers[POOL]`",
        ),
        (
            "`https://DOMAIN/.well-known/openid-configuration`",
            "`VAULT_OIDC_DISCOVERY_URL`",
            "`module.vault_oidc.discovery_urls[POOL]`",
        ),
        (
            "`…/.well-known/jwks.json`",
            "`VAULT_OIDC_JWKS_URL`",
            "`module.vault_oidc.jwks_urls[POOL]`",
        ),
        (
            "app client id",
            "`VAULT_OIDC_CLIENT_ID`",
            "`module.vault_oidc.client_ids[CLIENT]`",
        ),
        (
            "app client secret",
            "`VAULT_OIDC_CLIENT_SECRET`",
            "`module.vault_oidc.client_secrets[CLIENT]`",
        ),
        (
            "callback URL",
            "`VAULT_OIDC_REDIRECT_URI`",
            "one of the client's redirect_uris",
        ),
        (
            "OAuth scopes",
            "`VAULT_OIDC_SCOPES`",
            "`openid` plus the provider's scopes, e.g. `openid email profile cognito`",
        ),
        (
            "authorizer: pool issuer",
            "`AUTHORIZER_ISSUERS`",
            "`module.vault_oidc.issuers[POOL]` (and `identity_token_issuers` for roles)",
        ),
        (
            "authorizer: app client ids",
            "`AUTHORIZER_AUDIENCES`",
            "`module.vault_oidc.client_ids` / `role_client_ids`",
        ),
        (
            "authorizer: `cognito:username` / `cognito:groups`",
            "`AUTHORIZER_USERNAME_CLAIM` / `AUTHORIZER_GROUPS_CLAIM`",
            "`username` / `groups` (the `cognito` scope), or keep the cognito: names",
        ),
        (
            "authorizer: scope checks",
            "`AUTHORIZER_REQUIRED_GROUPS`",
            "groups instead of scopes",
        ),
    ] {
        let _ = writeln!(o, "| {old} | {new} | {from} |");
    }
    o.push('\n');

    o.push_str("## Cut-over, with a dual-issuer window\n\n");
    o.push_str("1. **Prepare Vault, Cognito untouched.** Create the identity groups the assignments name and the users in a Vault auth method (same usernames and groups, new passwords). `vault-oidc validate && vault-oidc apply -c oidc.hcl` (or `terraform apply -target=module.vault_oidc`). Note the new client ids and secrets (`module.vault_oidc.client_ids`, `client_secrets`).\n");
    o.push_str("2. **Open the window in the authorizer.** Deploy the agent-authorizer accepting both issuers: `AUTHORIZER_ISSUERS` = Vault's issuer, `AUTHORIZER_AUDIENCES` = the new client ids, and `AUTHORIZER_COGNITO_ISSUERS` = the old `https://cognito-idp.REGION.amazonaws.com/POOL_ID`, `AUTHORIZER_COGNITO_CLIENT_IDS` = the old app client ids, `AUTHORIZER_COGNITO_UNTIL` = the end of the window (RFC 3339; at least the longest Cognito refresh-token validity, or the date after which re-login is acceptable). HTTP API JWT authorizers accept one issuer: route them through the agent-authorizer (`authorizer_type = \"HTTP_API\"`) for the window, or accept a hard switch.\n");
    o.push_str("\n   The legacy values of this configuration, read from the current state in the original directory (for example `echo 'aws_cognito_user_pool.NAME.endpoint' | terraform console`) before Cognito is removed:\n\n");
    for p in &mig.pools {
        let _ = writeln!(
            o,
            "   - `AUTHORIZER_COGNITO_ISSUERS`: `https://${{{}.endpoint}}`",
            p.address
        );
        let ids: Vec<String> = if p.address.starts_with("module.") {
            vec![format!("`join(\",\", {}.client_ids)`", p.address)]
        } else {
            mig.client_resources
                .iter()
                .filter(|(_, (pi, _))| mig.pools.get(*pi).is_some_and(|x| x.address == p.address))
                .flat_map(|(addr, (_, keys))| {
                    keys.keys().map(move |k| {
                        if k.is_empty() {
                            format!("`{addr}.id`")
                        } else {
                            format!("`{addr}[{k:?}].id`")
                        }
                    })
                })
                .collect()
        };
        let _ = writeln!(
            o,
            "   - `AUTHORIZER_COGNITO_CLIENT_IDS`: {}",
            ids.join(", ")
        );
    }
    o.push('\n');
    o.push_str("3. **Switch the applications** to the `VAULT_OIDC_*` settings above, one at a time; new sign-ins get Vault tokens while existing Cognito sessions keep working.\n");
    o.push_str("4. **Re-key `sub`** in application data (see above) before the window closes.\n");
    o.push_str("5. **Close the window**: after `AUTHORIZER_COGNITO_UNTIL`, Cognito tokens are refused (401 `cognito_window_closed`). Remove the three `AUTHORIZER_COGNITO_*` variables.\n");
    o.push_str("6. **Remove Cognito**: `terraform plan` with this rewritten configuration shows the Cognito resources destroyed and the authorizers switched; export anything you still need from the pool first, then apply. To keep the pool in AWS for a while but out of Terraform, add a `removed { from = ADDRESS  lifecycle { destroy = false } }` block per Cognito resource listed above instead.\n");
    o
}
