variable "name" {
  description = "Name of the usage plan, and prefix of the API keys' names (NAME-GENERATION)"
  type        = string
}

variable "rest_api_id" {
  description = "Id of the REST API whose stage the keys open"
  type        = string
}

variable "stage_name" {
  description = "The stage the keys open; pass the stage resource's name so that the plan waits for the stage"
  type        = string
}

variable "key_names" {
  description = "Generations of API keys, one or two: [\"g1\"], then [\"g1\", \"g2\"] while rotating to g2, then [\"g2\"]. Each becomes a key of the usage plan"
  type        = list(string)

  validation {
    condition = (
      length(var.key_names) >= 1 && length(var.key_names) <= 2 &&
      length(distinct(var.key_names)) == length(var.key_names) &&
      alltrue([for k in var.key_names : can(regex("^[a-z0-9][a-z0-9-]{0,31}$", k))])
    )
    error_message = "key_names must hold one or two distinct names of lowercase letters, digits and hyphens (32 at most), such as [\"g1\", \"g2\"]."
  }
}

variable "throttle" {
  description = "Throttle of the usage plan (requests per second and burst). Null: none, so the plan only makes the keys valid"
  type = object({
    rate_limit  = number
    burst_limit = number
  })
  default = null
}

variable "quota" {
  description = "Quota of the usage plan (requests per DAY, WEEK or MONTH). Null: none"
  type = object({
    limit  = number
    period = string
  })
  default = null

  validation {
    condition     = var.quota == null || contains(["DAY", "WEEK", "MONTH"], try(var.quota.period, ""))
    error_message = "quota.period must be DAY, WEEK or MONTH."
  }
}

variable "tags" {
  description = "Tags added to the usage plan and the keys"
  type        = map(string)
  default     = {}
}
