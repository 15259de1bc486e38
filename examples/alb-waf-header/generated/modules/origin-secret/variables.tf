variable "from" {
  description = "Where the secret lives: `variable` (the `current` and `previous` inputs), `secrets_manager` (`secret_id`, stages AWSCURRENT and AWSPREVIOUS) or `ssm` (`parameter_name`, its latest and the version before)"
  type        = string

  validation {
    condition     = contains(["variable", "secrets_manager", "ssm"], var.from)
    error_message = "from must be one of variable, secrets_manager, ssm."
  }
}

variable "current" {
  description = "The secret, with `from = \"variable\"`: pass a sensitive root variable, never a literal"
  type        = string
  default     = null
  sensitive   = true
}

variable "previous" {
  description = "The secret before the last rotation, with `from = \"variable\"`; still accepted by the origin until it is null"
  type        = string
  default     = null
  sensitive   = true
}

variable "secret_id" {
  description = "Name or ARN of the Secrets Manager secret (a plain string secret), with `from = \"secrets_manager\"`"
  type        = string
  default     = null
}

variable "parameter_name" {
  description = "Name of the SSM SecureString parameter, with `from = \"ssm\"`"
  type        = string
  default     = null
}

variable "min_length" {
  description = "Fewest characters the current secret may have"
  type        = number
  default     = 32
}
