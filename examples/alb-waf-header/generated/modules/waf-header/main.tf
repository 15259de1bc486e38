locals {
  # The rule matches the current value or the previous one; outside a
  # rotation both statements hold the current value (an OR needs two).
  current  = var.header_values[0]
  previous = var.header_values[length(var.header_values) - 1]
}

################################################################################
# Web ACL: block by default; allow only requests whose header is exactly the
# current or the previous secret
################################################################################

resource "aws_wafv2_web_acl" "this" {
  #checkov:skip=CKV_AWS_192:The web ACL admits only requests carrying the secret CloudFront sends; the Log4j managed rule group belongs on the distribution's web ACL, which sees viewers' requests.
  name        = var.name
  description = "Admits only requests carrying the ${var.header_name} secret that CloudFront sends (cfgen)"
  scope       = "REGIONAL"

  default_action {
    block {}
  }

  rule {
    name     = "allow-origin-secret"
    priority = 0

    action {
      allow {}
    }

    statement {
      or_statement {
        statement {
          byte_match_statement {
            search_string         = local.current
            positional_constraint = "EXACTLY"

            field_to_match {
              single_header {
                name = var.header_name
              }
            }

            # NONE only: a transformation would admit values that differ from the secret.
            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }

        statement {
          byte_match_statement {
            search_string         = local.previous
            positional_constraint = "EXACTLY"

            field_to_match {
              single_header {
                name = var.header_name
              }
            }

            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }
      }
    }

    # Sampled requests hold every header, the secret included: off.
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.metric_name}-allow"
      sampled_requests_enabled   = false
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = var.metric_name
    sampled_requests_enabled   = false
  }

  tags = var.tags
}

################################################################################
# Associations: any regional resource (a REST API stage, an ALB, ...)
################################################################################

resource "aws_wafv2_web_acl_association" "this" {
  for_each = var.associations

  # Indexed, not each.value: cfgen's proofs follow the reference to the resource.
  resource_arn = var.associations[each.key]
  web_acl_arn  = aws_wafv2_web_acl.this.arn
}

################################################################################
# Logging (optional), with the header redacted: WAF logs would otherwise hold
# the secret of every request it allows
################################################################################

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  count = length(var.log_destination_arns) > 0 ? 1 : 0

  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = var.log_destination_arns

  redacted_fields {
    single_header {
      name = var.header_name
    }
  }
}
