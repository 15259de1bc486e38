################################################################################
# Origin
################################################################################

variable "name" {
  description = "Name prefix of the security groups"
  type        = string
}

variable "origin_domain" {
  description = "A DNS name of yours that resolves to the ALB: CloudFront connects to it over HTTPS, and the listener's certificate covers it (the ALB's own *.elb.amazonaws.com name can get no certificate)"
  type        = string
}

variable "origin_path" {
  description = "Path prefix CloudFront adds to every request"
  type        = string
  default     = ""
}

variable "https_port" {
  description = "HTTPS port of the listener"
  type        = number
  default     = 443
}

variable "cloudfront_prefix_list_id" {
  description = "Id of the managed prefix list com.amazonaws.global.cloudfront.origin-facing in this region: the only source the ALB's group admits. The apply stops if the id is another list"
  type        = string

  validation {
    condition     = can(regex("^pl-[0-9a-f]{8,17}$", var.cloudfront_prefix_list_id))
    error_message = "cloudfront_prefix_list_id must be a prefix list id such as pl-4fa04526."
  }
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}

################################################################################
# Load balancer (created)
################################################################################

variable "create_load_balancer" {
  description = "Create an internet-facing ALB, its security group, an HTTPS listener and an IP target group; false adds the rules to an existing ALB's group and listener"
  type        = bool
  default     = true
}

variable "vpc_id" {
  description = "VPC of a created ALB"
  type        = string
  default     = null
}

variable "subnets" {
  description = "Public subnets of a created ALB, in two or more Availability Zones"
  type        = list(string)
  default     = []
}

variable "certificate_arn" {
  description = "ACM certificate (public CA, this region) of a created ALB's listener; it covers `origin_domain`"
  type        = string
  default     = null
}

variable "ssl_policy" {
  description = "TLS policy of a created ALB's listener: one of Security Hub ELB.17's recommended policies (CFG_ALB_HTTPS checks it)"
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
}

variable "access_logs" {
  description = "Access logs of a created ALB: an S3 bucket (this region, with a policy that lets Elastic Load Balancing write) and a key prefix. Null leaves them off"
  type = object({
    bucket = string
    prefix = optional(string, "")
  })
  default = null
}

variable "target_port" {
  description = "Port of the targets of a created ALB"
  type        = number
  default     = 443
}

variable "target_protocol" {
  description = "Protocol to the targets of a created ALB: HTTPS or HTTP"
  type        = string
  default     = "HTTPS"

  validation {
    condition     = contains(["HTTPS", "HTTP"], var.target_protocol)
    error_message = "target_protocol must be HTTPS or HTTP."
  }
}

variable "health_check_path" {
  description = "Path of the target group's health check"
  type        = string
  default     = "/"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with /."
  }
}

variable "deletion_protection" {
  description = "Deletion protection of a created ALB"
  type        = bool
  default     = true
}

################################################################################
# Load balancer (existing)
################################################################################

variable "load_balancer_arn" {
  description = "ARN of an existing internet-facing ALB, when `create_load_balancer` is false"
  type        = string
  default     = null
}

variable "security_group_id" {
  description = "Security group of an existing ALB: the module adds the rule from CloudFront's prefix list to it"
  type        = string
  default     = null
}

variable "listener_arn" {
  description = "HTTPS listener of an existing ALB: the module adds the X-Origin-Verify rule to it. Its default action must answer a fixed 403 (the apply checks it)"
  type        = string
  default     = null
}

variable "target_group_arn" {
  description = "Target group of an existing ALB that the X-Origin-Verify rule forwards to"
  type        = string
  default     = null
}

variable "rule_priority" {
  description = "Priority of the X-Origin-Verify rule on its listener (1-50000); it must be free on that listener"
  type        = number
  default     = 1
}

################################################################################
# Secret header
################################################################################

variable "origin_secrets" {
  description = "Values of the X-Origin-Verify header the ALB accepts: the current secret first (CloudFront sends it), then the previous one during a rotation; 32-128 letters and digits each. Pass the `values` output of the origin-secret module, never literals; without `listener_checks_header`, the web ACL's `header_value` output (so that CloudFront sends a value only once the ACL admits it)"
  type        = list(string)
  sensitive   = true
}

variable "listener_checks_header" {
  description = "The listener checks X-Origin-Verify: a created listener answers a fixed 403 and one rule forwards on the secret (an adopted ALB's `listener_arn` gets that rule). False when a WAF web ACL on the ALB checks the header: a created listener forwards to the target group, and nothing is added to an adopted ALB's listeners"
  type        = bool
  default     = true
}
