variable "name" {
  description = "Name of the web ACL (1-128 letters, digits, _ and -)"
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.name))
    error_message = "name must be 1-128 letters, digits, _ and -."
  }
}

variable "header_name" {
  description = "The header CloudFront adds with the secret, in lowercase (the provider requires it; WAF matches header names in any case)"
  type        = string
  default     = "x-origin-verify"

  validation {
    condition     = can(regex("^[a-z0-9-]{1,64}$", var.header_name))
    error_message = "header_name must be lowercase letters, digits and hyphens, such as x-origin-verify."
  }
}

variable "header_values" {
  description = "The values admitted, the current secret first and the previous one during a rotation; 1-200 bytes each, compared exactly. Pass the `values` output of the origin-secret module, never literals"
  type        = list(string)
  sensitive   = true

  validation {
    condition     = length(var.header_values) >= 1 && length(var.header_values) <= 2 && alltrue([for v in var.header_values : length(v) >= 1 && length(v) <= 200])
    error_message = "header_values must hold one or two values (the current secret, and the previous one while rotating) of 1-200 characters."
  }
}

variable "associations" {
  description = "Regional resources the web ACL protects, by a key known while planning: a REST API stage ARN (arn:aws:apigateway:REGION::/restapis/ID/stages/STAGE), an ALB ARN, ..."
  type        = map(string)
  default     = {}
}

variable "log_destination_arns" {
  description = "Where WAF sends its logs (one ARN: a CloudWatch Logs group, S3 bucket or Firehose stream whose name starts with aws-waf-logs-); the header is redacted. Empty: no logging"
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.log_destination_arns) <= 1
    error_message = "log_destination_arns takes one destination at most (a WAF limit)."
  }
}

variable "metric_name" {
  description = "CloudWatch metric name of the web ACL (its rule's is METRIC-allow)"
  type        = string
  default     = "origin-verify"
}

variable "tags" {
  description = "Tags added to the web ACL"
  type        = map(string)
  default     = {}
}
