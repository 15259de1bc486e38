variable "rest_api_id" {
  description = "Id of the REST API. Its resource policy is replaced by this module's (with the statements of `kept_policy_json`)"
  type        = string
}

variable "existing_api" {
  description = "The API is not created by this configuration: its policy is kept on destroy (`adopted_*`, prevent_destroy), and takes the statements of `kept_policy_json`"
  type        = bool
  default     = false
}

variable "kept_policy_json" {
  description = "With existing_api: the API's resource policy as it was before this module (`aws apigateway get-rest-api --query policy`, unescaped): its statements are merged into the policy this module writes, which replaces the API's. Null keeps none. Its Sids must differ from the module's own"
  type        = string
  default     = null

  validation {
    condition     = var.kept_policy_json == null || can([for s in jsondecode(var.kept_policy_json).Statement : s.Effect][0])
    error_message = "kept_policy_json must be a policy document: a JSON object whose Statement is a list of statements, each with an Effect."
  }
}

variable "guard" {
  description = "What a caller must show: `referer` (aws:Referer is one of `referer_values`) or `principal` (aws:PrincipalArn is one of `principal_arns`)"
  type        = string

  validation {
    condition     = contains(["referer", "principal"], var.guard)
    error_message = "guard must be referer or principal."
  }
}

variable "referer_values" {
  description = "With guard referer: the Referer values admitted, the current secret first and the previous one during a rotation. Pass the `values` output of the origin-secret module, never literals"
  type        = list(string)
  default     = []
  sensitive   = true
}

variable "principal_arns" {
  description = "With guard principal: ARNs of the IAM roles that may invoke the API (aws:PrincipalArn is a role's ARN whatever the session)"
  type        = list(string)
  default     = []
}
