################################################################################
# CloudFront origin
################################################################################

output "cloudfront_origin" {
  description = "One entry of the cloudfront-distribution module's `origins` map: the bucket's regional domain name and the Origin Access Control id (`oac`) or the Origin Access Identity path (`oai`, `oai_to_oac`)"
  value = {
    domain_name              = local.bucket_regional_domain_name
    origin_path              = var.origin_path
    origin_access_control_id = var.access == "oac" ? aws_cloudfront_origin_access_control.this[0].id : null
    origin_access_identity   = var.access == "oac" ? null : aws_cloudfront_origin_access_identity.this[0].cloudfront_access_identity_path
  }
}

output "origin_access_control_id" {
  description = "Id of the Origin Access Control, or null when `access` is `oai`"
  value       = one(aws_cloudfront_origin_access_control.this[*].id)
}

output "origin_access_identity_iam_arn" {
  description = "IAM ARN of the legacy Origin Access Identity (`oai`, `oai_to_oac`), or null"
  value       = one(aws_cloudfront_origin_access_identity.this[*].iam_arn)
}

################################################################################
# Bucket
################################################################################

output "bucket_name" {
  description = "Name of the bucket"
  value       = local.bucket_id
}

output "bucket_arn" {
  description = "ARN of the bucket"
  value       = local.bucket_arn
}

################################################################################
# KMS
################################################################################

output "kms_key_arn" {
  description = "ARN of the KMS key used for SSE-KMS (created or given), or null for SSE-S3"
  value       = try(local.kms_key_arn, null)
}

output "kms_key_policy_statement_json" {
  description = "When `kms_key_arn` is given: the key policy statement (JSON) to add to that key so CloudFront can decrypt for this distribution only. Null otherwise"
  value       = try(jsonencode(jsondecode(data.aws_iam_policy_document.kms_key_policy_statement[0].json).Statement[0]), null)
}
