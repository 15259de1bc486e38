# CKV_CFG_3: an origin access control signs always, with sigv4.

variable "signing_behavior" {
  type        = string
  description = "Left unresolved by checkov: it cannot prove the value."
}

resource "aws_cloudfront_origin_access_control" "pass_s3" {
  name                              = "shop-assets"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_origin_access_control" "pass_lambda" {
  name                              = "shop-fn"
  origin_access_control_origin_type = "lambda"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_origin_access_control" "fail_never" {
  name                              = "never"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "never"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_origin_access_control" "fail_no_override" {
  name                              = "no-override"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "no-override"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_origin_access_control" "fail_unresolved" {
  name                              = "unresolved"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = var.signing_behavior
  signing_protocol                  = "sigv4"
}
