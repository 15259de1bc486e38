################################################################################
# Distribution
################################################################################

output "id" {
  description = "Identifier of the distribution, for example `E2QWRUHAPOMQZL`"
  value       = aws_cloudfront_distribution.this.id
}

output "arn" {
  description = "ARN of the distribution; the `AWS:SourceArn` that origin policies must name"
  value       = aws_cloudfront_distribution.this.arn
}

output "domain_name" {
  description = "Domain name of the distribution, for example `d111111abcdef8.cloudfront.net`"
  value       = aws_cloudfront_distribution.this.domain_name
}

output "hosted_zone_id" {
  description = "Route 53 hosted zone id to use in alias records pointing at the distribution"
  value       = aws_cloudfront_distribution.this.hosted_zone_id
}
