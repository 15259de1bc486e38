variable "rest_api_id" {
  description = "Id of the REST API. Its resource policy is replaced by this module's"
  type        = string
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
