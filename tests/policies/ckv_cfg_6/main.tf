# CKV_CFG_6: an Allow to everyone in an S3 bucket policy needs StringEquals on
# aws:Referer with the secret from a variable, and allows s3:GetObject only.
# Resources named other_* have no Allow to everyone, are not S3 bucket
# policies, or hand over to their document: the check must not report them.

variable "referer_secret" {
  type        = string
  sensitive   = true
  description = "The secret Referer; checkov cannot resolve it and leaves var.referer_secret."
}

variable "referer_secret_previous" {
  type        = string
  sensitive   = true
  description = "The secret before the last rotation."
}

variable "referer_secrets" {
  type        = list(string)
  sensitive   = true
  description = "Both secrets, as the s3-website-origin module takes them; checkov renders the unset list as []."
}

variable "referer_with_default" {
  type        = string
  sensitive   = true
  default     = "written-in-the-code-0123456789abcdef"
  description = "checkov substitutes the default: the secret is in the code."
}

variable "reader" {
  type        = string
  description = "A principal checkov cannot resolve: it could be \"*\"."
}

variable "policy" {
  type        = string
  description = "A policy checkov cannot see into."
}

locals {
  referer = var.referer_secret
}

# What cfgen renders: the secret read at plan time from a sensitive variable,
# Secrets Manager or SSM, never written in the tree.
module "referer" {
  source = "../../../modules/origin-secret"

  from     = "variable"
  current  = var.referer_secret
  previous = var.referer_secret_previous
}

data "aws_ssm_parameter" "referer" {
  name            = "/site/referer"
  with_decryption = true
}

# --- data "aws_iam_policy_document" ------------------------------------------

# The s3-website-origin module's document: the Deny to "*" is not judged.
data "aws_iam_policy_document" "pass_list_variable" {
  statement {
    sid       = "AllowGetObjectWithSecretReferer"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:Referer"
      values   = var.referer_secrets
    }
  }
  statement {
    sid         = "DenyInsecureTransportExceptReads"
    effect      = "Deny"
    not_actions = ["s3:GetObject"]
    resources   = ["arn:aws:s3:::site", "arn:aws:s3:::site/*"]
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

data "aws_iam_policy_document" "pass_string_variables" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:Referer"
      values   = [var.referer_secret, var.referer_secret_previous]
    }
  }
}

data "aws_iam_policy_document" "pass_module_output" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:Referer"
      values   = module.referer.values
    }
  }
}

# AWS "*" is everyone too; the key is case-insensitive.
data "aws_iam_policy_document" "pass_aws_star_local" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:Referer"
      values   = [local.referer]
    }
  }
}

data "aws_iam_policy_document" "pass_data_source" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:Referer"
      values   = [data.aws_ssm_parameter.referer.value]
    }
  }
}

data "aws_iam_policy_document" "fail_no_condition" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

data "aws_iam_policy_document" "fail_other_key" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:UserAgent"
      values   = [var.referer_secret]
    }
  }
}

data "aws_iam_policy_document" "fail_string_like" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringLike"
      variable = "aws:Referer"
      values   = [var.referer_secret]
    }
  }
}

data "aws_iam_policy_document" "fail_if_exists" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEqualsIfExists"
      variable = "aws:Referer"
      values   = [var.referer_secret]
    }
  }
}

data "aws_iam_policy_document" "fail_for_all_values" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "aws:Referer"
      values   = [var.referer_secret]
    }
  }
}

data "aws_iam_policy_document" "fail_literal_values" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:Referer"
      values   = ["hunter2-0123456789abcdef0123456789"]
    }
  }
}

# One literal is enough to leak a secret, even the previous one.
data "aws_iam_policy_document" "fail_literal_beside_variable" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:Referer"
      values   = [var.referer_secret, "previous-0123456789abcdef0123456789"]
    }
  }
}

data "aws_iam_policy_document" "fail_variable_default" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:Referer"
      values   = [var.referer_with_default]
    }
  }
}

data "aws_iam_policy_document" "fail_empty_values" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:Referer"
      values   = []
    }
  }
}

data "aws_iam_policy_document" "fail_empty_string" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:Referer"
      values   = [var.referer_secret, ""]
    }
  }
}

data "aws_iam_policy_document" "fail_s3_star" {
  statement {
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:Referer"
      values   = [var.referer_secret]
    }
  }
}

data "aws_iam_policy_document" "fail_extra_action" {
  statement {
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["arn:aws:s3:::site", "arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:Referer"
      values   = [var.referer_secret]
    }
  }
}

