# Variables of examples/oidc.hcl for the prod environment (input of `vault-oidc generate terraform`).
app_url = "https://app.example.com"
