# CKV_CFG_11: a CloudFront VPC origin is https-only with TLSv1.2 only.

resource "aws_cloudfront_vpc_origin" "pass_https_tls12" {
  vpc_origin_endpoint_config {
    name                   = "pass"
    arn                    = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/a/0123abcd"
    http_port              = 80
    https_port             = 443
    origin_protocol_policy = "https-only"

    origin_ssl_protocols {
      items    = ["TLSv1.2"]
      quantity = 1
    }
  }
}

resource "aws_cloudfront_vpc_origin" "fail_match_viewer" {
  vpc_origin_endpoint_config {
    name                   = "match-viewer"
    arn                    = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/a/0123abcd"
    http_port              = 80
    https_port             = 443
    origin_protocol_policy = "match-viewer"

    origin_ssl_protocols {
      items    = ["TLSv1.2"]
      quantity = 1
    }
  }
}

resource "aws_cloudfront_vpc_origin" "fail_old_tls" {
  vpc_origin_endpoint_config {
    name                   = "old-tls"
    arn                    = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/a/0123abcd"
    http_port              = 80
    https_port             = 443
    origin_protocol_policy = "https-only"

    origin_ssl_protocols {
      items    = ["TLSv1.1", "TLSv1.2"]
      quantity = 2
    }
  }
}

variable "protocol_policy" {
  type = string
}

variable "ssl_protocols" {
  type = list(string)
}

# Values checkov cannot resolve in HCL (variables without a default, as a
# module's inputs are): nothing is known to be wrong, so the check says nothing.
resource "aws_cloudfront_vpc_origin" "unknown_from_variables" {
  vpc_origin_endpoint_config {
    name                   = "unknown"
    arn                    = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/a/0123abcd"
    http_port              = 80
    https_port             = 443
    origin_protocol_policy = var.protocol_policy

    origin_ssl_protocols {
      items    = var.ssl_protocols
      quantity = length(var.ssl_protocols)
    }
  }
}

# What is known is still judged: http-only fails whatever the TLS versions are.
resource "aws_cloudfront_vpc_origin" "fail_http_only_tls_unknown" {
  vpc_origin_endpoint_config {
    name                   = "http-only"
    arn                    = "arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/a/0123abcd"
    http_port              = 80
    https_port             = 443
    origin_protocol_policy = "http-only"

    origin_ssl_protocols {
      items    = var.ssl_protocols
      quantity = length(var.ssl_protocols)
    }
  }
}
