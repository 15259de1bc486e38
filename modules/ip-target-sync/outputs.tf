################################################################################
# Function
################################################################################

output "function_arn" {
  description = "ARN of the sync function"
  value       = try(aws_lambda_function.this.arn, null)
}

output "function_name" {
  description = "Name of the sync function (its Errors metric counts failed runs)"
  value       = try(aws_lambda_function.this.function_name, null)
}

output "role_arn" {
  description = "ARN of the function's execution role"
  value       = try(aws_iam_role.this.arn, null)
}

output "log_group_name" {
  description = "Name of the log group that holds the function's JSON log lines"
  value       = try(aws_cloudwatch_log_group.this.name, null)
}
