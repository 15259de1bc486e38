output "values" {
  description = "The value of each API key, by generation; CloudFront sends one of them as x-api-key"
  value       = { for name, key in aws_api_gateway_api_key.this : name => key.value }
  sensitive   = true
}

output "key_ids" {
  description = "The id of each API key, by generation"
  value       = { for name, key in aws_api_gateway_api_key.this : name => key.id }
}

output "usage_plan_id" {
  description = "Id of the usage plan"
  value       = aws_api_gateway_usage_plan.this.id
}
