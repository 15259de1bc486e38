locals {
  # Every route: GET / and $default (what no other route matches).
  route_keys = toset(["GET /", "$default"])
}

################################################################################
# HTTP API and its $default stage (deployed on every change)
################################################################################

resource "aws_apigatewayv2_api" "this" {
  name          = var.name
  description   = "cfgen demo HTTP API behind CloudFront (${var.authorization})"
  protocol_type = "HTTP"

  tags = var.tags
}

resource "aws_apigatewayv2_stage" "this" {
  #checkov:skip=CKV_AWS_95:No access logs for the demo stage of a fixed greeting: they would need a log group this module does not own; turn them on for a real API.
  #checkov:skip=CKV_AWS_76:No access logs for the demo stage of a fixed greeting: they would need a log group this module does not own; turn them on for a real API.
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  tags = var.tags
}

################################################################################
# Routes, each through the authorizer when authorization is CUSTOM
################################################################################

resource "aws_apigatewayv2_route" "this" {
  for_each = local.route_keys

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.key
  target             = "integrations/${aws_apigatewayv2_integration.this.id}"
  authorization_type = var.authorization
  authorizer_id      = var.authorization == "CUSTOM" ? var.authorizer_id : null

  lifecycle {
    precondition {
      condition     = var.authorization != "CUSTOM" || var.authorizer_id != null
      error_message = "authorization CUSTOM needs authorizer_id: pass the id of the REQUEST authorizer."
    }
  }
}

resource "aws_apigatewayv2_integration" "this" {
  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.this.invoke_arn
  payload_format_version = "2.0"
}

################################################################################
# The backend: a function that answers a fixed greeting
################################################################################

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:The function calls nothing; in a VPC it would gain no isolation. It accepts only this API's invocations.
  #checkov:skip=CKV_AWS_116:API Gateway invokes it synchronously: there is no event to keep.
  #checkov:skip=CKV_AWS_272:The code is cfgen's own, built reproducibly at render time and pinned by source_code_hash; code signing needs a Signer profile this module cannot assume exists.
  #checkov:skip=CKV_AWS_50:A fixed answer with no calls to trace.
  #checkov:skip=CKV_AWS_115:A demo backend; API Gateway's own throttling bounds it, and reserving concurrency takes it from the account's other functions.
  #checkov:skip=CKV_AWS_173:No environment variables.
  function_name = var.name
  description   = "Backend of the cfgen demo HTTP API: a fixed greeting (cfgen)"
  role          = aws_iam_role.this.arn

  filename         = var.zip_path
  source_code_hash = filebase64sha256(var.zip_path)
  handler          = "demo_api.handler.handler"
  runtime          = "python3.12"
  architectures    = ["arm64"]
  memory_size      = 128
  timeout          = 3

  tags = var.tags
}

# The API may invoke the backend through its routes, nothing else.
resource "aws_lambda_permission" "this" {
  statement_id  = "AllowThisApiRoutes"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/*/*"
}

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "LambdaAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

# No policy: the function writes no log and calls nothing.
resource "aws_iam_role" "this" {
  name               = var.name
  description        = "Execution role of the ${var.name} demo backend (cfgen)"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json

  tags = var.tags
}
