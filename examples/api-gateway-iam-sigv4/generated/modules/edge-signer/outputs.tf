output "qualified_arn" {
  description = "ARN of the published version: the distribution's lambda_function_association (origin-request, include_body) takes this"
  value       = aws_lambda_function.this.qualified_arn
}

output "role_arn" {
  description = "ARN of the execution role: the only principal the API's resource policy admits"
  value       = aws_iam_role.this.arn
}

output "function_name" {
  description = "Name of the function (in us-east-1)"
  value       = aws_lambda_function.this.function_name
}
