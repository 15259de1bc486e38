# Answered from the provider's configuration and its bundled endpoint table,
# without an AWS call, so plans stay offline. A region newer than the
# provider's table gives an empty partition: upgrade the provider for it.
data "aws_partition" "current" {}

locals {
  # `bucket` (not `id`) is known at plan time and still orders a reader after
  # the bucket's creation. The created bucket's sub-resources name
  # aws_s3_bucket.this[0] directly instead of using the local: checkov links
  # them to the bucket (public access block, versioning, encryption checks)
  # only through a direct reference.
  bucket_id  = var.create_bucket ? aws_s3_bucket.this[0].bucket : var.bucket_name
  bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}"
  bucket_regional_domain_name = (
    var.create_bucket
    ? aws_s3_bucket.this[0].bucket_regional_domain_name
    # The region is an input: aws_region's `name` is deprecated in provider 6.x
    # and its replacement `region` does not exist in 5.x.
    : "${var.bucket_name}.s3.${coalesce(var.region, "unset")}.${data.aws_partition.current.dns_suffix}"
  )

  use_kms     = var.create_kms_key || var.kms_key_arn != null
  kms_key_arn = var.create_kms_key ? aws_kms_key.this[0].arn : var.kms_key_arn

  # The key policy names the distribution's account and partition, read from
  # its ARN: no aws_caller_identity call at plan time.
  distribution_partition  = split(":", var.distribution_arn)[1]
  distribution_account_id = split(":", var.distribution_arn)[4]
}

################################################################################
# Bucket
################################################################################

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:Server access logs need a second, log-receiving bucket this module does not own; viewer reads are logged by the distribution (logging input) and S3 API calls by CloudTrail.
  #checkov:skip=CKV_AWS_144:A CloudFront origin is served from one region; cross-region replication is a disaster-recovery choice with its own bucket, role and cost, outside this module.
  #checkov:skip=CKV2_AWS_62:Nothing consumes object events for a CloudFront origin; notifications would need a destination this module does not own.
  count = var.create_bucket ? 1 : 0

  bucket        = var.bucket_name
  force_destroy = var.force_destroy

  tags = var.tags
}

resource "aws_s3_bucket_versioning" "this" {
  count = var.create_bucket && var.versioning ? 1 : 0

  bucket = aws_s3_bucket.this[0].bucket

  versioning_configuration {
    status = "Enabled"
  }
}

# Overwritten and deleted versions expire, and multipart uploads left
# incomplete (billed while they wait) are aborted. Created buckets only: a
# lifecycle configuration replaces the bucket's whole one, and an adopted
# bucket keeps its own.
resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count = var.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].bucket

  rule {
    id     = var.lifecycle_rule_id
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }
  }

  # A rule on noncurrent versions wants versioning set first, and S3 aborts
  # concurrent configuration changes on one bucket (OperationAborted).
  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  # A created bucket: SSE-KMS with the given or created key, else SSE-S3.
  count = var.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].bucket

  rule {
    bucket_key_enabled = local.use_kms ? true : null

    apply_server_side_encryption_by_default {
      sse_algorithm     = local.use_kms ? "aws:kms" : "AES256"
      kms_master_key_id = local.use_kms ? local.kms_key_arn : null
    }
  }
}

################################################################################
# Public access and ownership
################################################################################

resource "aws_s3_bucket_public_access_block" "this" {
  count = var.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].bucket

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  count = var.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].bucket

  rule {
    object_ownership = "BucketOwnerEnforced"
  }

  # S3 rejects concurrent configuration changes on one bucket (OperationAborted).
  depends_on = [aws_s3_bucket_public_access_block.this]
}

################################################################################
# CloudFront Origin Access Control and (legacy) Origin Access Identity
################################################################################

