################################################################################
# API keys: API Gateway generates each value (sensitive); two generations side
# by side during a rotation
################################################################################

resource "aws_api_gateway_api_key" "this" {
  for_each = toset(var.key_names)

  name        = "${var.name}-${each.key}"
  description = "Sent by CloudFront as x-api-key to ${var.rest_api_id}/${var.stage_name} (cfgen); generation ${each.key}"
  enabled     = true
  # No `value`: API Gateway generates one, which the provider marks sensitive.

  tags = var.tags
}

################################################################################
# Usage plan: this API's stage only (a key valid in a plan opens every API of
# that plan), no throttle or quota unless asked for
################################################################################

resource "aws_api_gateway_usage_plan" "this" {
  name        = var.name
  description = "Makes the API keys CloudFront sends valid on ${var.rest_api_id}/${var.stage_name}, and nothing else (cfgen)"

  api_stages {
    api_id = var.rest_api_id
    stage  = var.stage_name
  }

  dynamic "throttle_settings" {
    for_each = var.throttle == null ? [] : [var.throttle]

    content {
      rate_limit  = throttle_settings.value.rate_limit
      burst_limit = throttle_settings.value.burst_limit
    }
  }

  dynamic "quota_settings" {
    for_each = var.quota == null ? [] : [var.quota]

    content {
      limit  = quota_settings.value.limit
      period = quota_settings.value.period
    }
  }

  tags = var.tags
}

resource "aws_api_gateway_usage_plan_key" "this" {
  for_each = toset(var.key_names)

  # Indexed, not each.value: cfgen's proofs follow the reference to the key.
  key_id        = aws_api_gateway_api_key.this[each.key].id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.this.id
}
