locals {
  deny = var.default_action == "deny"
  # The listener the forwarding rule sits on: this module's, or an adopted ALB's.
  rule_listener = var.create_listener ? one(aws_lb_listener.this[*].arn) : var.listener_arn
}

################################################################################
# Listener (created): HTTPS (ALB) or TLS (NLB) with an ELB.17 policy
################################################################################

resource "aws_lb_listener" "this" {
  count = var.create_listener ? 1 : 0

  load_balancer_arn = var.load_balancer_arn
  port              = var.port
  protocol          = var.protocol
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  # deny: a fixed 403 for whatever no rule forwards (aws_lb_listener_rule.origin_verify).
  # forward: every request to the target group, for an NLB (it cannot read a
  # request) or an ALB whose requests something else checks.
  default_action {
    type             = local.deny ? "fixed-response" : "forward"
    target_group_arn = local.deny ? null : var.target_group_arn

    dynamic "fixed_response" {
      for_each = local.deny ? [403] : []

      content {
        content_type = "text/plain"
        message_body = var.forbidden_response_body
        status_code  = tostring(fixed_response.value)
      }
    }
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
# The only way past a denying listener: the X-Origin-Verify secret
################################################################################

# Forwards requests whose X-Origin-Verify is the current or the previous secret
# (and whose other `rule_headers` match). CloudFront sends the current one as
# an origin custom header; no one else knows it.
resource "aws_lb_listener_rule" "origin_verify" {
  count = var.verify_header ? 1 : 0

  listener_arn = local.rule_listener
  priority     = var.rule_priority

  action {
    type             = "forward"
    target_group_arn = var.target_group_arn
  }

  condition {
    http_header {
      http_header_name = "X-Origin-Verify"
      values           = var.origin_secrets
    }
  }

  dynamic "condition" {
    for_each = var.rule_headers

    content {
      http_header {
        http_header_name = condition.key
        values           = condition.value
      }
    }
  }

  tags = var.tags

  lifecycle {
    # The values never appear in this message: they are the secret.
    precondition {
      condition     = length(var.origin_secrets) >= 1 && length(var.origin_secrets) <= 2 && alltrue([for s in var.origin_secrets : can(regex("^[A-Za-z0-9]{32,128}$", s))])
      error_message = "origin_secrets must hold the current secret and at most the previous one, each 32 to 128 letters and digits: an ALB compares header values case-insensitively and reads * and ? as wildcards. Make one with `openssl rand -hex 32`."
    }

    precondition {
      condition     = local.rule_listener != null && var.target_group_arn != null
      error_message = "The X-Origin-Verify rule needs a listener (created, or listener_arn of an adopted ALB) and target_group_arn, the target group it forwards to."
    }
  }
}

################################################################################
# Guard on an adopted ALB's listener, checked once the rule exists
################################################################################

# The listener an adopted ALB's rule sits on is someone else's: apply stops
# here unless its default action is a fixed 403, or requests without the
# secret would reach its targets. Its other rules are not in this plan. Read
# after the rule is created, so a first plan (and an offline one) makes no AWS
# call; callers make the distribution wait for this module.
data "aws_lb_listener" "adopted" {
  count = var.verify_header && !var.create_listener && var.check_adopted_listener ? 1 : 0

  arn = var.listener_arn

  depends_on = [aws_lb_listener_rule.origin_verify]

  lifecycle {
    postcondition {
      condition     = self.load_balancer_arn == var.load_balancer_arn && self.protocol == "HTTPS"
      error_message = "The listener ${coalesce(var.listener_arn, "(none)")} is not an HTTPS listener of ${coalesce(var.load_balancer_arn, "(none)")}: name the adopted ALB's HTTPS listener."
    }

    postcondition {
      condition     = length(self.default_action) == 1 && self.default_action[0].type == "fixed-response" && try(self.default_action[0].fixed_response[0].status_code, "") == "403"
      error_message = "The default action of listener ${coalesce(var.listener_arn, "(none)")} is not a fixed 403: requests without the X-Origin-Verify secret would reach its targets. Make it return a fixed 403."
    }
  }
}
