locals {
  is_load_balancer = var.origin_type != "ec2"
  create_lb        = local.is_load_balancer && var.create_load_balancer
  # The module owns a security group when it creates the load balancer, and
  # for an instance (attached to its network interface); an adopted load
  # balancer's own group gets the CloudFront rule instead.
  create_group      = local.create_lb || var.origin_type == "ec2"
  security_group_id = local.create_group ? aws_security_group.this[0].id : var.security_group_id

  listener_protocol = var.origin_type == "alb" ? "HTTPS" : "TLS"
  target_protocol   = coalesce(var.target_protocol, local.listener_protocol)

  origin_arn = (
    var.origin_type == "ec2" ? var.instance_arn :
    local.create_lb ? aws_lb.this[0].arn : var.load_balancer_arn
  )

  # Everything CloudFront holds about the endpoint. A change to any of it
  # replaces the VPC origin (see terraform_data.endpoint_config): CloudFront
  # answers 409 to an update of a VPC origin that a distribution uses.
  endpoint_config = {
    arn                    = local.origin_arn
    http_port              = 80
    https_port             = var.https_port
    origin_protocol_policy = "https-only"
    origin_ssl_protocols   = ["TLSv1.2"]
  }
}

################################################################################
# Security group: ingress only from CloudFront's VPC origins
################################################################################

resource "aws_security_group" "this" {
  count = local.create_group ? 1 : 0

  name_prefix = "${var.name}-"
  description = "${var.name}: HTTPS from CloudFront VPC origins only (cfgen)"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    create_before_destroy = true
  }
}

# Egress of a created load balancer: the target port, to its own subnets only.
resource "aws_vpc_security_group_egress_rule" "targets" {
  for_each = local.create_lb ? { for s in var.subnets : s.id => s.cidr } : {}

  security_group_id = aws_security_group.this[0].id
  description       = "To targets in ${each.key}"
  ip_protocol       = "tcp"
  from_port         = var.target_port
  to_port           = var.target_port
  cidr_ipv4         = each.value

  tags = var.tags
}

# The CloudFront-VPCOrigins-Service-SG exists once the first VPC origin of the
# VPC does, so it is read after this module's VPC origin; AWS manages it and
# this module only refers to it. It, rather than the origin-facing prefix
# list, is the source: it admits only CloudFront's VPC-origin ENIs in this
# VPC, and it costs one rule where the prefix list weighs about 55 of a
# group's 60.
data "aws_security_group" "cloudfront_vpc_origins" {
  filter {
    name   = "group-name"
    values = ["CloudFront-VPCOrigins-Service-SG"]
  }

  filter {
    name   = "vpc-id"
    values = [var.vpc_id]
  }

  depends_on = [aws_cloudfront_vpc_origin.this]
}

resource "aws_vpc_security_group_ingress_rule" "cloudfront" {
  security_group_id            = local.security_group_id
  description                  = "HTTPS from CloudFront VPC origins"
  ip_protocol                  = "tcp"
  from_port                    = var.https_port
  to_port                      = var.https_port
  referenced_security_group_id = data.aws_security_group.cloudfront_vpc_origins.id

  tags = var.tags
}

resource "aws_network_interface_sg_attachment" "instance" {
  count = var.origin_type == "ec2" ? 1 : 0

  security_group_id    = aws_security_group.this[0].id
  network_interface_id = var.network_interface_id
}

################################################################################
# Load balancer (created): internal, HTTPS/TLS only
################################################################################

resource "aws_lb" "this" {
  #checkov:skip=CKV_AWS_91:Access logs need a log bucket with an ELB delivery policy, which the spec does not name; CloudFront standard logging records every request that reaches this origin.
  #checkov:skip=CKV2_AWS_28:An internal load balancer reachable only from CloudFront VPC origins; a WAF web ACL belongs on the distribution (web_acl_arn).
  count = local.create_lb ? 1 : 0

  name_prefix                = var.origin_type == "alb" ? "cfa-" : "cfn-"
  internal                   = true
  load_balancer_type         = var.origin_type == "nlb" ? "network" : "application"
  subnets                    = [for s in var.subnets : s.id]
  security_groups            = [aws_security_group.this[0].id]
  drop_invalid_header_fields = var.origin_type != "nlb" ? true : null
  # Always on for an ALB; an NLB must be told, or a target in one zone would serve only that zone.
  enable_cross_zone_load_balancing = var.origin_type == "nlb" ? true : null
  enable_deletion_protection       = var.deletion_protection

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_lb_target_group" "this" {
  count = local.create_lb ? 1 : 0

  name_prefix = var.origin_type == "alb" ? "cfa-" : "cfn-"
  target_type = "ip"
  port        = var.target_port
  protocol    = local.target_protocol
  vpc_id      = var.vpc_id

  health_check {
    enabled  = true
    protocol = var.origin_type == "alb" ? local.target_protocol : "TCP"
    # An HTTP(S) check names its path rather than relying on AWS's default.
    path = var.origin_type == "alb" ? var.health_check_path : null
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_listener" "this" {
  count = local.create_lb ? 1 : 0

  load_balancer_arn = aws_lb.this[0].arn
  port              = var.https_port
  protocol          = local.listener_protocol
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[0].arn
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.certificate_arn != null
      error_message = "A created load balancer listens on HTTPS/TLS only and needs certificate_arn: an ACM certificate in this region covering origin_domain."
    }
  }
}

################################################################################
# CloudFront VPC origin (replaced, never updated)
################################################################################

resource "terraform_data" "endpoint_config" {
  input = local.endpoint_config
}

resource "aws_cloudfront_vpc_origin" "this" {
  vpc_origin_endpoint_config {
    # The name changes with the configuration, so that the replacement can
    # exist next to the VPC origin it replaces (create_before_destroy).
    name                   = "${var.name}-${substr(sha256(jsonencode(local.endpoint_config)), 0, 8)}"
    arn                    = local.endpoint_config.arn
    http_port              = local.endpoint_config.http_port
    https_port             = local.endpoint_config.https_port
    origin_protocol_policy = local.endpoint_config.origin_protocol_policy

    origin_ssl_protocols {
      items    = local.endpoint_config.origin_ssl_protocols
      quantity = length(local.endpoint_config.origin_ssl_protocols)
    }
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
    replace_triggered_by  = [terraform_data.endpoint_config]
  }
}

################################################################################
# Guards on what the module adopts, checked when the VPC origin exists
################################################################################

# Read after the VPC origin (so an offline or first plan does not call AWS);
# apply stops here if the adopted load balancer faces the internet.
data "aws_lb" "adopted" {
  count = local.is_load_balancer && !var.create_load_balancer && var.check_adopted_load_balancer ? 1 : 0

  arn = var.load_balancer_arn

  depends_on = [aws_cloudfront_vpc_origin.this]

  lifecycle {
    postcondition {
      condition     = self.internal
      error_message = "The load balancer ${var.load_balancer_arn} is internet-facing: a VPC origin must point at an internal load balancer, or anyone could reach it around CloudFront."
    }
  }
}

data "aws_instance" "this" {
  count = var.origin_type == "ec2" ? 1 : 0

  instance_id = element(split("/", var.instance_arn), 1)

  depends_on = [aws_cloudfront_vpc_origin.this]

  lifecycle {
    postcondition {
      condition     = self.public_ip == "" && self.subnet_id != null
      error_message = "The instance ${var.instance_arn} has a public IP: move it to a private subnet (no public IP) so that only CloudFront's VPC origin reaches it."
    }
  }
}
