output "authorizer_id" {
  description = "Id of the authorizer: every method (authorization CUSTOM) or route (authorization_type CUSTOM) must name it"
  value       = one(concat(aws_api_gateway_authorizer.rest[*].id, aws_apigatewayv2_authorizer.http[*].id))
}

output "function_name" {
  description = "Name of the authorizer function"
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the authorizer function"
  value       = aws_lambda_function.this.arn
}

output "role_arn" {
  description = "ARN of the function's execution role (grant kms:Decrypt to it when the secret uses a customer managed key)"
  value       = aws_iam_role.this.arn
}

output "log_group_name" {
  description = "Log group of the function's decisions (one JSON line per deny)"
  value       = aws_cloudwatch_log_group.this.name
}
