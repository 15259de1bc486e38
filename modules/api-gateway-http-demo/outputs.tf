output "api_id" {
  description = "Id of the HTTP API"
  value       = aws_apigatewayv2_api.this.id
}

output "execution_arn" {
  description = "Execution ARN of the API"
  value       = aws_apigatewayv2_api.this.execution_arn
}

output "stage_name" {
  description = "Name of the stage, $default (no path prefix)"
  value       = aws_apigatewayv2_stage.this.name
}

output "domain_name" {
  description = "The API's execute-api host name (ID.execute-api.REGION.amazonaws.com): CloudFront's origin domain"
  value       = split("/", aws_apigatewayv2_api.this.api_endpoint)[2]
}
