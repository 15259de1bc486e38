output "rest_api_id" {
  description = "Id of the REST API"
  value       = aws_api_gateway_rest_api.this.id
}

output "execution_arn" {
  description = "Execution ARN of the API (arn:aws:execute-api:REGION:ACCOUNT:ID), for Lambda permissions and IAM policies"
  value       = aws_api_gateway_rest_api.this.execution_arn
}

output "stage_name" {
  description = "Name of the stage, once it exists (so that what uses it waits for the stage)"
  value       = aws_api_gateway_stage.this.stage_name
}

output "stage_arn" {
  description = "ARN of the stage (arn:aws:apigateway:REGION::/restapis/ID/stages/STAGE), for a WAF web ACL association"
  value       = aws_api_gateway_stage.this.arn
}

output "domain_name" {
  description = "The API's execute-api host name (ID.execute-api.REGION.amazonaws.com): CloudFront's origin domain"
  value       = split("/", aws_api_gateway_stage.this.invoke_url)[2]
}