resource "aws_cloudfront_origin_access_control" "this" {
  count = var.access == "oai" ? 0 : 1

  name                              = var.origin_access_control_name
  description                       = coalesce(var.origin_access_control_description, "SigV4-signed reads of s3://${var.bucket_name}")
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

# The legacy identity. During `oai_to_oac` the origin still signs with it
# while the bucket policy already admits the OAC: the bucket policy depends on
# the distribution's ARN, so Terraform always updates it *after* the
# distribution (which waits until deployed). Switching the origin and adding
# the CloudFront statement in one apply would deny OAC-signed requests for the
# whole deployment; in two steps no request is ever denied.
resource "aws_cloudfront_origin_access_identity" "this" {
  count = var.access == "oac" ? 0 : 1

  comment = coalesce(var.origin_access_identity_comment, "Legacy reads of s3://${var.bucket_name}; migrate to Origin Access Control")
}

################################################################################
# Bucket policy
################################################################################

# One document per access mode (two for `oac`: with and without direct
# readers), each with static statements only: cfgen's plan proofs and checkov
# read them from the configuration while the distribution ARN and the OAI's
# IAM ARN are still unknown, which a `dynamic` block would hide (the plan's
# configuration does not show dynamic blocks). Exactly one document exists.
#
# Each merges in the statements an adopted bucket had (`kept_policy_json`,
# written in the caller as a constant, so the proofs read them too): the
# policy replaces the bucket's, and nothing of the owner's is dropped. The
# expression names the variable directly for the same reason (a plan does
# not show what a local holds).
#
# Every document holds the read guard, DenyObjectReadsNotThroughThisDistribution:
# the actions that hand out an object's bytes (a presigned URL is a GetObject
# by its signer) are denied to every principal unless AWS:SourceArn is this
# distribution, or aws:PrincipalArn is one of `direct_reader_arns` or, in the
# OAI modes, this origin's OAI. Conditions of one statement are ANDed, and a
# key missing from the request makes a *NotEquals test true: a principal of
# the account (whose request has no AWS:SourceArn) is denied whatever its IAM
# policy allows, unless listed; an anonymous request (neither key) is denied.
# aws:PrincipalArn is present in every signed request and is a role's ARN, not
# its session's. The OAI signs without a SourceArn; it is named by the ARN a
# bucket policy gives it as a principal. S3 gets no empty list of principals:
# without direct readers, `oac` uses the document without that condition.

data "aws_iam_policy_document" "bucket_policy" {
  count = var.access == "oac" && length(var.direct_reader_arns) == 0 ? 1 : 0

  source_policy_documents = var.kept_policy_json == null ? [] : [var.kept_policy_json]

  statement {
    sid       = "AllowCloudFrontServicePrincipalReadOnly"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [var.distribution_arn]
    }
  }

  statement {
    sid    = "DenyObjectReadsNotThroughThisDistribution"
    effect = "Deny"
    actions = [
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:GetObjectTorrent",
      "s3:GetObjectVersionTorrent",
      "s3:GetObjectVersionForReplication",
    ]
    resources = ["${local.bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "AWS:SourceArn"
      values   = [var.distribution_arn]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.bucket_arn, "${local.bucket_arn}/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

data "aws_iam_policy_document" "bucket_policy_direct_readers" {
  count = var.access == "oac" && length(var.direct_reader_arns) > 0 ? 1 : 0

  source_policy_documents = var.kept_policy_json == null ? [] : [var.kept_policy_json]

  statement {
    sid       = "AllowCloudFrontServicePrincipalReadOnly"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [var.distribution_arn]
    }
  }

  statement {
    sid    = "DenyObjectReadsNotThroughThisDistribution"
    effect = "Deny"
    actions = [
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:GetObjectTorrent",
      "s3:GetObjectVersionTorrent",
      "s3:GetObjectVersionForReplication",
    ]
    resources = ["${local.bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "AWS:SourceArn"
      values   = [var.distribution_arn]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = var.direct_reader_arns
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.bucket_arn, "${local.bucket_arn}/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

data "aws_iam_policy_document" "bucket_policy_oai" {
  count = var.access == "oai" ? 1 : 0

  source_policy_documents = var.kept_policy_json == null ? [] : [var.kept_policy_json]

  statement {
    sid       = "AllowOriginAccessIdentityReadOnly"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn}/*"]

    principals {
      type        = "AWS"
      identifiers = [aws_cloudfront_origin_access_identity.this[0].iam_arn]
    }
  }

  statement {
    sid    = "DenyObjectReadsNotThroughThisDistribution"
    effect = "Deny"
    actions = [
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:GetObjectTorrent",
      "s3:GetObjectVersionTorrent",
      "s3:GetObjectVersionForReplication",
    ]
    resources = ["${local.bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "AWS:SourceArn"
      values   = [var.distribution_arn]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = concat([aws_cloudfront_origin_access_identity.this[0].iam_arn], var.direct_reader_arns)
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.bucket_arn, "${local.bucket_arn}/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

data "aws_iam_policy_document" "bucket_policy_oai_to_oac" {
  count = var.access == "oai_to_oac" ? 1 : 0

  source_policy_documents = var.kept_policy_json == null ? [] : [var.kept_policy_json]

  statement {
    sid       = "AllowCloudFrontServicePrincipalReadOnly"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [var.distribution_arn]
    }
  }

  statement {
    sid       = "AllowOriginAccessIdentityReadOnly"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn}/*"]

    principals {
      type        = "AWS"
      identifiers = [aws_cloudfront_origin_access_identity.this[0].iam_arn]
    }
  }

  statement {
    sid    = "DenyObjectReadsNotThroughThisDistribution"
    effect = "Deny"
    actions = [
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:GetObjectTorrent",
      "s3:GetObjectVersionTorrent",
      "s3:GetObjectVersionForReplication",
    ]
    resources = ["${local.bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "AWS:SourceArn"
      values   = [var.distribution_arn]
    }

    condition {
      test     = "ArnNotEquals"
      variable = "aws:PrincipalArn"
      values   = concat([aws_cloudfront_origin_access_identity.this[0].iam_arn], var.direct_reader_arns)
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.bucket_arn, "${local.bucket_arn}/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  count = var.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].bucket
  # One resource for every mode, so that changing `access` updates the policy
  # in place (PutBucketPolicy) instead of deleting one and creating another.
  policy = (
    var.access == "oai" ? data.aws_iam_policy_document.bucket_policy_oai[0].json :
    var.access == "oai_to_oac" ? data.aws_iam_policy_document.bucket_policy_oai_to_oac[0].json :
    length(var.direct_reader_arns) > 0 ? data.aws_iam_policy_document.bucket_policy_direct_readers[0].json :
    data.aws_iam_policy_document.bucket_policy[0].json
  )

  # Written once public access is blocked (S3 then refuses any policy that
  # would be public) and one change at a time: S3 aborts concurrent
  # configuration changes on a bucket (OperationAborted).
  depends_on = [
    aws_s3_bucket_public_access_block.this,
    aws_s3_bucket_ownership_controls.this,
  ]
}

################################################################################
# Adopted bucket: the same settings, kept when this module is destroyed
################################################################################

# On a bucket it did not create (`create_bucket = false`) the module writes the
# public access block, the ownership controls, the policy (with the bucket's
# own statements, `kept_policy_json`) and, with a key, the default encryption.
# Destroying them would leave the bucket less protected than it was before
# (no block, ACLs back on, its policy gone), so Terraform refuses to: a plan
# that destroys one of these stops with "Instance cannot be destroyed". To
# take this module down, first remove them from the state (README: "Taking
# down a render that adopted a bucket"); the bucket then keeps them.
# `prevent_destroy` takes a literal, hence one resource per case.

resource "aws_s3_bucket_server_side_encryption_configuration" "adopted" {
  # Only with a key: otherwise an adopted bucket keeps its own default encryption.
  count = !var.create_bucket && local.use_kms ? 1 : 0

  bucket = var.bucket_name

  rule {
    bucket_key_enabled = true

    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.kms_key_arn
    }
  }

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_public_access_block" "adopted" {
  count = var.create_bucket ? 0 : 1

  bucket = var.bucket_name

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_ownership_controls" "adopted" {
  count = var.create_bucket ? 0 : 1

  bucket = var.bucket_name

  rule {
    object_ownership = "BucketOwnerEnforced"
  }

  depends_on = [aws_s3_bucket_public_access_block.adopted]

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_policy" "adopted" {
  count = var.create_bucket ? 0 : 1

  bucket = var.bucket_name
  # The same choice as aws_s3_bucket_policy.this: cfgen's proofs read the
  # documents this expression names, so it cannot move to a local.
  policy = (
    var.access == "oai" ? data.aws_iam_policy_document.bucket_policy_oai[0].json :
    var.access == "oai_to_oac" ? data.aws_iam_policy_document.bucket_policy_oai_to_oac[0].json :
    length(var.direct_reader_arns) > 0 ? data.aws_iam_policy_document.bucket_policy_direct_readers[0].json :
    data.aws_iam_policy_document.bucket_policy[0].json
  )

  depends_on = [
    aws_s3_bucket_public_access_block.adopted,
    aws_s3_bucket_ownership_controls.adopted,
  ]

  lifecycle {
    prevent_destroy = true

    precondition {
      condition     = var.region != null
      error_message = "An adopted bucket (create_bucket = false) needs region: the region of this module's provider, where the bucket is."
    }
  }
}

################################################################################
# KMS key
################################################################################

data "aws_iam_policy_document" "kms_key_policy" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" is this key only; the root statement is AWS's default key policy, which keeps the key administrable through IAM.
  #checkov:skip=CKV_AWS_111:A key policy's Resource "*" is this key only; the root statement is AWS's default key policy, which keeps the key administrable through IAM.
  #checkov:skip=CKV_AWS_356:Resource "*" is the only value a key policy accepts and means this key; CloudFront's statement is limited by AWS:SourceArn.
  count = var.create_kms_key ? 1 : 0

  statement {
    sid       = "EnableRootAccountAdministration"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.distribution_partition}:iam::${local.distribution_account_id}:root"]
    }
  }

  statement {
    sid       = "AllowCloudFrontServicePrincipalSSEKMS"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [var.distribution_arn]
    }
  }
}

resource "aws_kms_key" "this" {
  count = var.create_kms_key ? 1 : 0

  description             = "SSE-KMS for s3://${var.bucket_name}, decrypted only by its CloudFront distribution"
  deletion_window_in_days = var.kms_deletion_window_days
  enable_key_rotation     = true
  policy                  = data.aws_iam_policy_document.kms_key_policy[0].json

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.kms_key_arn == null
      error_message = "create_kms_key and kms_key_arn exclude each other: set kms_key_arn = null to create a key, or create_kms_key = false to use yours."
    }

    # Objects written while the key is an adopted bucket's default stay
    # encrypted with it; destroying this module would schedule its deletion.
    precondition {
      condition     = var.create_bucket
      error_message = "create_kms_key is for a bucket this module creates: an adopted bucket's key must outlive this module (objects written meanwhile stay encrypted with it). Create the key elsewhere and pass kms_key_arn."
    }
  }
}

# For a key the module does not own: the statement its owner must add.
data "aws_iam_policy_document" "kms_key_policy_statement" {
  count = !var.create_kms_key && var.kms_key_arn != null ? 1 : 0

  statement {
    sid       = "AllowCloudFrontServicePrincipalSSEKMS"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [var.distribution_arn]
    }
  }
}
