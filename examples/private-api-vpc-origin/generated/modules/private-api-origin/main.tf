data "aws_partition" "current" {}

locals {
  subnet_ids = [for s in var.subnets : s.id]
  api_id     = var.create_demo_api ? aws_api_gateway_rest_api.demo[0].id : var.rest_api_id
}

################################################################################
# Security groups: CloudFront -> ALB -> endpoint, each from the previous hop
################################################################################

resource "aws_security_group" "alb" {
  name_prefix = "${var.name}-alb-"
  description = "${var.name}: internal ALB, HTTPS from CloudFront VPC origins only (cfgen)"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-alb" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "endpoint" {
  name_prefix = "${var.name}-vpce-"
  description = "${var.name}: execute-api endpoint, HTTPS from the internal ALB only (cfgen)"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-vpce" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "alb_to_endpoint" {
  security_group_id            = aws_security_group.alb.id
  description                  = "HTTPS to the execute-api endpoint"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.endpoint.id

  tags = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "endpoint_from_alb" {
  security_group_id            = aws_security_group.endpoint.id
  description                  = "HTTPS from the internal ALB"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.alb.id

  tags = var.tags
}

################################################################################
# execute-api interface endpoint
################################################################################

resource "aws_vpc_endpoint" "execute_api" {
  vpc_id            = var.vpc_id
  service_name      = "com.amazonaws.${var.region}.execute-api"
  vpc_endpoint_type = "Interface"
  subnet_ids        = local.subnet_ids
  # The ALB reaches the endpoint by IP and names the API in x-apigw-api-id;
  # private DNS would also redirect every execute-api name of the VPC here.
  private_dns_enabled = false
  security_group_ids  = [aws_security_group.endpoint.id]
  ip_address_type     = "ipv4"

  dynamic "subnet_configuration" {
    for_each = var.target_sync == "static_ips" ? var.static_ips : {}

    content {
      subnet_id = subnet_configuration.key
      ipv4      = subnet_configuration.value
    }
  }

  # Only this API, whatever x-apigw-api-id a request names (see endpoint_demo).
  policy = var.create_demo_api ? data.aws_iam_policy_document.endpoint_demo[0].json : data.aws_iam_policy_document.endpoint_existing[0].json

  tags = merge(var.tags, { Name = "${var.name}-execute-api" })

  lifecycle {
    # A replacement (a new VPC, say) exists before the old endpoint goes, so the
    # chain keeps a way in while the API's policy moves to the new id; an
    # existing API's stage must then be redeployed (see README).
    create_before_destroy = true

    precondition {
      condition     = var.target_sync != "static_ips" || toset(keys(var.static_ips)) == toset(local.subnet_ids)
      error_message = "target_sync static_ips needs one fixed IP per subnet: static_ips must have exactly the keys of subnets."
    }
  }
}

# The endpoint routes on x-apigw-api-id, to any private API whose policy
# admits it: its own policy allows execute-api:Invoke on this API alone. Two
# documents chosen by count, so that cfgen's proofs can read the one in use
# from the configuration while the demo API's ARN is unknown.
data "aws_iam_policy_document" "endpoint_demo" {
  #checkov:skip=CKV_AWS_283:Requests reach the API through this chain unsigned (CloudFront's, forwarded by the ALB), so the principal is anyone; the statement allows only execute-api:Invoke on this API (CFG_PRIVATE_API_ENDPOINT_POLICY).
  count = var.create_demo_api ? 1 : 0

  statement {
    sid       = "InvokeOnlyThisApi"
    effect    = "Allow"
    actions   = ["execute-api:Invoke"]
    resources = ["${aws_api_gateway_rest_api.demo[0].execution_arn}/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

# An existing API is in this account (its resource policy is managed here),
# which is the certificate's: an ALB's ACM certificate is in the ALB's account.
data "aws_iam_policy_document" "endpoint_existing" {
  #checkov:skip=CKV_AWS_283:Requests reach the API through this chain unsigned (CloudFront's, forwarded by the ALB), so the principal is anyone; the statement allows only execute-api:Invoke on this API (CFG_PRIVATE_API_ENDPOINT_POLICY).
  count = var.create_demo_api ? 0 : 1

  statement {
    sid       = "InvokeOnlyThisApi"
    effect    = "Allow"
    actions   = ["execute-api:Invoke"]
    resources = ["arn:${data.aws_partition.current.partition}:execute-api:${var.region}:${split(":", var.certificate_arn)[4]}:${var.rest_api_id}/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

################################################################################
# Internal ALB -> IP target group of the endpoint's IPs
################################################################################

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_28:An internal ALB reachable only from CloudFront VPC origins; a WAF web ACL belongs on the distribution (web_acl_arn).
  name_prefix                = "cfp-"
  internal                   = true
  load_balancer_type         = "application"
  subnets                    = local.subnet_ids
  security_groups            = [aws_security_group.alb.id]
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

resource "aws_lb_target_group" "endpoint" {
  name_prefix = "cfp-"
  target_type = "ip"
  port        = 443
  protocol    = "HTTPS"
  vpc_id      = var.vpc_id

  health_check {
    enabled  = true
    protocol = "HTTPS"
    path     = "/"
    # An execute-api endpoint answers 403 when no API is named.
    matcher = "200,403"
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

# HTTPS; whatever the secret-header rule (module.vpc_origin) does not forward gets a 403.
module "listener" {
  source = "../lb-listener"

  load_balancer_arn = aws_lb.this.arn
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn
  default_action    = "deny"

  tags = var.tags
}

# Where the listener was before it moved to lb-listener.
moved {
  from = aws_lb_listener.https
  to   = module.listener.aws_lb_listener.this[0]
}

# static_ips: the fixed addresses, known at plan.
resource "aws_lb_target_group_attachment" "static" {
  for_each = var.target_sync == "static_ips" ? var.static_ips : {}

  target_group_arn = aws_lb_target_group.endpoint.arn
  target_id        = each.value
  port             = 443

  depends_on = [aws_vpc_endpoint.execute_api]
}

# apply_time: the endpoint's interface in each subnet, keyed by subnet id
# (for_each over network_interface_ids fails: they are known only after
# apply). With a new endpoint the lookup is read during apply.
data "aws_network_interface" "endpoint" {
  for_each = var.target_sync == "apply_time" ? toset(local.subnet_ids) : toset([])

  filter {
    name   = "description"
    values = ["VPC Endpoint Interface ${aws_vpc_endpoint.execute_api.id}"]
  }

  filter {
    name   = "subnet-id"
    values = [each.key]
  }
}

resource "aws_lb_target_group_attachment" "apply_time" {
  for_each = var.target_sync == "apply_time" ? toset(local.subnet_ids) : toset([])

  target_group_arn = aws_lb_target_group.endpoint.arn
  target_id        = data.aws_network_interface.endpoint[each.key].private_ip
  port             = 443
}

################################################################################
# CloudFront VPC origin -> the ALB (ingress rule on the ALB's group, and the
# listener rule that forwards only CloudFront's requests for this API)
################################################################################

module "vpc_origin" {
  source = "../vpc-origin"

  name                        = var.name
  origin_type                 = "alb"
  origin_domain               = var.origin_domain
  origin_path                 = "/${var.stage_name}"
  vpc_id                      = var.vpc_id
  create_load_balancer        = false
  load_balancer_arn           = aws_lb.this.arn
  security_group_id           = aws_security_group.alb.id
  check_adopted_load_balancer = false

  # Forward only requests with the secret that name this API: the endpoint
  # would route any x-apigw-api-id to any private API that admits it.
  listener_rule    = true
  listener_arn     = module.listener.listener_arn
  target_group_arn = aws_lb_target_group.endpoint.arn
  origin_secrets   = var.origin_secrets
  # Spelled out rather than local.api_id: cfgen's proofs follow it to the API.
  rule_headers = { "x-apigw-api-id" = [var.create_demo_api ? aws_api_gateway_rest_api.demo[0].id : var.rest_api_id] }

  tags = var.tags
}

################################################################################
# Resource policy: execute-api:Invoke only through this endpoint
################################################################################

data "aws_iam_policy_document" "api" {
  # Static statements only: cfgen's proofs read them from the configuration
  # while the endpoint id is still unknown. An existing API's own statements
  # (`kept_policy_json`, a constant in the caller, so the proofs read them
  # too) are merged in: the policy replaces the API's, and nothing of the
  # owner's is dropped silently.
  source_policy_documents = var.kept_policy_json == null ? [] : [var.kept_policy_json]

  statement {
    sid       = "AllowInvokeThroughThisEndpoint"
    effect    = "Allow"
    actions   = ["execute-api:Invoke"]
    resources = ["execute-api:/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceVpce"
      values   = [aws_vpc_endpoint.execute_api.id]
    }
  }

  statement {
    sid       = "DenyInvokeFromElsewhere"
    effect    = "Deny"
    actions   = ["execute-api:Invoke"]
    resources = ["execute-api:/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "aws:SourceVpce"
      values   = [aws_vpc_endpoint.execute_api.id]
    }
  }
}

resource "aws_api_gateway_rest_api_policy" "this" {
  count = var.create_demo_api ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.demo[0].id
  policy      = data.aws_iam_policy_document.api.json
}

# An existing API's policy is kept when this module is destroyed: destroying it
# would take the owner's statements with it. A plan that destroys it stops
# with "Instance cannot be destroyed"; to take the module down, first remove it
# from the state (README: "An existing API"). `prevent_destroy` takes a
# literal, hence one resource per case.
resource "aws_api_gateway_rest_api_policy" "adopted" {
  count = var.create_demo_api ? 0 : 1

  rest_api_id = var.rest_api_id
  policy      = data.aws_iam_policy_document.api.json

  lifecycle {
    prevent_destroy = true
  }
}

################################################################################
# Demo API (create_demo_api): PRIVATE, GET / answers 200 from a mock
################################################################################

resource "aws_api_gateway_rest_api" "demo" {
  count = var.create_demo_api ? 1 : 0

  name        = "${var.name}-demo"
  description = "cfgen demo PRIVATE API behind CloudFront (${var.origin_domain})"

  endpoint_configuration {
    types = ["PRIVATE"]
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = var.rest_api_id == null
      error_message = "create_demo_api and rest_api_id exclude each other: set rest_api_id = null to create the demo API."
    }
  }
}

resource "aws_api_gateway_method" "demo" {
  #checkov:skip=CKV_AWS_59:The demo method is open by design to callers that the resource policy lets in: only requests through this VPC endpoint, which only the CloudFront-fronted ALB reaches.
  #checkov:skip=CKV2_AWS_53:A mock GET without parameters or body: there is nothing to validate.
  count = var.create_demo_api ? 1 : 0

  rest_api_id   = aws_api_gateway_rest_api.demo[0].id
  resource_id   = aws_api_gateway_rest_api.demo[0].root_resource_id
  http_method   = "GET"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "demo" {
  count = var.create_demo_api ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.demo[0].id
  resource_id = aws_api_gateway_rest_api.demo[0].root_resource_id
  http_method = aws_api_gateway_method.demo[0].http_method
  type        = "MOCK"

  request_templates = {
    "application/json" = jsonencode({ statusCode = 200 })
  }
}

resource "aws_api_gateway_method_response" "demo" {
  count = var.create_demo_api ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.demo[0].id
  resource_id = aws_api_gateway_rest_api.demo[0].root_resource_id
  http_method = aws_api_gateway_method.demo[0].http_method
  status_code = "200"
}

resource "aws_api_gateway_integration_response" "demo" {
  count = var.create_demo_api ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.demo[0].id
  resource_id = aws_api_gateway_rest_api.demo[0].root_resource_id
  http_method = aws_api_gateway_method.demo[0].http_method
  status_code = aws_api_gateway_method_response.demo[0].status_code

  response_templates = {
    "application/json" = jsonencode({ message = "hello from a private API, through CloudFront" })
  }

  depends_on = [aws_api_gateway_integration.demo]
}

resource "aws_api_gateway_deployment" "demo" {
  count = var.create_demo_api ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.demo[0].id

  triggers = {
    redeployment = sha256(jsonencode([
      aws_api_gateway_method.demo[0].id,
      aws_api_gateway_integration.demo[0].id,
      aws_api_gateway_integration_response.demo[0].id,
      aws_api_gateway_rest_api_policy.this[0].policy,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }

  # A PRIVATE API deploys only with a resource policy in place.
  depends_on = [aws_api_gateway_rest_api_policy.this, aws_api_gateway_integration_response.demo]
}

resource "aws_api_gateway_stage" "demo" {
  #checkov:skip=CKV_AWS_73:X-Ray tracing of a mock demo stage costs money and shows nothing; turn it on for a real API.
  #checkov:skip=CKV_AWS_120:Caching belongs on the distribution (cache policies); a stage cache of a mock would only add cost.
  #checkov:skip=CKV2_AWS_4:No execution logging for a mock demo stage; enable it with an account CloudWatch role for a real API.
  #checkov:skip=CKV2_AWS_29:The stage is PRIVATE and admits only this VPC endpoint; a WAF web ACL belongs on the distribution (web_acl_arn).
  #checkov:skip=CKV2_AWS_51:Client certificates authenticate API Gateway to HTTP backends; the demo's backend is a mock.
  count = var.create_demo_api ? 1 : 0

  rest_api_id   = aws_api_gateway_rest_api.demo[0].id
  deployment_id = aws_api_gateway_deployment.demo[0].id
  stage_name    = var.stage_name

  dynamic "access_log_settings" {
    for_each = var.stage_access_log_group_arn == null ? [] : [var.stage_access_log_group_arn]

    content {
      destination_arn = access_log_settings.value
      # No request headers: the chain's requests carry the X-Origin-Verify secret.
      format = jsonencode({
        requestId      = "$context.requestId"
        requestTime    = "$context.requestTime"
        httpMethod     = "$context.httpMethod"
        resourcePath   = "$context.resourcePath"
        status         = "$context.status"
        protocol       = "$context.protocol"
        responseLength = "$context.responseLength"
        sourceIp       = "$context.identity.sourceIp"
        vpceId         = "$context.identity.vpceId"
      })
    }
  }

  tags = var.tags
}
