# CKV_CFG_2: no Allow statement of an S3 bucket policy is open to everyone.
# Resources named other_* are not S3 bucket policies, or hand over to their
# document: the check must not report them.

variable "readers" {
  type        = list(string)
  description = "Principals checkov cannot resolve (it renders the list as [])."
}

variable "reader" {
  type        = string
  description = "A principal checkov cannot resolve: it could be \"*\"."
}

variable "policy" {
  type        = string
  description = "A policy checkov cannot see into."
}

# --- data "aws_iam_policy_document" ------------------------------------------

# cfgen's shape: the Deny for AWS "*" is fine.
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

data "aws_iam_policy_document" "pass_named_role" {
  statement {
    actions   = ["s3:PutObject"]
    resources = ["arn:aws:s3:::shop-assets/*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111111111111:role/deployer"]
    }
  }
}

data "aws_iam_policy_document" "fail_principal_star" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::shop-assets/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

# A condition does not make "*" acceptable: this check has no exceptions.
data "aws_iam_policy_document" "fail_aws_star_with_condition" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::shop-assets/*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceVpce"
      values   = ["vpce-1a2b3c4d"]
    }
  }
}

data "aws_iam_policy_document" "fail_not_principals" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::shop-assets/*"]
    not_principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111111111111:role/blocked"]
    }
  }
}

data "aws_iam_policy_document" "fail_unreadable_principals" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::shop-assets/*"]
    principals {
      type        = "AWS"
      identifiers = var.readers
    }
  }
}

# A resource's ARN is never "*", whatever checkov leaves unresolved.
data "aws_iam_policy_document" "pass_principal_from_resource" {
  statement {
    actions   = ["s3:PutObject"]
    resources = ["arn:aws:s3:::shop-assets/*"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.deployer.arn]
    }
  }
}

data "aws_iam_policy_document" "fail_principal_from_variable" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::shop-assets/*"]
    principals {
      type        = "AWS"
      identifiers = [var.reader]
    }
  }
}

data "aws_iam_policy_document" "fail_dynamic_statement_star" {
  dynamic "statement" {
    for_each = ["s3:GetObject"]
    content {
      actions   = [statement.value]
      resources = ["arn:aws:s3:::shop-assets/*"]
      principals {
        type        = "*"
        identifiers = ["*"]
      }
    }
  }
}

# An API Gateway resource policy (cfgen's resource_policy mode) has Principal
# "*" with an aws:Referer condition; it is not an S3 bucket policy.
data "aws_iam_policy_document" "other_api_policy" {
  statement {
    actions   = ["execute-api:Invoke"]
    resources = ["execute-api:/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:Referer"
      values   = ["secret"]
    }
  }
}

# --- aws_s3_bucket_policy / aws_s3_bucket with the policy inline ------------

resource "aws_s3_bucket" "assets" {
  bucket = "shop-assets"
}

resource "aws_s3_bucket_policy" "other_from_document" {
  bucket = aws_s3_bucket.assets.id
  policy = data.aws_iam_policy_document.fail_principal_star.json
}

resource "aws_s3_bucket_policy" "pass_jsonencode_deny_star" {
  bucket = aws_s3_bucket.assets.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { Service = "cloudfront.amazonaws.com" }
        Action    = "s3:GetObject"
        Resource  = "${aws_s3_bucket.assets.arn}/*"
        Condition = { StringEquals = { "AWS:SourceArn" = aws_cloudfront_distribution.web.arn } }
      },
      {
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = "${aws_s3_bucket.assets.arn}/*"
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_s3_bucket_policy" "fail_jsonencode_principal_star" {
  bucket = aws_s3_bucket.assets.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.assets.arn}/*"
    }]
  })
}

resource "aws_s3_bucket_policy" "fail_heredoc_aws_star_in_list" {
  bucket = aws_s3_bucket.assets.id
  policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {"AWS": ["arn:aws:iam::111111111111:root", "*"]},
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
      Principal = { AWS = "*" }
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::legacy/*"
    }]
  })
}

resource "aws_s3_bucket" "other_without_policy" {
  bucket = "plain"
}
