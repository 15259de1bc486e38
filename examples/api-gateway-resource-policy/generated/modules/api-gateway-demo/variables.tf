################################################################################
# API
################################################################################

variable "name" {
  description = "Name of the REST API"
  type        = string
}

variable "stage_name" {
  description = "Stage CloudFront calls (the origin path)"
  type        = string
  default     = "prod"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))
    error_message = "stage_name must be 1-128 letters, digits, _ and -."
  }
}

variable "tags" {
  description = "Tags added to the API and its stage"
  type        = map(string)
  default     = {}
}

################################################################################
# Who may call the methods
################################################################################

variable "authorization" {
  description = "Authorization of every method but the CORS preflight: NONE (with a resource policy or API key doing the check), CUSTOM (a Lambda REQUEST authorizer, `authorizer_id`) or AWS_IAM (SigV4-signed callers only)"
  type        = string
  default     = "NONE"

  validation {
    condition     = contains(["NONE", "CUSTOM", "AWS_IAM"], var.authorization)
    error_message = "authorization must be NONE, CUSTOM or AWS_IAM."
  }
}

variable "authorizer_id" {
  description = "With authorization CUSTOM: id of the REQUEST authorizer every method uses"
  type        = string
  default     = null
}

variable "api_key_required" {
  description = "Whether every method but the CORS preflight requires an API key (x-api-key) of a usage plan on this stage"
  type        = bool
  default     = false
}

variable "cors" {
  description = "Add an OPTIONS preflight on / that answers from a mock without key or authorization (browsers send it without either)"
  type        = bool
  default     = false
}

variable "cors_allow_origin" {
  description = "With cors: the Access-Control-Allow-Origin the preflight answers (an origin such as https://www.example.com, or *)"
  type        = string
  default     = "*"

  validation {
    condition     = can(regex("^(\\*|https?://[a-z0-9.-]+(:[0-9]+)?)$", var.cors_allow_origin))
    error_message = "cors_allow_origin must be * or an origin such as https://www.example.com."
  }
}

################################################################################
# Deployment
################################################################################

variable "redeploy_triggers" {
  description = "Values that, when they change, make a new deployment of the stage: a resource policy attached outside this module (it takes effect only with a deployment made after it). May be sensitive"
  type        = map(string)
  default     = {}
}

variable "access_log_group_arn" {
  description = "CloudWatch Logs group ARN (without :*) for the stage's access logs; the account's API Gateway CloudWatch role must be set. Null leaves them off"
  type        = string
  default     = null
}
