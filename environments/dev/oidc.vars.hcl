# Variables of examples/oidc.hcl for the dev environment (input of `vault-oidc generate terraform`).
app_url = "https://app.dev.example.com"
