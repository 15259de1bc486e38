# CKV_CFG_1: every Allow of an S3 bucket policy is Service cloudfront.amazonaws.com
# with StringEquals/ArnEquals on AWS:SourceArn. Resources named other_* are not
# S3 bucket policies, or hand over to their document: the check must not report them.

variable "policy" {
  type        = string
  description = "A policy checkov cannot see into."
}

variable "extra_document" {
  type        = string
  description = "A document merged into one below, unknown to checkov."
}

# --- data "aws_iam_policy_document" (what cfgen renders) -------------------

data "aws_iam_policy_document" "pass_document" {
  statement {
    sid       = "AllowCloudFrontRead"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.web.arn]
    }
  }
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.assets.arn, "${aws_s3_bucket.assets.arn}/*"]
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

data "aws_iam_policy_document" "pass_arn_equals_literal" {
  statement {
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["arn:aws:s3:::shop-assets", "arn:aws:s3:::shop-assets/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:sourcearn"
      values   = ["arn:aws:cloudfront::111111111111:distribution/EDFDVBD6EXAMPLE"]
    }
  }
}

data "aws_iam_policy_document" "fail_no_source_arn" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "fail_source_account_only" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceAccount"
      values   = ["111111111111"]
    }
  }
}

data "aws_iam_policy_document" "fail_string_like_wildcard" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "AWS:SourceArn"
      values   = ["arn:aws:cloudfront::111111111111:distribution/*"]
    }
  }
}

data "aws_iam_policy_document" "fail_if_exists" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEqualsIfExists"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.web.arn]
    }
  }
}

data "aws_iam_policy_document" "fail_source_arn_not_a_distribution" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_s3_bucket.assets.arn]
    }
  }
}

data "aws_iam_policy_document" "fail_second_principal" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com", "lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.web.arn]
    }
  }
}

data "aws_iam_policy_document" "fail_second_allow_for_a_role" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.web.arn]
    }
  }
  statement {
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111111111111:role/deployer"]
    }
  }
}

data "aws_iam_policy_document" "fail_merges_unknown_document" {
  source_policy_documents = [var.extra_document]
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.web.arn]
    }
  }
}

data "aws_iam_policy_document" "fail_merges_public_json" {
  override_policy_documents = [jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Public"
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::shop-assets/*"
    }]
  })]
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.web.arn]
    }
  }
}

# Merging another aws_iam_policy_document: that one is judged on its own.
data "aws_iam_policy_document" "pass_merges_document" {
  source_policy_documents = [data.aws_iam_policy_document.pass_arn_equals_literal.json]
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::shop-assets/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

# A dynamic statement block: checkov renders it for resources only, the check
# renders it for the document.
data "aws_iam_policy_document" "pass_dynamic_statement" {
  dynamic "statement" {
    for_each = [["s3:GetObject"], ["s3:ListBucket"]]
    content {
      actions   = statement.value
      resources = ["arn:aws:s3:::shop-assets", "arn:aws:s3:::shop-assets/*"]
      principals {
        type        = "Service"
        identifiers = ["cloudfront.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "AWS:SourceArn"
        values   = [aws_cloudfront_distribution.web.arn]
      }
    }
  }
}

# Not S3 bucket policies: an identity policy, a trust policy, a KMS key policy.

data "aws_iam_policy_document" "other_identity_policy" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "other_trust_policy" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "other_kms_key_policy" {
  statement {
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111111111111:root"]
    }
  }
  statement {
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
  }
}

# --- aws_s3_bucket_policy / aws_s3_bucket with the policy inline ------------

resource "aws_s3_bucket" "assets" {
  bucket = "shop-assets"
}

resource "aws_s3_bucket_policy" "other_from_document" {
  bucket = aws_s3_bucket.assets.id
  policy = data.aws_iam_policy_document.pass_document.json
}

resource "aws_s3_bucket_policy" "pass_jsonencode" {
  bucket = aws_s3_bucket.assets.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cloudfront.amazonaws.com" }
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.assets.arn}/*"
      Condition = { StringEquals = { "AWS:SourceArn" = aws_cloudfront_distribution.web.arn } }
    }]
  })
}

resource "aws_s3_bucket_policy" "pass_heredoc" {
  bucket = aws_s3_bucket.assets.id
  policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {"Service": ["cloudfront.amazonaws.com"]},
          "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::shop-assets/*",
          "Condition": {"StringEquals": {"AWS:SourceArn": "${aws_cloudfront_distribution.web.arn}"}}
        }
      ]
    }
  POLICY
}

resource "aws_s3_bucket_policy" "fail_jsonencode_no_source_arn" {
  bucket = aws_s3_bucket.assets.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cloudfront.amazonaws.com" }
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.assets.arn}/*"
    }]
  })
}

resource "aws_s3_bucket_policy" "fail_heredoc_public" {
  bucket = aws_s3_bucket.assets.id
  policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": "*",
          "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::shop-assets/*"
        }
      ]
    }
  POLICY
}

resource "aws_s3_bucket_policy" "fail_policy_from_variable" {
  bucket = aws_s3_bucket.assets.id
  policy = var.policy
}

resource "aws_s3_bucket" "fail_inline_policy" {
  bucket = "legacy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111111111111:root" }
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::legacy/*"
    }]
  })
}

# --- legacy Origin Access Identity (s3 + oai, s3 + oai_to_oac) ----------------

resource "aws_cloudfront_origin_access_identity" "legacy" {
  comment = "legacy reads"
}

data "aws_iam_policy_document" "pass_oai_reference" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
    principals {
      type        = "AWS"
      identifiers = [aws_cloudfront_origin_access_identity.legacy.iam_arn]
    }
  }
}

data "aws_iam_policy_document" "pass_oai_to_oac_migration" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.web.arn]
    }
  }
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL"]
    }
  }
}

data "aws_iam_policy_document" "fail_oai_beside_a_role" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
    principals {
      type        = "AWS"
      identifiers = [aws_cloudfront_origin_access_identity.legacy.iam_arn, "arn:aws:iam::111111111111:role/reader"]
    }
  }
}

data "aws_iam_policy_document" "fail_oai_arn_as_service" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.assets.arn}/*"]
    principals {
      type        = "Service"
      identifiers = [aws_cloudfront_origin_access_identity.legacy.iam_arn]
    }
  }
}
