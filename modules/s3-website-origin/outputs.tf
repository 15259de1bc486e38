################################################################################
# CloudFront origin
################################################################################

output "cloudfront_origin" {
  description = "One entry of the cloudfront-distribution module's `origins` map: the website endpoint over HTTP (website endpoints have no HTTPS) with the current secret as the Referer header. Not sensitive as a whole: the secret keeps the mark of the sensitive input it comes from, and the other fields stay readable"
  value = {
    domain_name = local.website_endpoint
    custom_origin_config = {
      origin_protocol_policy = "http-only"
    }
    custom_headers = [
      {
        name  = "Referer"
        value = var.referer_secrets[0]
      },
    ]
  }
}

################################################################################
# Bucket
################################################################################

output "bucket_name" {
  description = "Name of the bucket"
  value       = var.create_bucket ? aws_s3_bucket.this[0].bucket : var.bucket_name
}

output "bucket_arn" {
  description = "ARN of the bucket"
  value       = local.bucket_arn
}

output "website_endpoint" {
  description = "The bucket's website endpoint (HTTP only): it answers only requests that carry the secret Referer"
  value       = local.website_endpoint
}
