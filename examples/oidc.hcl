# Example vault-oidc configuration: one provider, a web app client, and identity tokens for agents.
# `vault-oidc dev` applies this file to a local OpenBao dev server.

variable "app_url" {
  default     = "https://app.example.com"
  description = "Base URL of the web app (its OAuth callback is under it)"
}

key "agents" {
  algorithm        = "ES256"
  rotation_period  = "24h"
  verification_ttl = "48h"
}

scope "profile" {
  description = "username and groups"
  template    = <<-EOT
    {"username": {{identity.entity.name}}, "groups": {{identity.entity.groups.names}}}
  EOT
}

assignment "engineers" {
  groups = ["engineers"]
}

client "webapp" {
  key              = "agents"
  client_type      = "confidential"
  redirect_uris    = ["${var.app_url}/oauth/callback", "http://127.0.0.1:8250/oidc/callback"]
  assignments      = ["engineers"]
  id_token_ttl     = "30m"
  access_token_ttl = "1h"
}

client "cli" {
  key           = "agents"
  client_type   = "public"
  redirect_uris = ["http://127.0.0.1:8250/oidc/callback"]
  assignments   = ["engineers"]
  id_token_ttl  = "30m"
}

provider "main" {
  clients = ["webapp", "cli"]
  scopes  = ["profile"]
}

role "agent" {
  key      = "agents"
  ttl      = "15m"
  template = <<-EOT
    {"username": {{identity.entity.name}}, "groups": {{identity.entity.groups.names}}}
  EOT
}
