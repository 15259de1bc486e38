output "web_acl_arn" {
  description = "ARN of the web ACL"
  value       = aws_wafv2_web_acl.this.arn
}

output "web_acl_id" {
  description = "Id of the web ACL"
  value       = aws_wafv2_web_acl.this.id
}

output "header_value" {
  description = "The current secret (header_values[0]), available once the web ACL and its associations admit it: give it to the distribution's origin header, so that CloudFront starts sending a new value only after the rule accepts it"
  value       = var.header_values[0]
  sensitive   = true

  depends_on = [aws_wafv2_web_acl.this, aws_wafv2_web_acl_association.this]
}
