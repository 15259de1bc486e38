################################################################################
# Function
################################################################################

variable "name" {
  description = "Name of the function, its role, its log group (/aws/lambda/NAME) and the authorizer"
  type        = string
}

variable "zip_path" {
  description = "Path of the deployment zip cfgen writes into the render (artifacts/<module>/origin_authorizer.zip), e.g. \"$${path.module}/artifacts/api/origin_authorizer.zip\""
  type        = string
}

variable "region" {
  description = "Region of the API and of this module's provider (an input: aws_region's `name` is deprecated in provider 6.x)"
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "log_retention_days" {
  description = "Days the function's log group keeps its decisions"
  type        = number
  default     = 365
}

variable "tags" {
  description = "Tags added to the function, role and log group"
  type        = map(string)
  default     = {}
}

################################################################################
# The secret
################################################################################

variable "header_name" {
  description = "The header CloudFront sends with the secret (matched in any case)"
  type        = string
  default     = "X-Origin-Verify"

  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,64}$", var.header_name))
    error_message = "header_name must be letters, digits and hyphens, such as X-Origin-Verify."
  }
}

variable "secret_source" {
  description = "Where the function reads the accepted values: secrets_manager (`secret_id`: AWSCURRENT and AWSPREVIOUS), ssm (`parameter_name`: the latest version and the one before) or environment (`secret_values`, then in the function's configuration and the state)"
  type        = string

  validation {
    condition     = contains(["secrets_manager", "ssm", "environment"], var.secret_source)
    error_message = "secret_source must be secrets_manager, ssm or environment."
  }
}

variable "secret_id" {
  description = "With secrets_manager: name or ARN of the secret (a plain string), in `region` unless an ARN says otherwise"
  type        = string
  default     = null
}

variable "parameter_name" {
  description = "With ssm: name of the SecureString parameter, in `region`"
  type        = string
  default     = null
}

variable "secret_values" {
  description = "With environment: the accepted values, the current secret first and the previous one during a rotation. Pass the `values` output of the origin-secret module, never literals"
  type        = list(string)
  default     = []
  sensitive   = true
}

variable "secret_cache_seconds" {
  description = "How long a warm function keeps the values it read (0 to 900); a value that matches nothing makes it read again at once"
  type        = number
  default     = 60

  validation {
    condition     = var.secret_cache_seconds >= 0 && var.secret_cache_seconds <= 900
    error_message = "secret_cache_seconds must be 0 to 900."
  }
}

################################################################################
# The API
################################################################################

variable "api_type" {
  description = "rest (a REST API: aws_api_gateway_authorizer, payload 1.0, a policy for the whole stage) or http (an HTTP API: payload 2.0, simple responses)"
  type        = string

  validation {
    condition     = contains(["rest", "http"], var.api_type)
    error_message = "api_type must be rest or http."
  }
}

variable "api_id" {
  description = "Id of the API the authorizer belongs to"
  type        = string
}

variable "result_ttl_seconds" {
  description = "How long API Gateway caches the function's answer per header value (0 to 3600; 0 calls the function on every request). A rotation waits this long before the old value may be dropped"
  type        = number
  default     = 300

  validation {
    condition     = var.result_ttl_seconds >= 0 && var.result_ttl_seconds <= 3600
    error_message = "result_ttl_seconds must be 0 to 3600."
  }
}
