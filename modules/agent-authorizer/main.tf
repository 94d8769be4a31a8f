locals {
  is_http_api = var.authorizer_type == "HTTP_API"
  is_rest_api = !local.is_http_api

  # REST form "method.request.header.X" becomes the HTTP API form "$request.header.X".
  http_identity_source = replace(var.identity_source, "method.request.", "$request.")

  # The function answers {isAuthorized, context} exactly when AUTHORIZER_HTTP_API_SIMPLE_RESPONSES
  # is true; the authorizer must expect the same format.
  simple_responses = local.is_http_api && contains(["true", "1", "yes"], lower(lookup(var.environment, "AUTHORIZER_HTTP_API_SIMPLE_RESPONSES", "false")))

  source_arn = local.is_http_api ? "arn:${data.aws_partition.current.partition}:execute-api:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:${var.http_api_id}/authorizers/*" : "arn:${data.aws_partition.current.partition}:execute-api:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:${var.rest_api_id}/authorizers/*"
}

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.name}-authorizer"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_in_days
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  function_name    = var.name
  role             = aws_iam_role.this.arn
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = [var.architecture]
  filename         = var.lambda_zip_path
  source_code_hash = filebase64sha256(var.lambda_zip_path)
  memory_size      = var.memory_size
  timeout          = var.timeout
  tags             = var.tags

  environment {
    variables = var.environment
  }

  depends_on = [
    aws_iam_role_policy_attachment.logs,
    aws_cloudwatch_log_group.this,
  ]

  lifecycle {
    precondition {
      condition     = local.is_http_api ? var.http_api_id != null : var.rest_api_id != null
      error_message = "Set rest_api_id for TOKEN/REQUEST authorizers and http_api_id for HTTP_API."
    }
  }
}

resource "aws_lambda_permission" "apigateway" {
  statement_id  = "AllowAPIGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = local.source_arn
}

resource "aws_api_gateway_authorizer" "this" {
  count = local.is_rest_api ? 1 : 0

  name                             = var.name
  rest_api_id                      = var.rest_api_id
  type                             = var.authorizer_type
  authorizer_uri                   = aws_lambda_function.this.invoke_arn
  identity_source                  = var.identity_source
  authorizer_result_ttl_in_seconds = var.result_ttl_in_seconds
}

resource "aws_apigatewayv2_authorizer" "this" {
  count = local.is_http_api ? 1 : 0

  name                              = var.name
  api_id                            = var.http_api_id
  authorizer_type                   = "REQUEST"
  authorizer_uri                    = aws_lambda_function.this.invoke_arn
  authorizer_payload_format_version = "2.0"
  enable_simple_responses           = local.simple_responses
  identity_sources                  = [local.http_identity_source]
  authorizer_result_ttl_in_seconds  = var.result_ttl_in_seconds
}
