################################################################################
# Listener
################################################################################

variable "create_listener" {
  description = "Create the listener on `load_balancer_arn`; false puts the rule on `listener_arn`, an adopted ALB's listener"
  type        = bool
  default     = true
}

variable "load_balancer_arn" {
  description = "The load balancer: where a created listener goes, or the one an adopted `listener_arn` must belong to"
  type        = string
  default     = null
}

variable "protocol" {
  description = "Protocol of a created listener: HTTPS (ALB) or TLS (NLB)"
  type        = string
  default     = "HTTPS"

  validation {
    condition     = contains(["HTTPS", "TLS"], var.protocol)
    error_message = "protocol must be HTTPS or TLS: CloudFront reaches the origin over TLS only."
  }
}

variable "port" {
  description = "Port of a created listener"
  type        = number
  default     = 443
}

variable "ssl_policy" {
  description = "TLS policy of a created listener: one of Security Hub ELB.17's recommended policies"
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
}

variable "certificate_arn" {
  description = "ACM certificate (public CA, the load balancer's region) of a created listener"
  type        = string
  default     = null
}

variable "default_action" {
  description = "What a created listener does with a request no rule takes: `deny` (a fixed 403) or `forward` (to `target_group_arn`)"
  type        = string
  default     = "deny"

  validation {
    condition     = contains(["deny", "forward"], var.default_action)
    error_message = "default_action must be deny or forward."
  }
}

variable "forbidden_response_body" {
  description = "Body of the fixed 403 a created listener answers to requests no rule forwards"
  type        = string
  default     = "Forbidden"

  validation {
    condition     = length(var.forbidden_response_body) <= 1024
    error_message = "forbidden_response_body must be at most 1024 characters (the limit of an ALB fixed response)."
  }
}

variable "target_group_arn" {
  description = "The target group: where the X-Origin-Verify rule (or a forwarding default action) sends requests"
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}

################################################################################
# Secret header rule (ALB)
################################################################################

variable "verify_header" {
  description = "Add the forwarding rule that requires X-Origin-Verify to be one of `origin_secrets`"
  type        = bool
  default     = false
}

variable "origin_secrets" {
  description = "Values of the X-Origin-Verify header the rule accepts: the current secret first (CloudFront sends it), then the previous one during a rotation; 32-128 letters and digits each. Pass the `values` output of the origin-secret module, never literals"
  type        = list(string)
  default     = []
  sensitive   = true
}

variable "listener_arn" {
  description = "With `create_listener = false`: the adopted ALB's HTTPS listener the rule goes on. Its default action must answer a fixed 403"
  type        = string
  default     = null
}

variable "check_adopted_listener" {
  description = "Read the adopted listener once the rule exists and stop the apply unless it is an HTTPS listener of `load_balancer_arn` whose default action is a fixed 403. False when the caller created it"
  type        = bool
  default     = true
}

variable "rule_priority" {
  description = "Priority of the forwarding rule on its listener (1-50000); it must be free on that listener"
  type        = number
  default     = 1
}

variable "rule_headers" {
  description = "Other headers the forwarding rule requires, name => accepted values (the private API chain names its API in x-apigw-api-id)"
  type        = map(list(string))
  default     = {}
}
