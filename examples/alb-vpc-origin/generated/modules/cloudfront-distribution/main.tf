locals {
  # Behaviors may target an origin or an origin failover group.
  target_ids = concat(keys(var.origins), keys(var.origin_groups))
  behavior_target_ids = concat(
    [var.default_cache_behavior.target_origin_id],
    [for b in var.ordered_cache_behaviors : b.target_origin_id],
  )
  group_member_ids = flatten([
    for g in values(var.origin_groups) : [g.primary_origin_id, g.secondary_origin_id]
  ])
}

################################################################################
# Distribution
################################################################################

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV2_AWS_42:A custom certificate needs aliases: with aliases the module requires acm_certificate_arn (precondition); without aliases the distribution answers only on its *.cloudfront.net name, which only the default certificate covers.
  #checkov:skip=CKV2_AWS_47:The web ACL is an input (web_acl_id ARN) managed outside this module; its rules, including the Log4j managed rule group, belong to that ACL's definition.
  #checkov:skip=CKV_AWS_174:With acm_certificate_arn the module sets minimum_protocol_version, validated to TLSv1.2_2021 or newer; without it the *.cloudfront.net certificate is used, for which CloudFront allows only the TLSv1 policy.
  #checkov:skip=CKV_AWS_374:Geo restriction is a content-distribution choice, not an origin-protection control; it is applied when geo_restriction is given.
  enabled             = true
  comment             = var.comment != null ? var.comment : var.name
  aliases             = var.aliases
  default_root_object = var.default_root_object
  http_version        = var.http_version
  is_ipv6_enabled     = var.is_ipv6_enabled
  price_class         = var.price_class
  web_acl_id          = var.web_acl_id

  dynamic "origin" {
    for_each = var.origins

    content {
      origin_id                = origin.key
      domain_name              = origin.value.domain_name
      origin_path              = origin.value.origin_path
      origin_access_control_id = origin.value.origin_access_control_id
      connection_attempts      = origin.value.connection_attempts
      connection_timeout       = origin.value.connection_timeout

      dynamic "s3_origin_config" {
        for_each = origin.value.origin_access_identity != null ? [origin.value.origin_access_identity] : []

        content {
          origin_access_identity = s3_origin_config.value
        }
      }

      dynamic "custom_origin_config" {
        for_each = origin.value.custom_origin_config != null ? [origin.value.custom_origin_config] : []

        content {
          http_port                = custom_origin_config.value.http_port
          https_port               = custom_origin_config.value.https_port
          origin_protocol_policy   = custom_origin_config.value.origin_protocol_policy
          origin_ssl_protocols     = custom_origin_config.value.origin_ssl_protocols
          origin_read_timeout      = custom_origin_config.value.origin_read_timeout
          origin_keepalive_timeout = custom_origin_config.value.origin_keepalive_timeout
        }
      }

      dynamic "vpc_origin_config" {
        for_each = origin.value.vpc_origin_config != null ? [origin.value.vpc_origin_config] : []

        content {
          vpc_origin_id            = vpc_origin_config.value.vpc_origin_id
          origin_read_timeout      = vpc_origin_config.value.origin_read_timeout
          origin_keepalive_timeout = vpc_origin_config.value.origin_keepalive_timeout
        }
      }

      # An origin's custom headers carry its secret (X-Origin-Verify, the
      # website's Referer): marked here, so that no plan, state or `show`
      # prints one even when a caller passes it unmarked. Terraform marks the
      # whole `origin` set then (it cannot mark one element of a set); marking
      # the `origins` variable instead would also make every value derived from
      # it sensitive, in this module and in the origin modules' outputs.
      dynamic "custom_header" {
        for_each = origin.value.custom_headers

        content {
          name  = custom_header.value.name
          value = sensitive(custom_header.value.value)
        }
      }
    }
  }

  dynamic "origin_group" {
    for_each = var.origin_groups

    content {
      origin_id = origin_group.key

      failover_criteria {
        status_codes = origin_group.value.status_codes
      }

      member {
        origin_id = origin_group.value.primary_origin_id
      }

      member {
        origin_id = origin_group.value.secondary_origin_id
      }
    }
  }

  default_cache_behavior {
    target_origin_id           = var.default_cache_behavior.target_origin_id
    viewer_protocol_policy     = var.default_cache_behavior.viewer_protocol_policy
    allowed_methods            = var.default_cache_behavior.allowed_methods
    cached_methods             = var.default_cache_behavior.cached_methods
    compress                   = var.default_cache_behavior.compress
    cache_policy_id            = var.default_cache_behavior.cache_policy_id
    origin_request_policy_id   = var.default_cache_behavior.origin_request_policy_id
    response_headers_policy_id = var.default_cache_behavior.response_headers_policy_id
    trusted_key_groups         = var.default_cache_behavior.trusted_key_groups

    dynamic "function_association" {
      for_each = var.default_cache_behavior.function_associations

      content {
        event_type   = function_association.value.event_type
        function_arn = function_association.value.function_arn
      }
    }

    dynamic "lambda_function_association" {
      for_each = var.default_cache_behavior.lambda_function_associations

      content {
        event_type   = lambda_function_association.value.event_type
        lambda_arn   = lambda_function_association.value.lambda_arn
        include_body = lambda_function_association.value.include_body
      }
    }
  }

  dynamic "ordered_cache_behavior" {
    for_each = var.ordered_cache_behaviors

    content {
      path_pattern               = ordered_cache_behavior.value.path_pattern
      target_origin_id           = ordered_cache_behavior.value.target_origin_id
      viewer_protocol_policy     = ordered_cache_behavior.value.viewer_protocol_policy
      allowed_methods            = ordered_cache_behavior.value.allowed_methods
      cached_methods             = ordered_cache_behavior.value.cached_methods
      compress                   = ordered_cache_behavior.value.compress
      cache_policy_id            = ordered_cache_behavior.value.cache_policy_id
      origin_request_policy_id   = ordered_cache_behavior.value.origin_request_policy_id
      response_headers_policy_id = ordered_cache_behavior.value.response_headers_policy_id
      trusted_key_groups         = ordered_cache_behavior.value.trusted_key_groups

      dynamic "function_association" {
        for_each = ordered_cache_behavior.value.function_associations

        content {
          event_type   = function_association.value.event_type
          function_arn = function_association.value.function_arn
        }
      }

      dynamic "lambda_function_association" {
        for_each = ordered_cache_behavior.value.lambda_function_associations

        content {
          event_type   = lambda_function_association.value.event_type
          lambda_arn   = lambda_function_association.value.lambda_arn
          include_body = lambda_function_association.value.include_body
        }
      }
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = var.acm_certificate_arn == null
    acm_certificate_arn            = var.acm_certificate_arn
    ssl_support_method             = var.acm_certificate_arn != null ? "sni-only" : null
    minimum_protocol_version       = var.acm_certificate_arn != null ? var.minimum_protocol_version : null
  }

  restrictions {
    geo_restriction {
      restriction_type = var.geo_restriction.restriction_type
      locations        = var.geo_restriction.locations
    }
  }

  dynamic "logging_config" {
    for_each = var.logging != null ? [var.logging] : []

    content {
      bucket          = logging_config.value.bucket
      prefix          = logging_config.value.prefix
      include_cookies = logging_config.value.include_cookies
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = length(var.aliases) == 0 || var.acm_certificate_arn != null
      error_message = "aliases need a certificate that covers them: set acm_certificate_arn (us-east-1) or remove the aliases."
    }

    precondition {
      condition     = alltrue([for id in local.behavior_target_ids : contains(local.target_ids, id)])
      error_message = "Every cache behavior's target_origin_id must be a key of origins or origin_groups: fix the id or add the origin."
    }

    precondition {
      condition     = alltrue([for id in local.group_member_ids : contains(keys(var.origins), id)])
      error_message = "origin_groups members (primary_origin_id, secondary_origin_id) must be keys of origins: fix the id or add the origin."
    }
  }
}
