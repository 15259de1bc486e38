################################################################################
# Function
################################################################################

variable "name" {
  description = "Name of the function and its log group (/aws/lambda/NAME), and of its role and schedule rule unless role_name or schedule_rule_name is given"
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1-64 letters, digits, hyphens or underscores (the limit of Lambda function and IAM role names): shorten it."
  }
}

variable "zip_path" {
  description = "Path of the deployment zip that cfgen writes into the render (artifacts/<module>/target_sync.zip), e.g. \"$${path.module}/artifacts/api/target_sync.zip\""
  type        = string

  validation {
    condition     = endswith(var.zip_path, ".zip")
    error_message = "zip_path must name the .zip file cfgen rendered (artifacts/<module>/target_sync.zip)."
  }
}

variable "schedule_expression" {
  description = "EventBridge schedule of the sync runs: rate(...) or cron(...). An IP is deregistered after `missing_runs_before_deregister` runs, so this times how long a stale target lingers"
  type        = string
  default     = "rate(1 minute)"

  validation {
    condition     = can(regex("^(rate|cron)\\(.+\\)$", var.schedule_expression))
    error_message = "schedule_expression must be an EventBridge schedule such as \"rate(1 minute)\" or \"cron(0/5 * * * ? *)\"."
  }
}

variable "log_retention_days" {
  description = "Days the function's log group keeps the sync log (one JSON line per action and per run)"
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "role_name" {
  description = "Name of the function's execution role. Null uses `name`"
  type        = string
  default     = null

  validation {
    condition     = var.role_name == null || can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be 1-64 letters, digits or +=,.@_- (the limit of IAM role names)."
  }
}

variable "role_policy_name" {
  description = "Name of the role's inline policy"
  type        = string
  default     = "target-sync"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,128}$", var.role_policy_name))
    error_message = "role_policy_name must be 1-128 letters, digits or +=,.@_- (the limit of IAM inline policy names)."
  }
}

variable "schedule_rule_name" {
  description = "Name of the EventBridge schedule rule. Null uses `name`"
  type        = string
  default     = null

  validation {
    condition     = var.schedule_rule_name == null || can(regex("^[A-Za-z0-9._-]{1,64}$", var.schedule_rule_name))
    error_message = "schedule_rule_name must be 1-64 letters, digits or ._- (the limit of EventBridge rule names)."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB (it lists one endpoint's interfaces and one group's targets: the minimum is plenty)"
  type        = number
  default     = 128

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB from 128 to 10240 (Lambda's range)."
  }
}

variable "timeout" {
  description = "Timeout of one sync run in seconds; keep it below the schedule's interval so that runs do not overlap"
  type        = number
  default     = 60

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds from 1 to 900 (Lambda's range)."
  }
}

variable "tags" {
  description = "Tags added to the function, role, log group and schedule rule"
  type        = map(string)
  default     = {}
}

################################################################################
# What to keep in sync
################################################################################

variable "target_group_arn" {
  description = "ARN of the IP target group (target_type \"ip\") whose targets follow the endpoint's ENI IPs. The function writes its state in tags cfgen:target-sync:<port> on this group: see the README"
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:targetgroup/[A-Za-z0-9-]+/[0-9a-f]+$", var.target_group_arn))
    error_message = "target_group_arn must be a target group ARN (arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID): pass aws_lb_target_group.<name>.arn."
  }
}

variable "vpc_endpoint_id" {
  description = "Id of the execute-api interface VPC endpoint whose ENI private IPs become the targets"
  type        = string

  validation {
    condition     = can(regex("^vpce-[0-9a-f]+$", var.vpc_endpoint_id))
    error_message = "vpc_endpoint_id must be a VPC endpoint id (vpce-...): pass aws_vpc_endpoint.<name>.id."
  }
}

variable "target_port" {
  description = "Port of the registered targets (the endpoint answers HTTPS on 443)"
  type        = number
  default     = 443

  validation {
    condition     = var.target_port >= 1 && var.target_port <= 65535 && floor(var.target_port) == var.target_port
    error_message = "target_port must be a whole number from 1 to 65535."
  }
}

variable "missing_runs_before_deregister" {
  description = "Consecutive runs an IP must be missing from the endpoint before its target is deregistered. New IPs are registered at once"
  type        = number
  default     = 3

  validation {
    condition     = var.missing_runs_before_deregister >= 1 && floor(var.missing_runs_before_deregister) == var.missing_runs_before_deregister
    error_message = "missing_runs_before_deregister must be a whole number of at least 1."
  }
}
