################################################################################
# REST API: REGIONAL (an EDGE API would put a second CloudFront in front)
################################################################################

resource "aws_api_gateway_rest_api" "this" {
  name        = var.name
  description = "cfgen demo REST API behind CloudFront (${var.authorization}${var.api_key_required ? ", API key" : ""})"
  # The key is read from x-api-key; AUTHORIZER would let an authorizer supply it.
  api_key_source = "HEADER"

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

################################################################################
# GET / : answers 200 from a mock integration
################################################################################

resource "aws_api_gateway_method" "get" {
  #checkov:skip=CKV2_AWS_53:A mock GET without parameters or body: there is nothing to validate.
  rest_api_id      = aws_api_gateway_rest_api.this.id
  resource_id      = aws_api_gateway_rest_api.this.root_resource_id
  http_method      = "GET"
  authorization    = var.authorization
  authorizer_id    = var.authorization == "CUSTOM" ? var.authorizer_id : null
  api_key_required = var.api_key_required

  lifecycle {
    precondition {
      condition     = var.authorization != "CUSTOM" || var.authorizer_id != null
      error_message = "authorization CUSTOM needs authorizer_id: pass the id of the REQUEST authorizer."
    }
  }
}

resource "aws_api_gateway_integration" "get" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = aws_api_gateway_rest_api.this.root_resource_id
  http_method = aws_api_gateway_method.get.http_method
  type        = "MOCK"

  request_templates = {
    "application/json" = jsonencode({ statusCode = 200 })
  }
}

resource "aws_api_gateway_method_response" "get" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = aws_api_gateway_rest_api.this.root_resource_id
  http_method = aws_api_gateway_method.get.http_method
  status_code = "200"
}

resource "aws_api_gateway_integration_response" "get" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = aws_api_gateway_rest_api.this.root_resource_id
  http_method = aws_api_gateway_method.get.http_method
  status_code = aws_api_gateway_method_response.get.status_code

  response_templates = {
    "application/json" = jsonencode({ message = "hello from a REST API, through CloudFront" })
  }

  depends_on = [aws_api_gateway_integration.get]
}

################################################################################
# OPTIONS / (cors): the preflight answers from a mock, without key or caller
# checks, because browsers send it without credentials or custom headers
################################################################################

resource "aws_api_gateway_method" "options" {
  #checkov:skip=CKV_AWS_59:A CORS preflight carries no credentials by the Fetch standard; it answers from a mock and reaches no backend.
  #checkov:skip=CKV2_AWS_53:A mock preflight without parameters or body: there is nothing to validate.
  count = var.cors ? 1 : 0

  rest_api_id      = aws_api_gateway_rest_api.this.id
  resource_id      = aws_api_gateway_rest_api.this.root_resource_id
  http_method      = "OPTIONS"
  authorization    = "NONE"
  api_key_required = false
}

resource "aws_api_gateway_integration" "options" {
  count = var.cors ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = aws_api_gateway_rest_api.this.root_resource_id
  http_method = aws_api_gateway_method.options[0].http_method
  type        = "MOCK"

  request_templates = {
    "application/json" = jsonencode({ statusCode = 200 })
  }
}

resource "aws_api_gateway_method_response" "options" {
  count = var.cors ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = aws_api_gateway_rest_api.this.root_resource_id
  http_method = aws_api_gateway_method.options[0].http_method
  status_code = "204"

  response_parameters = {
    "method.response.header.Access-Control-Allow-Headers" = true
    "method.response.header.Access-Control-Allow-Methods" = true
    "method.response.header.Access-Control-Allow-Origin"  = true
  }
}

resource "aws_api_gateway_integration_response" "options" {
  count = var.cors ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = aws_api_gateway_rest_api.this.root_resource_id
  http_method = aws_api_gateway_method.options[0].http_method
  status_code = aws_api_gateway_method_response.options[0].status_code

  response_parameters = {
    "method.response.header.Access-Control-Allow-Headers" = "'Content-Type'"
    "method.response.header.Access-Control-Allow-Methods" = "'GET,OPTIONS'"
    "method.response.header.Access-Control-Allow-Origin"  = "'${var.cors_allow_origin}'"
  }

  depends_on = [aws_api_gateway_integration.options]
}

################################################################################
# Deployment and stage: a new deployment whenever a method, an integration or
# a `redeploy_triggers` value (the resource policy) changes
################################################################################

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id

  # A resource policy takes effect only with a deployment made after it is
  # attached: hashing it here makes Terraform deploy again when it changes.
  triggers = {
    redeployment = sha256(jsonencode([
      aws_api_gateway_method.get.id,
      aws_api_gateway_method.get.authorization,
      aws_api_gateway_method.get.authorizer_id,
      aws_api_gateway_method.get.api_key_required,
      aws_api_gateway_integration.get.id,
      aws_api_gateway_integration_response.get.id,
      aws_api_gateway_method.options[*].id,
      aws_api_gateway_integration_response.options[*].id,
      var.redeploy_triggers,
    ]))
  }

  lifecycle {
    # The stage moves to the new deployment before the old one goes
    # ("Active stages pointing to this deployment must be moved or deleted").
    create_before_destroy = true
  }

  depends_on = [aws_api_gateway_integration_response.get, aws_api_gateway_integration_response.options]
}

resource "aws_api_gateway_stage" "this" {
  #checkov:skip=CKV_AWS_73:X-Ray tracing of a mock demo stage costs money and shows nothing; turn it on for a real API.
  #checkov:skip=CKV_AWS_120:Caching belongs on the distribution (cache policies); a stage cache of a mock would only add cost.
  #checkov:skip=CKV2_AWS_4:No execution logging for a mock demo stage: it would need the account's CloudWatch role, and with data tracing it would log the headers that carry the origin secret.
  #checkov:skip=CKV2_AWS_51:Client certificates authenticate API Gateway to HTTP backends; the demo's backend is a mock.
  rest_api_id   = aws_api_gateway_rest_api.this.id
  deployment_id = aws_api_gateway_deployment.this.id
  stage_name    = var.stage_name

  dynamic "access_log_settings" {
    for_each = var.access_log_group_arn == null ? [] : [var.access_log_group_arn]

    content {
      destination_arn = access_log_settings.value
      # No request headers: CloudFront's requests carry the origin secret.
      format = jsonencode({
        requestId      = "$context.requestId"
        requestTime    = "$context.requestTime"
        httpMethod     = "$context.httpMethod"
        resourcePath   = "$context.resourcePath"
        status         = "$context.status"
        protocol       = "$context.protocol"
        responseLength = "$context.responseLength"
        sourceIp       = "$context.identity.sourceIp"
        errorMessage   = "$context.error.message"
      })
    }
  }

  tags = var.tags
}
