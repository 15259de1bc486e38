locals {
  function_name = var.create_demo_function ? one(aws_lambda_function.demo[*].function_name) : var.function_name
  # The URL's host: the origin CloudFront connects to and signs for.
  function_url = var.create_function_url ? one(aws_lambda_function_url.this[*].function_url) : one(data.aws_lambda_function_url.existing[*].function_url)
}

################################################################################
# Function URL: auth type AWS_IAM, so only signed requests reach the function
################################################################################

resource "aws_lambda_function_url" "this" {
  count = var.create_function_url ? 1 : 0

  function_name      = local.function_name
  qualifier          = var.qualifier
  authorization_type = "AWS_IAM"
}

# A URL the function already has is its owner's: read once the OAC exists (a
# first plan, and an offline one, make no AWS call), never changed. The apply
# stops unless it takes only signed requests.
data "aws_lambda_function_url" "existing" {
  count = var.create_function_url ? 0 : 1

  function_name = local.function_name
  qualifier     = var.qualifier

  depends_on = [aws_cloudfront_origin_access_control.this]

  lifecycle {
    postcondition {
      condition     = self.authorization_type == "AWS_IAM"
      error_message = "The function URL of ${coalesce(var.function_name, "(none)")} has auth type ${self.authorization_type}: anyone could call it around CloudFront. Set it to AWS_IAM (aws lambda update-function-url-config --auth-type AWS_IAM), then apply again."
    }
  }
}

################################################################################
# Origin Access Control: CloudFront signs every request with SigV4
################################################################################

resource "aws_cloudfront_origin_access_control" "this" {
  name                              = var.name
  description                       = "Signs requests to the function URL of ${var.name} (cfgen)"
  origin_access_control_origin_type = "lambda"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

################################################################################
# Permissions: CloudFront, for this distribution only (both are required)
################################################################################

# The URL takes signed requests from principals its policy allows: CloudFront,
# when it signs for this distribution.
resource "aws_lambda_permission" "invoke_url" {
  statement_id           = "${var.name}-invoke-url"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = local.function_name
  qualifier              = var.qualifier
  principal              = "cloudfront.amazonaws.com"
  source_arn             = var.distribution_arn
  function_url_auth_type = "AWS_IAM"
}

# Since October 2025 a function URL also needs lambda:InvokeFunction. Provider
# 6.28 can limit it to calls through the URL (invoked_via_function_url); on
# 5.x the grant is limited by AWS:SourceArn = this distribution only.
resource "aws_lambda_permission" "invoke" {
  statement_id  = "${var.name}-invoke"
  action        = "lambda:InvokeFunction"
  function_name = local.function_name
  qualifier     = var.qualifier
  principal     = "cloudfront.amazonaws.com"
  source_arn    = var.distribution_arn
}

################################################################################
# Demo function (create_demo_function)
################################################################################

resource "aws_lambda_function" "demo" {
  #checkov:skip=CKV_AWS_117:The demo answers from its input alone and calls nothing; in a VPC it would gain no isolation.
  #checkov:skip=CKV_AWS_116:Called synchronously through its URL: a failed call is the caller's error response, so a dead-letter queue would hold nothing.
  #checkov:skip=CKV_AWS_272:The code is cfgen's own, built reproducibly at render time and pinned by source_code_hash; code signing needs a Signer profile this module cannot assume exists.
  #checkov:skip=CKV_AWS_50:The demo makes no call worth tracing; one JSON log line per request records what it answered.
  count = var.create_demo_function ? 1 : 0

  function_name = var.name
  description   = "Demo behind a function URL that only CloudFront may call (cfgen)"
  role          = aws_iam_role.demo[0].arn

  filename         = var.demo_zip_path
  source_code_hash = filebase64sha256(var.demo_zip_path)
  handler          = "url_demo.handler.handler"
  runtime          = "python3.12"
  architectures    = ["arm64"]
  memory_size      = 128
  timeout          = 10
  # A ceiling on what a flood of requests through the distribution can cost.
  reserved_concurrent_executions = var.demo_concurrency

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.demo[0].name
  }

  tags = var.tags

  # The role may write logs before the first request.
  depends_on = [aws_iam_role_policy.demo]
}

resource "aws_cloudwatch_log_group" "demo" {
  #checkov:skip=CKV_AWS_158:The log holds a method, a path and a status per request, no secret or personal data; CloudWatch Logs encrypts it at rest with its own key.
  count = var.create_demo_function ? 1 : 0

  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

data "aws_iam_policy_document" "assume_role" {
  count = var.create_demo_function ? 1 : 0

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

resource "aws_iam_role" "demo" {
  count = var.create_demo_function ? 1 : 0

  name               = var.name
  description        = "Execution role of the ${var.name} demo function (cfgen)"
  assume_role_policy = data.aws_iam_policy_document.assume_role[0].json

  tags = var.tags
}

data "aws_iam_policy_document" "demo" {
  count = var.create_demo_function ? 1 : 0

  statement {
    sid       = "WriteOwnLog"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.demo[0].arn}:*"]
  }
}

resource "aws_iam_role_policy" "demo" {
  count = var.create_demo_function ? 1 : 0

  name   = "url-demo"
  role   = aws_iam_role.demo[0].id
  policy = data.aws_iam_policy_document.demo[0].json
}
