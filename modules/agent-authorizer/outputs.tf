output "function_arn" {
  description = "ARN of the authorizer Lambda function."
  value       = aws_lambda_function.this.arn
}

output "authorizer_id" {
  description = "Id of the API Gateway authorizer (REST or HTTP API)."
  value       = local.is_http_api ? aws_apigatewayv2_authorizer.this[0].id : aws_api_gateway_authorizer.this[0].id
}
