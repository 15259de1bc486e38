# cfgen's S3 + OAC shape (module "assets" + distribution "web"), next to
# neighbours that break one check each. Planned offline by test_policies.py;
# expected.yaml says what each framework must report, and why they differ.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

# --- what cfgen renders ------------------------------------------------------

module "assets" {
  source           = "./modules/s3_origin"
  bucket_name      = "shop-assets"
  distribution_arn = aws_cloudfront_distribution.web.arn
}

resource "aws_cloudfront_distribution" "web" {
  enabled         = true
  is_ipv6_enabled = true
  http_version    = "http2and3"
  aliases         = ["www.example.com"]

  origin {
    origin_id                = "assets"
    domain_name              = module.assets.bucket_regional_domain_name
    origin_access_control_id = module.assets.origin_access_control_id
  }

  origin {
    origin_id   = "api"
    domain_name = "api-origin.example.com"

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  default_cache_behavior {
    target_origin_id       = "assets"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
    compress               = true
  }

  ordered_cache_behavior {
    path_pattern           = "/api/*"
    target_origin_id       = "api"
    viewer_protocol_policy = "https-only"
    allowed_methods        = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn      = "arn:aws:acm:us-east-1:111111111111:certificate/1234abcd-12ab-34cd-56ef-1234567890ab"
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2021"
  }
}

# --- neighbours that each break something --------------------------------------

# Public access block with a flag off, ACLs still enabled, Allow for AWS "*".
resource "aws_s3_bucket" "open" {
  bucket = "shop-open"
}

resource "aws_s3_bucket_public_access_block" "open" {
  bucket                  = aws_s3_bucket.open.id
  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "open" {
  bucket = aws_s3_bucket.open.id

  rule {
    object_ownership = "BucketOwnerPreferred"
  }
}

data "aws_iam_policy_document" "open" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.open.arn}/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

resource "aws_s3_bucket_policy" "open" {
  bucket = aws_s3_bucket.open.id
  policy = data.aws_iam_policy_document.open.json
}

# CloudFront may read, but any distribution of any account: no AWS:SourceArn.
data "aws_iam_policy_document" "unscoped" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.open.arn}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
  }
}

resource "aws_s3_bucket_policy" "unscoped" {
  bucket = "shop-unscoped"
  policy = data.aws_iam_policy_document.unscoped.json
}

# Known at plan time: terraform reads the document during plan, so the plan
# JSON holds it only in prior_state and the policy is judged on the bucket policy.
data "aws_iam_policy_document" "known_public" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::shop-known/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

resource "aws_s3_bucket_policy" "known_public" {
  bucket = "shop-known"
  policy = data.aws_iam_policy_document.known_public.json
}

# Right in HCL, but unknown as a whole in the plan (it embeds the distribution
# ARN): the plan cannot prove it, so the plan scan fails it.
resource "aws_s3_bucket_policy" "jsonencode_unknown" {
  bucket = "shop-jsonencode"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cloudfront.amazonaws.com" }
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::shop-jsonencode/*"
      Condition = { StringEquals = { "AWS:SourceArn" = aws_cloudfront_distribution.web.arn } }
    }]
  })
}

resource "aws_cloudfront_origin_access_control" "unsigned" {
  name                              = "shop-unsigned"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "never"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_distribution" "insecure" {
  enabled = true
  aliases = ["old.example.com"]

  origin {
    origin_id   = "known"
    domain_name = "shop-known.s3.eu-west-1.amazonaws.com"
  }

  default_cache_behavior {
    target_origin_id       = "known"
    viewer_protocol_policy = "allow-all"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    cache_policy_id        = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn      = "arn:aws:acm:us-east-1:111111111111:certificate/1234abcd-12ab-34cd-56ef-1234567890ab"
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.2_2019"
  }
}
