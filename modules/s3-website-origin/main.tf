# Both data sources are answered from the provider's configuration and its
# bundled endpoint table, without an AWS call, so plans stay offline.
data "aws_partition" "current" {}

locals {
  bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}"

  # The adopted bucket's own statements, merged into the policy this module writes.
  kept_statements = try(jsondecode(var.kept_policy_json).Statement, [])

  website_endpoint = one(concat(
    aws_s3_bucket_website_configuration.this[*].website_endpoint,
    aws_s3_bucket_website_configuration.adopted[*].website_endpoint,
  ))
}

################################################################################
# Bucket
################################################################################

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:Server access logs need a second, log-receiving bucket this module does not own; viewer reads are logged by the distribution (logging input) and S3 API calls by CloudTrail.
  #checkov:skip=CKV_AWS_144:A CloudFront origin is served from one region; cross-region replication is a disaster-recovery choice with its own bucket, role and cost, outside this module.
  #checkov:skip=CKV_AWS_145:S3 website endpoints cannot serve SSE-KMS objects (anonymous requests cannot decrypt); objects use SSE-S3.
  #checkov:skip=CKV2_AWS_62:Nothing consumes object events for a CloudFront origin; notifications would need a destination this module does not own.
  #checkov:skip=CKV2_AWS_6:The public access block exists and blocks ACLs; its two policy flags must be off for the Referer-conditioned policy (see CKV2_CFG_1 below).
  #checkov:skip=CKV2_CFG_1:A website endpoint serves anonymous requests, so the Referer-conditioned policy is public in S3's terms and block_public_policy and restrict_public_buckets must be false; both ACL flags stay true. CKV_CFG_6 checks the policy.
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
  # An adopted bucket keeps its own default encryption.
  count = var.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].bucket

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_website_configuration" "this" {
  count = var.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].bucket

  index_document {
    suffix = var.index_document
  }

  dynamic "error_document" {
    for_each = var.error_document == null ? [] : [var.error_document]

    content {
      key = error_document.value
    }
  }
}

################################################################################
# Public access and ownership
################################################################################

# S3 counts a policy as public unless each Allow to "*" is bound to a fixed
# value of a few keys (aws:SourceArn, aws:SourceVpce, ...); aws:Referer is not
# one of them. The policy flags must therefore be off for the website endpoint
# to answer; ACLs stay blocked and, with BucketOwnerEnforced, disabled.
resource "aws_s3_bucket_public_access_block" "this" {
  #checkov:skip=CKV_AWS_54:The Referer-conditioned Allow is public in S3's terms; blocking public policies would make S3 refuse it. CKV_CFG_6 and cfgen's proof check that every public Allow needs the secret Referer.
  #checkov:skip=CKV_AWS_56:restrict_public_buckets would refuse the website endpoint's anonymous requests, the only way CloudFront can read it; access is limited by the secret Referer instead.
  count = var.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].bucket

  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = false
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
# Bucket policy
################################################################################

