locals {
  create_lb         = var.create_load_balancer
  security_group_id = local.create_lb ? aws_security_group.this[0].id : var.security_group_id
  target_group_arn  = local.create_lb ? one(aws_lb_target_group.this[*].arn) : var.target_group_arn

  # The AWS-managed list of CloudFront's origin-facing servers (IPv4). Every
  # CloudFront distribution, anyone's, connects from these addresses: the
  # list keeps everyone else out, the secret header tells this distribution
  # apart.
  cloudfront_prefix_list = "com.amazonaws.global.cloudfront.origin-facing"
}

################################################################################
# Security group: ingress only from CloudFront's origin-facing prefix list
################################################################################

resource "aws_security_group" "this" {
  count = local.create_lb ? 1 : 0

  name_prefix = "${var.name}-"
  description = "${var.name}: HTTPS from CloudFront's origin-facing servers only (cfgen)"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    create_before_destroy = true
  }
}

# The prefix list weighs about 55 of a group's default 60 rules, so a group
# takes one such rule: HTTPS on the listener's port. CloudFront reaches a
# custom origin over IPv4 (the ALB is IPv4 only), so no IPv6 rule is needed.
resource "aws_vpc_security_group_ingress_rule" "cloudfront" {
  security_group_id = local.security_group_id
  description       = "HTTPS from CloudFront's origin-facing servers"
  ip_protocol       = "tcp"
  from_port         = var.https_port
  to_port           = var.https_port
  prefix_list_id    = var.cloudfront_prefix_list_id

  tags = var.tags
}

# The id comes from the caller (AWS publishes no table of them), so the apply
# reads the list by that id AND its name, once the rule exists (a first plan,
# and an offline one, make no AWS call): a wrong id matches nothing and stops
# the apply before the distribution uses the origin.
data "aws_ec2_managed_prefix_list" "cloudfront" {
  id   = var.cloudfront_prefix_list_id
  name = local.cloudfront_prefix_list

  depends_on = [aws_vpc_security_group_ingress_rule.cloudfront]

  lifecycle {
    postcondition {
      condition     = self.name == local.cloudfront_prefix_list && self.address_family == "IPv4"
      error_message = "The prefix list ${var.cloudfront_prefix_list_id} is not com.amazonaws.global.cloudfront.origin-facing: give cloudfront_prefix_list_id the id of that list in this region (aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing)."
    }
  }
}

# Egress of a created ALB: the target port, to the targets' group only.
resource "aws_vpc_security_group_egress_rule" "targets" {
  count = local.create_lb ? 1 : 0

  security_group_id            = aws_security_group.this[0].id
  description                  = "To the targets"
  ip_protocol                  = "tcp"
  from_port                    = var.target_port
  to_port                      = var.target_port
  referenced_security_group_id = aws_security_group.targets[0].id

  tags = var.tags
}

# For the targets of a created ALB: other hosts reach them directly unless
# their groups admit only the ALB. Attach this group to every target (output
# targets_security_group_id) and drop their other ingress; it admits the
# target port from the ALB's group only, and the ALB reaches nothing else.
resource "aws_security_group" "targets" {
  #checkov:skip=CKV2_AWS_5:The targets are the user's and cfgen never attaches this group: the user attaches it to each target (output targets_security_group_id, in explain's to-do).
  count = local.create_lb ? 1 : 0

  name_prefix = "${var.name}-targets-"
  description = "${var.name}: targets, port ${var.target_port} from the ALB only (cfgen)"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-targets" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "targets" {
  count = local.create_lb ? 1 : 0

  security_group_id            = aws_security_group.targets[0].id
  description                  = "Target port from the ALB"
  ip_protocol                  = "tcp"
  from_port                    = var.target_port
  to_port                      = var.target_port
  referenced_security_group_id = aws_security_group.this[0].id

  tags = var.tags
}

################################################################################
# Load balancer (created): internet-facing, HTTPS only
################################################################################

resource "aws_lb" "this" {
  count = local.create_lb ? 1 : 0

  name_prefix                = "cfi-"
  internal                   = false
  load_balancer_type         = "application"
  ip_address_type            = "ipv4"
  subnets                    = var.subnets
  security_groups            = [aws_security_group.this[0].id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection

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

  name_prefix = "cfi-"
  target_type = "ip"
  port        = var.target_port
  protocol    = var.target_protocol
  vpc_id      = var.vpc_id

  health_check {
    enabled  = true
    protocol = var.target_protocol
    path     = var.health_check_path
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

################################################################################
# Listener: a fixed 403 unless X-Origin-Verify is the secret (or, with a web
# ACL on the ALB that checks it, forward)
################################################################################

# The HTTPS listener of a created ALB (default action a fixed 403) or the
# adopted one (checked at apply), and the only rule that forwards: on
# X-Origin-Verify = the current or the previous secret. Without
# listener_checks_header a web ACL on the ALB checks the header instead: a
# created listener forwards everything, and an adopted ALB's listeners are
# left as they are.
module "listener" {
  source = "../lb-listener"

  create_listener   = local.create_lb
  load_balancer_arn = local.create_lb ? aws_lb.this[0].arn : var.load_balancer_arn
  port              = var.https_port
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn
  default_action    = var.listener_checks_header ? "deny" : "forward"
  target_group_arn  = local.target_group_arn

  verify_header  = var.listener_checks_header
  origin_secrets = var.origin_secrets
  listener_arn   = var.listener_arn
  rule_priority  = var.rule_priority

  tags = var.tags
}

# An adopted ALB behind a web ACL (listener_checks_header = false): with
# enable_waf_fail_open, the ALB forwards every request when it cannot reach
# WAF, the secret unchecked. Read once the rule exists, before the
# distribution uses the origin; a created ALB leaves it unset (false).
data "aws_lb" "waf_fail_closed" {
  count = !local.create_lb && !var.listener_checks_header ? 1 : 0

  arn = var.load_balancer_arn

  depends_on = [aws_vpc_security_group_ingress_rule.cloudfront]

  lifecycle {
    postcondition {
      condition     = !self.enable_waf_fail_open
      error_message = "The load balancer ${coalesce(var.load_balancer_arn, "(none)")} has enable_waf_fail_open: it would forward requests unchecked whenever it cannot reach WAF. Turn it off (aws elbv2 modify-load-balancer-attributes --attributes Key=waf.fail_open.enabled,Value=false)."
    }
  }
}

################################################################################
# CloudFront's side: HTTPS only, with the secret header
################################################################################

# The same origin entry as any HTTPS server behind X-Origin-Verify.
module "origin" {
  source = "../custom-origin"

  domain_name    = var.origin_domain
  origin_path    = var.origin_path
  https_port     = var.https_port
  origin_secrets = var.origin_secrets
}
