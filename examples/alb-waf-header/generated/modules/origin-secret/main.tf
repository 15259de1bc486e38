# The data sources of the source not chosen have count 0: only the chosen
# source is read, at plan time (its value is known to the plan, and sensitive).

################################################################################
# Secrets Manager: the AWSCURRENT version, and AWSPREVIOUS when there is one
################################################################################

data "aws_secretsmanager_secret_version" "current" {
  count = var.from == "secrets_manager" ? 1 : 0

  secret_id     = var.secret_id
  version_stage = "AWSCURRENT"
}

# Lists the versions (no values) to learn whether AWSPREVIOUS exists: reading
# a stage that does not exist fails, and a new secret has none.
data "aws_secretsmanager_secret_versions" "this" {
  count = var.from == "secrets_manager" ? 1 : 0

  secret_id = var.secret_id
}

data "aws_secretsmanager_secret_version" "previous" {
  count = contains(local.secrets_manager_stages, "AWSPREVIOUS") ? 1 : 0

  secret_id     = var.secret_id
  version_stage = "AWSPREVIOUS"
}

################################################################################
# SSM Parameter Store: the latest version, and the one before it
################################################################################

data "aws_ssm_parameter" "current" {
  count = var.from == "ssm" ? 1 : 0

  name            = var.parameter_name
  with_decryption = true
}

# `name:version` selects a version of a parameter (GetParameter selectors).
data "aws_ssm_parameter" "previous" {
  count = local.ssm_version > 1 ? 1 : 0

  name            = "${var.parameter_name}:${local.ssm_version - 1}"
  with_decryption = true
}

locals {
  secrets_manager_stages = flatten([
    for version in flatten(data.aws_secretsmanager_secret_versions.this[*].versions) : version.version_stages
  ])
  ssm_version = one(data.aws_ssm_parameter.current[*].version) != null ? one(data.aws_ssm_parameter.current[*].version) : 0

  current = (
    var.from == "secrets_manager" ? one(data.aws_secretsmanager_secret_version.current[*].secret_string) :
    var.from == "ssm" ? one(data.aws_ssm_parameter.current[*].value) :
    var.current
  )
  previous = (
    var.from == "secrets_manager" ? one(data.aws_secretsmanager_secret_version.previous[*].secret_string) :
    var.from == "ssm" ? one(data.aws_ssm_parameter.previous[*].value) :
    var.previous
  )
}
