variable "name" {
  description = "Name of the Lambda function and of the API Gateway authorizer."
  type        = string
}

variable "lambda_zip_path" {
  description = "Path to the zip holding the `bootstrap` binary (`cargo lambda build --release --output-format zip`)."
  type        = string
}

variable "environment" {
  description = "AUTHORIZER_* environment variables (as emitted by `vault-oidc generate env --target authorizer`)."
  type        = map(string)
}

variable "authorizer_type" {
  description = "\"TOKEN\" or \"REQUEST\" (REST API authorizer) or \"HTTP_API\" (HTTP API REQUEST authorizer, payload 2.0)."
  type        = string

  validation {
    condition     = contains(["TOKEN", "REQUEST", "HTTP_API"], var.authorizer_type)
    error_message = "authorizer_type must be TOKEN, REQUEST or HTTP_API."
  }
}

variable "rest_api_id" {
  description = "REST API id (authorizer_type TOKEN or REQUEST)."
  type        = string
  default     = null
}

variable "http_api_id" {
  description = "HTTP API id (authorizer_type HTTP_API)."
  type        = string
  default     = null
}

variable "result_ttl_in_seconds" {
  description = "How long API Gateway caches a decision (0 disables the cache)."
  type        = number
  default     = 300
}

variable "identity_source" {
  description = "Where API Gateway reads the token. REST: method.request.header.Authorization; HTTP API: $request.header.Authorization (translated automatically from the REST form)."
  type        = string
  default     = "method.request.header.Authorization"
}

variable "architecture" {
  description = "Lambda architecture: x86_64 or arm64 (must match the binary in the zip)."
  type        = string
  default     = "arm64"
}

variable "memory_size" {
  description = "Lambda memory in MB."
  type        = number
  default     = 128
}

variable "timeout" {
  description = "Lambda timeout in seconds."
  type        = number
  default     = 5
}

variable "log_retention_in_days" {
  description = "CloudWatch log retention for the function's log group."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
