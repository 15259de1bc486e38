variable "name" {
  description = "Name of the origin access control, start of the permissions' statement ids, and name of the demo function and its role"
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1-64 letters, digits, - and _: it names a Lambda function, an IAM role and an origin access control."
  }
}

variable "distribution_arn" {
  description = "ARN of the CloudFront distribution: the only AWS:SourceArn either permission admits"
  type        = string
}

variable "tags" {
  description = "Tags added to the demo function, its role and log group"
  type        = map(string)
  default     = {}
}

################################################################################
# Function
################################################################################

variable "function_name" {
  description = "Name of an existing function (this region), unless `create_demo_function`"
  type        = string
  default     = null
}

variable "qualifier" {
  description = "Alias of `function_name` the URL is on; both permissions name the same alias"
  type        = string
  default     = null
}

variable "create_function_url" {
  description = "Create the function URL (AWS_IAM). False reads the URL the function already has at apply, never changes it, and stops the apply unless its auth type is AWS_IAM"
  type        = bool
  default     = true
}

variable "create_demo_function" {
  description = "Create a small demo function (Python) instead of naming one"
  type        = bool
  default     = false
}

variable "demo_zip_path" {
  description = "Deployment zip of the demo function (cfgen writes it into the render)"
  type        = string
  default     = null
}

variable "demo_concurrency" {
  description = "Reserved concurrency of the demo function: a ceiling on what a flood of requests can cost"
  type        = number
  default     = 5
}

variable "log_retention_days" {
  description = "Days the demo function's log group keeps its log"
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "origin_path" {
  description = "Path prefix CloudFront adds to every request"
  type        = string
  default     = ""
}
