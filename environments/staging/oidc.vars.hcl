# Variables of examples/oidc.hcl for the staging environment (input of `vault-oidc generate terraform`).
app_url = "https://app.staging.example.com"
