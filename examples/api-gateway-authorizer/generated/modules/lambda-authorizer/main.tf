locals {
  # Partition and account of the role (no data source that calls AWS, so the
  # module plans offline); region from the input.
  partition  = split(":", aws_iam_role.this.arn)[1]
  account_id = split(":", aws_iam_role.this.arn)[4]
  # The API's execution ARN, whether cfgen created the API or not.
  execution_arn = "arn:${local.partition}:execute-api:${var.region}:${local.account_id}:${var.api_id}"

  log_group_name = "/aws/lambda/${var.name}"

  # What the function may read: a secret given by name has a random suffix in its ARN.
  secret_arn = (
    var.secret_source != "secrets_manager" ? null :
    startswith(coalesce(var.secret_id, "-"), "arn:") ? var.secret_id :
    "arn:${local.partition}:secretsmanager:${var.region}:${local.account_id}:secret:${coalesce(var.secret_id, "-")}-??????"
  )
  parameter_arn = (
    var.secret_source != "ssm" ? null :
    "arn:${local.partition}:ssm:${var.region}:${local.account_id}:parameter/${trimprefix(coalesce(var.parameter_name, "-"), "/")}"
  )
}

################################################################################
# Function
################################################################################

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:The function reads Secrets Manager or SSM only; in a VPC it would need a NAT gateway or interface endpoints and gain no isolation. It accepts no inbound traffic but API Gateway's invocations.
  #checkov:skip=CKV_AWS_116:API Gateway invokes an authorizer synchronously: a failed call is answered at once (500) and there is no event to keep.
  #checkov:skip=CKV_AWS_272:The code is cfgen's own, built reproducibly at render time and pinned by source_code_hash; code signing needs a Signer profile this module cannot assume exists.
  #checkov:skip=CKV_AWS_50:The function makes at most two Secrets Manager or SSM reads per minute and environment; its JSON log lines record every deny and every read.
  #checkov:skip=CKV_AWS_115:API Gateway calls it once per uncached header value; a reserved concurrency would take capacity from the account's other functions and, once reached, refuse CloudFront's requests (API Gateway answers 500).
  function_name = var.name
  description   = "Allows API Gateway requests only with the ${var.header_name} secret CloudFront sends (cfgen)"
  role          = aws_iam_role.this.arn

  filename         = var.zip_path
  source_code_hash = filebase64sha256(var.zip_path)
  handler          = "origin_authorizer.handler.handler"
  runtime          = "python3.12"
  architectures    = ["arm64"]
  memory_size      = 128
  # API Gateway waits 10 s at most for an authorizer; a cold start reads two values.
  timeout = 10

  environment {
    variables = merge(
      {
        SECRET_SOURCE        = var.secret_source
        HEADER_NAME          = var.header_name
        SECRET_CACHE_SECONDS = tostring(var.secret_cache_seconds)
      },
      var.secret_source == "secrets_manager" ? { SECRET_ID = coalesce(var.secret_id, "-") } : {},
      var.secret_source == "ssm" ? { SECRET_PARAMETER = coalesce(var.parameter_name, "-") } : {},
      # Sensitive: a value derived from var.secret_values is marked wherever Terraform shows it.
      var.secret_source == "environment" ? {
        ORIGIN_SECRET          = var.secret_values[0]
        ORIGIN_SECRET_PREVIOUS = length(var.secret_values) > 1 ? var.secret_values[1] : ""
      } : {},
    )
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.this]

  lifecycle {
    precondition {
      condition = (
        (var.secret_source == "secrets_manager") == (var.secret_id != null) &&
        (var.secret_source == "ssm") == (var.parameter_name != null) &&
        (var.secret_source == "environment") == (length(var.secret_values) > 0)
      )
      error_message = "Give exactly what secret_source reads: secret_id for secrets_manager, parameter_name for ssm, secret_values for environment."
    }
  }
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:The log holds decisions, reasons and source IPs, never a header value or a secret; CloudWatch Logs encrypts it at rest with its own key.
  name              = local.log_group_name
  retention_in_days = var.log_retention_days

  tags = var.tags
}

################################################################################
# Execution role: its own log group, and the one secret it reads
################################################################################

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

resource "aws_iam_role" "this" {
  name               = var.name
  description        = "Execution role of the ${var.name} API Gateway authorizer (cfgen)"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json

  tags = var.tags
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "WriteOwnLog"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:${local.log_group_name}:*"]
  }

  dynamic "statement" {
    for_each = local.secret_arn == null ? [] : [local.secret_arn]

    content {
      sid       = "ReadOriginSecret"
      effect    = "Allow"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = local.parameter_arn == null ? [] : [local.parameter_arn]

    content {
      sid       = "ReadOriginSecretParameter"
      effect    = "Allow"
      actions   = ["ssm:GetParameter"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "origin-authorizer"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

################################################################################
# Authorizer on the API: REQUEST, identity source the header (API Gateway
# answers 401 without calling the function when it is missing)
################################################################################

resource "aws_api_gateway_authorizer" "rest" {
  count = var.api_type == "rest" ? 1 : 0

  name                             = var.name
  rest_api_id                      = var.api_id
  type                             = "REQUEST"
  authorizer_uri                   = aws_lambda_function.this.invoke_arn
  identity_source                  = "method.request.header.${var.header_name}"
  authorizer_result_ttl_in_seconds = var.result_ttl_seconds
}

# Payload 2.0 with simple responses: the function answers {"isAuthorized": bool}
# for every route of the API, so a cached answer fits them all.
resource "aws_apigatewayv2_authorizer" "http" {
  count = var.api_type == "http" ? 1 : 0

  name                              = var.name
  api_id                            = var.api_id
  authorizer_type                   = "REQUEST"
  authorizer_uri                    = aws_lambda_function.this.invoke_arn
  authorizer_payload_format_version = "2.0"
  enable_simple_responses           = true
  identity_sources                  = ["$request.header.${lower(var.header_name)}"]
  authorizer_result_ttl_in_seconds  = var.result_ttl_seconds
}

# API Gateway may invoke the function as this authorizer only: not from any
# method or route, and not for another API of the account.
resource "aws_lambda_permission" "rest" {
  count = var.api_type == "rest" ? 1 : 0

  statement_id  = "AllowThisAuthorizerOnly"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${local.execution_arn}/authorizers/${aws_api_gateway_authorizer.rest[0].id}"
}

resource "aws_lambda_permission" "http" {
  count = var.api_type == "http" ? 1 : 0

  statement_id  = "AllowThisAuthorizerOnly"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${local.execution_arn}/authorizers/${aws_apigatewayv2_authorizer.http[0].id}"
}
