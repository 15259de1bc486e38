# CKV_CFG_13: a Lambda permission for CloudFront names one distribution, and a URL grant requires AWS_IAM.

resource "aws_cloudfront_distribution" "site" {
  enabled = true
}

resource "aws_lambda_permission" "pass_url_for_a_reference" {
  statement_id           = "url"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = "shop-api"
  principal              = "cloudfront.amazonaws.com"
  source_arn             = aws_cloudfront_distribution.site.arn
  function_url_auth_type = "AWS_IAM"
}

resource "aws_lambda_permission" "pass_invoke_for_a_distribution_arn" {
  statement_id  = "invoke"
  action        = "lambda:InvokeFunction"
  function_name = "shop-api"
  principal     = "cloudfront.amazonaws.com"
  source_arn    = "arn:aws:cloudfront::111111111111:distribution/E2QWRUHAPOMQZL"
}

resource "aws_lambda_permission" "fail_account_only" {
  statement_id   = "account"
  action         = "lambda:InvokeFunction"
  function_name  = "shop-api"
  principal      = "cloudfront.amazonaws.com"
  source_account = "111111111111"
}

resource "aws_lambda_permission" "fail_wildcard_distribution" {
  statement_id  = "wildcard"
  action        = "lambda:InvokeFunction"
  function_name = "shop-api"
  principal     = "cloudfront.amazonaws.com"
  source_arn    = "arn:aws:cloudfront::111111111111:distribution/*"
}

resource "aws_lambda_permission" "fail_url_without_iam" {
  statement_id           = "url-none"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = "shop-api"
  principal              = "cloudfront.amazonaws.com"
  source_arn             = aws_cloudfront_distribution.site.arn
  function_url_auth_type = "NONE"
}

# Another principal: not this check's to judge.
resource "aws_lambda_permission" "schedule" {
  statement_id  = "events"
  action        = "lambda:InvokeFunction"
  function_name = "shop-api"
  principal     = "events.amazonaws.com"
}
