//! `migrate cognito`: from a Cognito Terraform setup to Vault OIDC.
