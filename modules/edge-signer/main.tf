# A Lambda@Edge function: call this module with a provider in us-east-1
# (providers = { aws = aws.us_east_1 }); Lambda@Edge takes functions from
# there only, and replicates them to CloudFront's edge locations.

locals {
  # Partition and account of the role: no data source that calls AWS, so the module plans offline.
  partition  = split(":", aws_iam_role.this.arn)[1]
  account_id = split(":", aws_iam_role.this.arn)[4]
}

################################################################################
# Function: published (CloudFront takes a numbered version only), no
# environment (Lambda@Edge has none: the configuration is in the zip)
################################################################################

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:Lambda@Edge functions cannot run in a VPC.
  #checkov:skip=CKV_AWS_116:Lambda@Edge functions cannot have a dead-letter queue; CloudFront invokes them synchronously.
  #checkov:skip=CKV_AWS_115:Lambda@Edge functions cannot have reserved concurrency.
  #checkov:skip=CKV_AWS_173:Lambda@Edge functions cannot have environment variables.
  #checkov:skip=CKV_AWS_50:Lambda@Edge functions cannot use X-Ray active tracing.
  #checkov:skip=CKV_AWS_272:The code is cfgen's own, built reproducibly at render time and pinned by source_code_hash; Lambda@Edge does not support code signing.
  function_name = var.name
  description   = "Signs CloudFront's origin requests to ${var.api_id} with SigV4 (cfgen)"
  role          = aws_iam_role.this.arn

  filename         = var.zip_path
  source_code_hash = filebase64sha256(var.zip_path)
  handler          = "edge_signer.handler.handler"
  runtime          = "python3.12"
  # Lambda@Edge runs x86_64 functions only.
  architectures = ["x86_64"]
  memory_size   = 128
  # Origin-request functions may run 30 s; signing takes milliseconds.
  timeout = 5
  publish = true

  # A replicated function cannot be deleted until CloudFront has removed its
  # replicas, hours after the distribution stops using it: with skip_destroy,
  # `destroy` forgets the function instead of failing (delete it later).
  skip_destroy = var.skip_destroy

  tags = var.tags
}

################################################################################
# Execution role: trusted by Lambda and Lambda@Edge; may invoke this API only
################################################################################

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "LambdaAndEdgeAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["edgelambda.amazonaws.com", "lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  description        = "Execution role of the ${var.name} Lambda@Edge signer: invokes ${var.api_id} only (cfgen)"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json

  tags = var.tags
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "InvokeThisApi"
    effect    = "Allow"
    actions   = ["execute-api:Invoke"]
    resources = ["arn:${local.partition}:execute-api:${var.api_region}:${local.account_id}:${var.api_id}/*"]
  }

  # Lambda@Edge writes to /aws/lambda/us-east-1.NAME in the region of each
  # edge location that runs the function, creating the group on first use.
  statement {
    sid       = "WriteOwnLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:${local.partition}:logs:*:${local.account_id}:log-group:/aws/lambda/us-east-1.${var.name}:*"]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "edge-signer"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
