# One resource policy on the API, in one of two forms (`guard`):
#
# - referer: Allow execute-api:Invoke to everyone, and Deny it unless
#   aws:Referer is one of `referer_values` (the secret CloudFront sends, and
#   the previous one during a rotation). A request without a Referer is denied
#   too: a key missing from the request makes a *NotEquals test true.
# - principal: Allow execute-api:Invoke to `principal_arns` only, and Deny it
#   to every principal whose aws:PrincipalArn is not one of them. Without the
#   Deny, any principal of the account whose identity policy allows
#   execute-api:Invoke would get in (same-account calls need only one Allow).
#
# Resources are written `execute-api:/*` (this API, every stage, method and
# path): known while planning, so cfgen's proofs read the planned policy.
#
# A resource policy takes effect only with a deployment of the stage made after
# it is attached: pass the `policy` output to the deployment's triggers (or,
# for an API this module does not deploy, redeploy its stage after apply).

################################################################################
# referer: built with jsonencode, not a data source, because it holds the
# secret: a data source's attributes are never marked sensitive, and its JSON
# would show in plans and state. Built from the sensitive var.referer_values,
# this policy is (sensitive value) wherever Terraform shows it.
################################################################################

resource "aws_api_gateway_rest_api_policy" "referer" {
  count = var.guard == "referer" ? 1 : 0

  rest_api_id = var.rest_api_id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowInvoke"
        Effect    = "Allow"
        Principal = "*"
        Action    = "execute-api:Invoke"
        Resource  = "execute-api:/*"
      },
      {
        Sid       = "DenyInvokeWithoutSecretReferer"
        Effect    = "Deny"
        Principal = "*"
        Action    = "execute-api:Invoke"
        Resource  = "execute-api:/*"
        Condition = { StringNotEquals = { "aws:Referer" = var.referer_values } }
      },
    ]
  })

  lifecycle {
    precondition {
      condition     = length(var.referer_values) >= 1 && length(var.referer_values) <= 2
      error_message = "guard referer needs one or two referer_values: the current secret, and the previous one during a rotation."
    }
  }
}

################################################################################
# principal: nothing secret, so a policy document cfgen's proofs can read from
# the configuration while the principals' ARNs are unknown
################################################################################

data "aws_iam_policy_document" "principal" {
  count = var.guard == "principal" ? 1 : 0

  statement {
    sid       = "AllowInvokeByTheseRoles"
    effect    = "Allow"
    actions   = ["execute-api:Invoke"]
    resources = ["execute-api:/*"]

    principals {
      type        = "AWS"
      identifiers = var.principal_arns
    }
  }

  statement {
    sid       = "DenyInvokeByAnyoneElse"
    effect    = "Deny"
    actions   = ["execute-api:Invoke"]
    resources = ["execute-api:/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "aws:PrincipalArn"
      values   = var.principal_arns
    }
  }
}

resource "aws_api_gateway_rest_api_policy" "principal" {
  count = var.guard == "principal" ? 1 : 0

  rest_api_id = var.rest_api_id
  policy      = data.aws_iam_policy_document.principal[0].json

  lifecycle {
    precondition {
      condition     = length(var.principal_arns) >= 1
      error_message = "guard principal needs principal_arns: the roles allowed to invoke the API."
    }
  }
}
