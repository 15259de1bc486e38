locals {
  is_load_balancer = var.origin_type != "ec2"
  create_lb        = local.is_load_balancer && var.create_load_balancer
  # The module owns a security group when it creates the load balancer, and
  # for an instance (attached to its network interface); an adopted load
  # balancer's own group gets the CloudFront rule instead.
  create_group      = local.create_lb || var.origin_type == "ec2"
  security_group_id = local.create_group ? aws_security_group.this[0].id : var.security_group_id

  listener_protocol = var.origin_type == "alb" ? "HTTPS" : "TLS"
  lb_name_prefix    = coalesce(var.load_balancer_name_prefix, var.origin_type == "alb" ? "cfa-" : "cfn-")
  target_protocol   = coalesce(var.target_protocol, local.listener_protocol)

  origin_arn = (
    var.origin_type == "ec2" ? var.instance_arn :
    local.create_lb ? aws_lb.this[0].arn : var.load_balancer_arn
  )

  # An ALB forwards only requests carrying the secret CloudFront sends: on the
  # listener cfgen creates, or on an adopted ALB's listener the caller names.
  # An NLB or an instance cannot read a header.
  verify_origin   = var.origin_type == "alb" && (local.create_lb || var.listener_rule)
  rule_forward_to = local.create_lb ? one(aws_lb_target_group.this[*].arn) : var.target_group_arn

  # Everything CloudFront holds about the endpoint. A change to any of it
  # replaces the VPC origin (see terraform_data.endpoint_config): CloudFront
  # answers 409 to an update of a VPC origin that a distribution uses.
  endpoint_config = {
    arn                    = local.origin_arn
    http_port              = var.vpc_origin_http_port
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

# For the targets of a created load balancer: other hosts of the VPC reach
# them directly unless their groups admit only the load balancer. Attach this
# group to every target (output targets_security_group_id) and drop their
# other ingress; it admits the target port from the load balancer's group only.
resource "aws_security_group" "targets" {
  #checkov:skip=CKV2_AWS_5:The targets are the user's and cfgen never attaches this group: the user attaches it to each target (output targets_security_group_id, in explain's to-do).
  count = local.create_lb ? 1 : 0

  name_prefix = "${var.name}-targets-"
  description = "${var.name}: targets, port ${var.target_port} from the load balancer only (cfgen)"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-targets" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "targets" {
  count = local.create_lb ? 1 : 0

  security_group_id            = aws_security_group.targets[0].id
  description                  = "Target port from the load balancer"
  ip_protocol                  = "tcp"
  from_port                    = var.target_port
  to_port                      = var.target_port
  referenced_security_group_id = aws_security_group.this[0].id

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
  #checkov:skip=CKV2_AWS_28:An internal load balancer reachable only from CloudFront VPC origins; a WAF web ACL belongs on the distribution (web_acl_arn).
  count = local.create_lb ? 1 : 0

  name_prefix                = local.lb_name_prefix
  internal                   = true
  load_balancer_type         = var.origin_type == "nlb" ? "network" : "application"
  subnets                    = [for s in var.subnets : s.id]
  security_groups            = [aws_security_group.this[0].id]
  drop_invalid_header_fields = var.origin_type != "nlb" ? true : null
  # Always on for an ALB; an NLB must be told, or a target in one zone would serve only that zone.
  enable_cross_zone_load_balancing = var.origin_type == "nlb" ? true : null
  enable_deletion_protection       = var.deletion_protection

  dynamic "access_logs" {
    for_each = var.access_logs == null ? [] : [var.access_logs]

    content {
      enabled = true
      bucket  = access_logs.value.bucket
      prefix  = access_logs.value.prefix
    }
  }

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_lb_target_group" "this" {
  count = local.create_lb ? 1 : 0

  name_prefix = local.lb_name_prefix
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

# The listener, and on an ALB the only rule that forwards: X-Origin-Verify is
# the current or the previous secret (and every `rule_headers` header
# matches). CloudFront sends the current one; another VPC origin of the
# account does not know it. An NLB cannot read a request: its listener
# forwards every connection.
module "listener" {
  source = "../lb-listener"
  count  = local.create_lb || local.verify_origin ? 1 : 0

  create_listener   = local.create_lb
  load_balancer_arn = local.create_lb ? aws_lb.this[0].arn : var.load_balancer_arn
  protocol          = local.listener_protocol
  port              = var.https_port
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn
  default_action    = var.origin_type == "alb" ? "deny" : "forward"
  target_group_arn  = local.rule_forward_to

  verify_header          = local.verify_origin
  origin_secrets         = var.origin_secrets
  listener_arn           = var.listener_arn
  check_adopted_listener = var.check_adopted_load_balancer
  rule_priority          = var.rule_priority
  rule_headers           = var.rule_headers

  forbidden_response_body = var.forbidden_response_body

  tags = var.tags
}

# Where the listener and the rule were before they moved to lb-listener.
moved {
  from = aws_lb_listener.this[0]
  to   = module.listener[0].aws_lb_listener.this[0]
}

moved {
  from = aws_lb_listener_rule.origin_verify[0]
  to   = module.listener[0].aws_lb_listener_rule.origin_verify[0]
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

# Read after the VPC origin (so an offline or first plan does not call AWS)
# and before the distribution uses it (output cloudfront_origin depends on
# them): apply stops here if the adopted load balancer faces the internet.
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

# The interface CloudFront's traffic meets: it must be the instance's primary
# interface, and carry cfgen's group and only the groups the caller vouches for
# (keep_security_group_ids): any other group could admit other hosts, or the
# internet. Read once cfgen's group is attached, before the distribution uses
# the VPC origin.
data "aws_network_interface" "instance" {
  count = var.origin_type == "ec2" ? 1 : 0

  id = var.network_interface_id

  depends_on = [aws_network_interface_sg_attachment.instance]

  lifecycle {
    postcondition {
      condition     = one(self.attachment[*].instance_id) == element(split("/", var.instance_arn), 1) && one(self.attachment[*].device_index) == 0
      error_message = "The network interface ${var.network_interface_id} is not the primary interface (device 0) of ${var.instance_arn}: name the instance's primary interface, which CloudFront's VPC origin reaches."
    }

    postcondition {
      condition     = toset(self.security_groups) == toset(concat([aws_security_group.this[0].id], var.keep_security_group_ids))
      error_message = "The network interface ${var.network_interface_id} has security groups besides cfgen's and keep_security_group_ids, and any of them may admit other hosts: detach them, or keep them (instance.keep_security_groups in the spec) once you have checked that they admit no ingress."
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
