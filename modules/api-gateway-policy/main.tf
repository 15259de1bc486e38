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

# On an existing API (`existing_api`) the policy replaces the owner's, so the
# statements it had (`kept_policy_json`) are merged in, and the policy is kept
# on destroy (`adopted_*`, prevent_destroy): destroying it would delete the
# owner's statements with cfgen's.

locals {
  # An existing API's own statements, first in the policy this module writes.
  kept_statements = try(jsondecode(var.kept_policy_json).Statement, [])
  # Kept statements whose Sid is one this module writes: the policy would hold two statements with one Sid
  # (referer) or the provider would silently keep the module's alone (principal).
  kept_sids_taken = {
    referer   = [for s in local.kept_statements : s.Sid if contains(["AllowInvoke", "DenyInvokeWithoutSecretReferer"], try(s.Sid, ""))]
    principal = [for s in local.kept_statements : s.Sid if contains(["AllowInvokeByTheseRoles", "DenyInvokeByAnyoneElse"], try(s.Sid, ""))]
  }
  kept_sids_message = "kept_policy_json has a statement whose Sid is one this module writes (referer: AllowInvoke, DenyInvokeWithoutSecretReferer; principal: AllowInvokeByTheseRoles, DenyInvokeByAnyoneElse). Rename it, or drop it if this module wrote it."

  # Built once for both resources of the referer form (the API's, or an existing API's kept one).
  referer_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(local.kept_statements, [
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
    ])
  })
}

################################################################################
# referer: built with jsonencode, not a data source, because it holds the
# secret: a data source's attributes are never marked sensitive, and its JSON
# would show in plans and state. Built from the sensitive var.referer_values,
# this policy is (sensitive value) wherever Terraform shows it.
################################################################################

resource "aws_api_gateway_rest_api_policy" "referer" {
  count = var.guard == "referer" && !var.existing_api ? 1 : 0

  rest_api_id = var.rest_api_id
  policy      = local.referer_policy

  lifecycle {
    precondition {
      condition     = length(var.referer_values) >= 1 && length(var.referer_values) <= 2
      error_message = "guard referer needs one or two referer_values: the current secret, and the previous one during a rotation."
    }

    precondition {
      condition     = length(local.kept_sids_taken.referer) == 0
      error_message = local.kept_sids_message
    }
  }
}

# An existing API's policy is kept when this module is destroyed: destroying it
# would take the owner's statements with it. A plan that destroys it stops
# with "Instance cannot be destroyed"; to take the module down, first remove it
# from the state (README). `prevent_destroy` takes a literal, hence one
# resource per case.
resource "aws_api_gateway_rest_api_policy" "adopted_referer" {
  count = var.guard == "referer" && var.existing_api ? 1 : 0

  rest_api_id = var.rest_api_id
  policy      = local.referer_policy

  lifecycle {
    prevent_destroy = true

    precondition {
      condition     = length(var.referer_values) >= 1 && length(var.referer_values) <= 2
      error_message = "guard referer needs one or two referer_values: the current secret, and the previous one during a rotation."
    }

    precondition {
      condition     = length(local.kept_sids_taken.referer) == 0
      error_message = local.kept_sids_message
    }
  }
}

################################################################################
# principal: nothing secret, so a policy document cfgen's proofs can read from
# the configuration while the principals' ARNs are unknown
################################################################################

data "aws_iam_policy_document" "principal" {
  count = var.guard == "principal" ? 1 : 0

  # An existing API's own statements (a constant in the caller, so the proofs read them too).
  source_policy_documents = var.kept_policy_json == null ? [] : [var.kept_policy_json]

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

  lifecycle {
    precondition {
      condition     = length(local.kept_sids_taken.principal) == 0
      error_message = local.kept_sids_message
    }
  }
}

resource "aws_api_gateway_rest_api_policy" "principal" {
  count = var.guard == "principal" && !var.existing_api ? 1 : 0

  rest_api_id = var.rest_api_id
  policy      = data.aws_iam_policy_document.principal[0].json

  lifecycle {
    precondition {
      condition     = length(var.principal_arns) >= 1
      error_message = "guard principal needs principal_arns: the roles allowed to invoke the API."
    }
  }
}

resource "aws_api_gateway_rest_api_policy" "adopted_principal" {
  count = var.guard == "principal" && var.existing_api ? 1 : 0

  rest_api_id = var.rest_api_id
  policy      = data.aws_iam_policy_document.principal[0].json

  lifecycle {
    prevent_destroy = true

    precondition {
      condition     = length(var.principal_arns) >= 1
      error_message = "guard principal needs principal_arns: the roles allowed to invoke the API."
    }
  }
}
