# CKV_CFG_4: viewers use HTTPS on every behavior; TLSv1.2_2021 or newer with a
# custom certificate.

variable "viewer_protocol_policy" {
  type        = string
  description = "Left unresolved by checkov: it cannot prove the value."
}

resource "aws_cloudfront_distribution" "pass_default_certificate" {
  enabled = true
  origin {
    origin_id                = "assets"
    domain_name              = "shop-assets.s3.eu-west-1.amazonaws.com"
    origin_access_control_id = "E2QWRUHAPOMQZL"
  }
  default_cache_behavior {
    target_origin_id       = "assets"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }
  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }
  # CloudFront fixes the TLS floor of its default certificate itself.
  viewer_certificate {
    cloudfront_default_certificate = true
  }
}

resource "aws_cloudfront_distribution" "pass_acm_tls12_2021" {
  enabled = true
  aliases = ["www.example.com"]
  origin {
    origin_id                = "assets"
    domain_name              = "shop-assets.s3.eu-west-1.amazonaws.com"
    origin_access_control_id = "E2QWRUHAPOMQZL"
  }
  default_cache_behavior {
    target_origin_id       = "assets"
    viewer_protocol_policy = "https-only"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }
  ordered_cache_behavior {
    path_pattern           = "/private/*"
    target_origin_id       = "assets"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
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

resource "aws_cloudfront_distribution" "pass_acm_tls13_2025" {
  enabled = true
  aliases = ["www.example.com"]
  origin {
    origin_id                = "assets"
    domain_name              = "shop-assets.s3.eu-west-1.amazonaws.com"
    origin_access_control_id = "E2QWRUHAPOMQZL"
  }
  default_cache_behavior {
    target_origin_id       = "assets"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }
  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }
  viewer_certificate {
    acm_certificate_arn      = "arn:aws:acm:us-east-1:111111111111:certificate/1234abcd-12ab-34cd-56ef-1234567890ab"
    ssl_support_method       = "sni-only"
    minimum_protocol_version = "TLSv1.3_2025"
  }
}

resource "aws_cloudfront_distribution" "fail_allow_all" {
  enabled = true
  origin {
    origin_id                = "assets"
    domain_name              = "shop-assets.s3.eu-west-1.amazonaws.com"
    origin_access_control_id = "E2QWRUHAPOMQZL"
  }
  default_cache_behavior {
    target_origin_id       = "assets"
    viewer_protocol_policy = "allow-all"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }
  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }
  viewer_certificate {
    cloudfront_default_certificate = true
  }
}

resource "aws_cloudfront_distribution" "fail_ordered_allow_all" {
  enabled = true
  origin {
    origin_id                = "assets"
    domain_name              = "shop-assets.s3.eu-west-1.amazonaws.com"
    origin_access_control_id = "E2QWRUHAPOMQZL"
  }
  default_cache_behavior {
    target_origin_id       = "assets"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }
  ordered_cache_behavior {
    path_pattern           = "/public/*"
    target_origin_id       = "assets"
    viewer_protocol_policy = "https-only"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }
  ordered_cache_behavior {
    path_pattern           = "/legacy/*"
    target_origin_id       = "assets"
    viewer_protocol_policy = "allow-all"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }
  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }
  viewer_certificate {
    cloudfront_default_certificate = true
  }
}

# An unresolved variable is judged by the plan scan; the HCL scan says nothing.
resource "aws_cloudfront_distribution" "other_unresolved_protocol_policy" {
  enabled = true
  origin {
    origin_id                = "assets"
    domain_name              = "shop-assets.s3.eu-west-1.amazonaws.com"
    origin_access_control_id = "E2QWRUHAPOMQZL"
  }
  default_cache_behavior {
    target_origin_id       = "assets"
    viewer_protocol_policy = var.viewer_protocol_policy
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }
  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }
  viewer_certificate {
    cloudfront_default_certificate = true
  }
}

resource "aws_cloudfront_distribution" "fail_acm_tls12_2019" {
  enabled = true
  aliases = ["www.example.com"]
  origin {
    origin_id                = "assets"
    domain_name              = "shop-assets.s3.eu-west-1.amazonaws.com"
    origin_access_control_id = "E2QWRUHAPOMQZL"
  }
  default_cache_behavior {
    target_origin_id       = "assets"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
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

# The provider defaults minimum_protocol_version to TLSv1.
resource "aws_cloudfront_distribution" "fail_iam_certificate_default_tls" {
  enabled = true
  aliases = ["www.example.com"]
  origin {
    origin_id                = "assets"
    domain_name              = "shop-assets.s3.eu-west-1.amazonaws.com"
    origin_access_control_id = "E2QWRUHAPOMQZL"
  }
  default_cache_behavior {
    target_origin_id       = "assets"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
  }
  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }
  viewer_certificate {
    iam_certificate_id = "ASCAEXAMPLE123456789"
    ssl_support_method = "sni-only"
  }
}
