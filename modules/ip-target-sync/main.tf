locals {
  # Partition, region and account of the target group, read from its ARN:
  # no data source that calls AWS, so the module plans offline.
  partition  = split(":", var.target_group_arn)[1]
  region     = split(":", var.target_group_arn)[3]
  account_id = split(":", var.target_group_arn)[4]

  log_group_name = "/aws/lambda/${var.name}"
  role_name      = coalesce(var.role_name, var.name)
  rule_name      = coalesce(var.schedule_rule_name, var.name)
  log_group_arn  = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"

  # Keep in step with TAG_PREFIX in lambdas/target_sync/_plan.py.
  state_tag_prefix = "cfgen:target-sync:"
}

################################################################################
# Function
################################################################################

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:The function calls only the EC2 and ELBv2 APIs; in a VPC it would need a NAT gateway or two more interface endpoints and gain no isolation. It accepts no inbound traffic either way.
  #checkov:skip=CKV_AWS_116:Scheduled runs carry no payload worth keeping: a failed run is counted by the Errors metric and the next run redoes the whole sync, so a dead-letter queue would only collect stale timer events.
  #checkov:skip=CKV_AWS_272:The code is cfgen's own, built reproducibly at render time and pinned by source_code_hash; code signing needs a Signer profile this module cannot assume exists.
  #checkov:skip=CKV_AWS_50:boto3 calls are not traced without the X-Ray SDK (not in the runtime, and nothing is vendored); one JSON log line per action records what each run did.
  #checkov:skip=CKV_AWS_173:The environment holds ids and an ARN, no secret; Lambda encrypts it at rest with the AWS managed key.
  function_name = var.name
  description   = "Keeps the IP targets of ${var.target_group_arn} equal to the ENI IPs of ${var.vpc_endpoint_id} (cfgen)"
  role          = aws_iam_role.this.arn

  filename         = var.zip_path
  source_code_hash = filebase64sha256(var.zip_path)
  handler          = "target_sync.handler.handler"
  runtime          = "python3.12"
  architectures    = ["arm64"]
  memory_size      = var.memory_size
  # Five attempts per AWS call with backoff (standard retry mode) fit well
  # inside the default minute; a run that does not finish fails and the next
  # one resumes.
  timeout = var.timeout
  # One run at a time: two overlapping runs would each count a missing IP.
  reserved_concurrent_executions = 1

  environment {
    variables = {
      VPC_ENDPOINT_ID                = var.vpc_endpoint_id
      TARGET_GROUP_ARN               = var.target_group_arn
      TARGET_PORT                    = tostring(var.target_port)
      MISSING_RUNS_BEFORE_DEREGISTER = tostring(var.missing_runs_before_deregister)
    }
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  tags = var.tags

  # The role may write logs before the first run.
  depends_on = [aws_iam_role_policy.this]
}

resource "aws_lambda_function_event_invoke_config" "this" {
  function_name = aws_lambda_function.this.function_name

  # Every run starts from what AWS says, so a retried or late event only
  # repeats the next scheduled run: drop it instead.
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 60
}

################################################################################
# Log group
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:The log holds target IPs, ARNs and counts, no secret or personal data; CloudWatch Logs encrypts it at rest with its own key.
  name              = local.log_group_name
  retention_in_days = var.log_retention_days

  tags = var.tags
}

################################################################################
# Execution role
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
  name               = local.role_name
  description        = "Execution role of the ${var.name} target sync function (cfgen)"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json

  tags = var.tags
}

data "aws_iam_policy_document" "this" {
  # EC2 Describe* actions support no resource-level permissions: "*" is the
  # only Resource IAM accepts for them. They read, never write.
  statement {
    sid       = "ReadEndpointNetworkInterfaces"
    effect    = "Allow"
    actions   = ["ec2:DescribeVpcEndpoints", "ec2:DescribeNetworkInterfaces"]
    resources = ["*"]
  }

  # ELBv2 Describe* actions support no resource-level permissions either.
  statement {
    sid       = "ReadTargetGroup"
    effect    = "Allow"
    actions   = ["elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTags"]
    resources = ["*"]
  }

  statement {
    sid       = "SyncTargets"
    effect    = "Allow"
    actions   = ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"]
    resources = [var.target_group_arn]
  }

  # The function's state: only tags under its own prefix, only on this group.
  statement {
    sid       = "WriteSyncState"
    effect    = "Allow"
    actions   = ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"]
    resources = [var.target_group_arn]

    condition {
      test     = "ForAllValues:StringLike"
      variable = "aws:TagKeys"
      values   = ["${local.state_tag_prefix}*"]
    }
  }

  statement {
    sid       = "WriteOwnLog"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = var.role_policy_name
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

################################################################################
# Schedule
################################################################################

resource "aws_cloudwatch_event_rule" "this" {
  name                = local.rule_name
  description         = "Runs the ${var.name} target sync function"
  schedule_expression = var.schedule_expression

  tags = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  rule = aws_cloudwatch_event_rule.this.name
  arn  = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "events" {
  statement_id  = "AllowEventBridgeSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this.arn
}
