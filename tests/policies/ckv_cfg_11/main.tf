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