# Website endpoints serve anonymous GETs over HTTP only, so the one Allow is to
# every principal, bound to the secret Referer that CloudFront sends. There is
# no aws:SecureTransport deny for reads: it would deny every website request.
#
# DenyObjectReadsWithoutSecretReferer closes the REST endpoint to principals of
# the account (and the URLs they presign): the actions that hand out an
# object's bytes are denied unless the request carries the secret Referer, or
# aws:PrincipalArn is one of `direct_reader_arns` (a role's ARN, whatever the
# session). A key missing from the request makes a *NotEquals test true.
#
# The policy is built here with jsonencode, not by an aws_iam_policy_document:
# it holds the secret, and a data source's attributes are never marked
# sensitive (its JSON would show in plans, `terraform show` and state).
# Built from the sensitive var.referer_secrets, this value is sensitive
# wherever Terraform plans or stores it.
locals {
  # S3 gets no empty list of principals: without direct readers the Deny has
  # only the Referer condition.
  read_guard_condition = merge(
    { StringNotEquals = { "aws:Referer" = var.referer_secrets } },
    length(var.direct_reader_arns) > 0 ? { ArnNotEquals = { "aws:PrincipalArn" = var.direct_reader_arns } } : {},
  )

  # The owner's statements of an adopted bucket first, then the module's.
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(local.kept_statements, [
      {
        Sid       = "AllowGetObjectWithSecretReferer"
        Effect    = "Allow"
        Principal = "*"
        Action    = "s3:GetObject"
        Resource  = "${local.bucket_arn}/*"
        Condition = { StringEquals = { "aws:Referer" = var.referer_secrets } }
      },
      {
        Sid       = "DenyObjectReadsWithoutSecretReferer"
        Effect    = "Deny"
        Principal = "*"
        Action = [
          "s3:GetObject",
          "s3:GetObjectVersion",
          "s3:GetObjectTorrent",
          "s3:GetObjectVersionTorrent",
          "s3:GetObjectVersionForReplication",
        ]
        Resource  = "${local.bucket_arn}/*"
        Condition = local.read_guard_condition
      },
      {
        Sid       = "DenyInsecureTransportExceptReads"
        Effect    = "Deny"
        Principal = "*"
        NotAction = "s3:GetObject"
        Resource  = [local.bucket_arn, "${local.bucket_arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ])
  })
}

resource "aws_s3_bucket_policy" "this" {
  #checkov:skip=CKV_AWS_70:A website endpoint serves anonymous requests only, so the one Allow is to "*"; it holds only with the secret Referer, which CKV_CFG_6 checks.
  #checkov:skip=CKV_CFG_1:A website endpoint cannot verify CloudFront's identity (no OAC); the Allow is bound to the secret Referer instead, which CKV_CFG_6 checks.
  #checkov:skip=CKV_CFG_2:A website endpoint serves anonymous requests only, so the Allow must be to "*"; it holds only with the secret Referer (CKV_CFG_6).
  count = var.create_bucket ? 1 : 0

  bucket = aws_s3_bucket.this[0].bucket
  policy = local.policy

  # S3 aborts concurrent configuration changes on a bucket (OperationAborted),
  # and refuses a public policy until the public access block allows it.
  depends_on = [
    aws_s3_bucket_public_access_block.this,
    aws_s3_bucket_ownership_controls.this,
  ]
}

################################################################################
# Adopted bucket: the same settings, kept when this module is destroyed
################################################################################

# On a bucket it did not create (`create_bucket = false`) the module writes the
# website configuration, the public access block, the ownership controls and
# the policy (with the bucket's own statements, `kept_policy_json`).
# Destroying them would take more off the bucket than this module put on it
# (its website configuration and policy gone, no block at all, ACLs back), so
# Terraform refuses to: a plan that destroys one of these stops with "Instance
# cannot be destroyed". To take the module down, first remove them from the
# state (README: "Destroy"); the bucket then keeps them. `prevent_destroy`
# takes a literal, hence one resource per case.

resource "aws_s3_bucket_website_configuration" "adopted" {
  count = var.create_bucket ? 0 : 1

  bucket = var.bucket_name

  index_document {
    suffix = var.index_document
  }

  dynamic "error_document" {
    for_each = var.error_document == null ? [] : [var.error_document]

    content {
      key = error_document.value
    }
  }

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_public_access_block" "adopted" {
  #checkov:skip=CKV_AWS_54:The Referer-conditioned Allow is public in S3's terms; blocking public policies would make S3 refuse it. CKV_CFG_6 and cfgen's proof check that every public Allow needs the secret Referer.
  #checkov:skip=CKV_AWS_56:restrict_public_buckets would refuse the website endpoint's anonymous requests, the only way CloudFront can read it; access is limited by the secret Referer instead.
  count = var.create_bucket ? 0 : 1

  bucket = var.bucket_name

  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = false

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
  #checkov:skip=CKV_AWS_70:A website endpoint serves anonymous requests only, so the one Allow is to "*"; it holds only with the secret Referer, which CKV_CFG_6 checks.
  #checkov:skip=CKV_CFG_1:A website endpoint cannot verify CloudFront's identity (no OAC); the Allow is bound to the secret Referer instead, which CKV_CFG_6 checks.
  #checkov:skip=CKV_CFG_2:A website endpoint serves anonymous requests only, so the Allow must be to "*"; it holds only with the secret Referer (CKV_CFG_6).
  count = var.create_bucket ? 0 : 1

  bucket = var.bucket_name
  policy = local.policy

  depends_on = [
    aws_s3_bucket_public_access_block.adopted,
    aws_s3_bucket_ownership_controls.adopted,
  ]

  lifecycle {
    prevent_destroy = true
  }
}