data "aws_iam_policy_document" "fail_not_actions" {
  statement {
    not_actions = ["s3:DeleteObject"]
    resources   = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:Referer"
      values   = [var.referer_secret]
    }
  }
}

data "aws_iam_policy_document" "fail_not_principals" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    not_principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111111111111:role/blocked"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:Referer"
      values   = [var.referer_secret]
    }
  }
}

# A principal checkov cannot resolve might be "*".
data "aws_iam_policy_document" "fail_principal_from_variable" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "AWS"
      identifiers = [var.reader]
    }
  }
}

# cfgen's S3 + OAC shape: no Allow to everyone, so CKV_CFG_6 has nothing to say.
data "aws_iam_policy_document" "other_oac" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
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
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::site", "arn:aws:s3:::site/*"]
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

# An API Gateway resource policy is not an S3 bucket policy.
data "aws_iam_policy_document" "other_api_policy" {
  statement {
    actions   = ["execute-api:Invoke"]
    resources = ["execute-api:/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

# --- aws_s3_bucket_policy / aws_s3_bucket with the policy inline ------------

resource "aws_s3_bucket" "site" {
  bucket = "site"
}

# The module's shape: checkov leaves "sensitive(data....json)" as a string,
# and the document is judged on its own.
resource "aws_s3_bucket_policy" "other_from_document" {
  bucket = aws_s3_bucket.site.id
  policy = sensitive(data.aws_iam_policy_document.fail_literal_values.json)
}

resource "aws_s3_bucket_policy" "pass_jsonencode_variable" {
  bucket = aws_s3_bucket.site.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowGetObjectWithSecretReferer"
        Effect    = "Allow"
        Principal = "*"
        Action    = "s3:GetObject"
        Resource  = "${aws_s3_bucket.site.arn}/*"
        Condition = { StringEquals = { "aws:Referer" = var.referer_secret } }
      },
      {
        Effect    = "Deny"
        Principal = "*"
        NotAction = "s3:GetObject"
        Resource  = "${aws_s3_bucket.site.arn}/*"
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_s3_bucket_policy" "pass_jsonencode_list_variable" {
  bucket = aws_s3_bucket.site.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = ["s3:GetObject"]
      Resource  = "${aws_s3_bucket.site.arn}/*"
      Condition = { StringEquals = { "aws:Referer" = var.referer_secrets } }
    }]
  })
}

resource "aws_s3_bucket_policy" "pass_jsonencode_module_output" {
  bucket = aws_s3_bucket.site.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.site.arn}/*"
      Condition = { StringEquals = { "aws:Referer" = module.referer.values } }
    }]
  })
}

# Computed from values only the plan knows (the s3-website-origin module builds its policy so, to keep
# the secret sensitive): checkov cannot read it in HCL and says nothing; the plan scan judges it.
resource "aws_s3_bucket_policy" "unknown_computed_document" {
  bucket = aws_s3_bucket.site.id
  policy = sensitive(jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.site.arn}/*"
      Condition = merge({ StringEquals = { "aws:Referer" = module.referer.values } }, {})
    }]
  }))
}

resource "aws_s3_bucket_policy" "fail_jsonencode_literal" {
  bucket = aws_s3_bucket.site.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.site.arn}/*"
      Condition = { StringEquals = { "aws:Referer" = "hunter2-0123456789abcdef0123456789" } }
    }]
  })
}

resource "aws_s3_bucket_policy" "fail_jsonencode_s3_star" {
  bucket = aws_s3_bucket.site.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:*"
      Resource  = "${aws_s3_bucket.site.arn}/*"
      Condition = { StringEquals = { "aws:Referer" = var.referer_secret } }
    }]
  })
}

resource "aws_s3_bucket_policy" "fail_heredoc_no_condition" {
  bucket = aws_s3_bucket.site.id
  policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {"AWS": ["arn:aws:iam::111111111111:root", "*"]},
          "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::site/*"
        }
      ]
    }
  POLICY
}

resource "aws_s3_bucket_policy" "fail_policy_from_variable" {
  bucket = aws_s3_bucket.site.id
  policy = var.policy
}

resource "aws_s3_bucket_policy" "other_jsonencode_oac" {
  bucket = aws_s3_bucket.site.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cloudfront.amazonaws.com" }
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.site.arn}/*"
      Condition = { StringEquals = { "AWS:SourceArn" = aws_cloudfront_distribution.web.arn } }
    }]
  })
}

resource "aws_s3_bucket" "fail_inline_policy" {
  bucket = "legacy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::legacy/*"
      Condition = { StringLike = { "aws:Referer" = var.referer_secret } }
    }]
  })
}

resource "aws_s3_bucket" "other_without_policy" {
  bucket = "plain"
}
