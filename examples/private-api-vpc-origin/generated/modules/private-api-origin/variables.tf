################################################################################
# Chain
################################################################################

variable "name" {
  description = "Name prefix of every resource"
  type        = string

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 55
    error_message = "name must be 1-55 characters: the VPC origin's name appends 9 characters and CloudFront allows 64."
  }
}

variable "origin_domain" {
  description = "Domain name CloudFront connects to (TLS SNI); `certificate_arn` must cover it"
  type        = string
}

variable "certificate_arn" {
  description = "Public-CA ACM certificate, in this region, of the internal ALB's HTTPS listener; it covers `origin_domain`"
  type        = string
}

variable "ssl_policy" {
  description = "TLS policy of the ALB listener: one of Security Hub ELB.17's recommended policies (CFG_PRIVATE_API_HTTPS checks it)"
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
}

variable "access_logs" {
  description = "Access logs of the ALB: an S3 bucket (this region, with a policy that lets Elastic Load Balancing write) and a key prefix. Null leaves them off"
  type = object({
    bucket = string
    prefix = optional(string, "")
  })
  default = null
}

variable "deletion_protection" {
  description = "Deletion protection of the ALB"
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}

variable "origin_secrets" {
  description = "Values of the X-Origin-Verify header the ALB accepts: the current secret first (CloudFront sends it), then the previous one during a rotation; 32-128 letters and digits each. Pass the `values` output of the origin-secret module, never literals"
  type        = list(string)
  sensitive   = true
}

################################################################################
# Network
################################################################################

variable "region" {
  description = "Region of this module's provider (names the execute-api endpoint service); an input because aws_region's `name` is deprecated in provider 6.x and `region` does not exist in 5.x"
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "vpc_id" {
  description = "VPC of the ALB and the execute-api endpoint"
  type        = string
}

variable "subnets" {
  description = "Private subnets (two or more, in different Availability Zones) of the ALB and the endpoint"
  type = list(object({
    id   = string
    cidr = string
  }))

  validation {
    condition     = length(var.subnets) >= 2
    error_message = "subnets must list two or more subnets in different Availability Zones: an ALB needs two."
  }
}

################################################################################
# API
################################################################################

variable "create_demo_api" {
  description = "Create a small PRIVATE REST API (GET / answers 200 from a mock integration) instead of using `rest_api_id`"
  type        = bool
  default     = false
}

variable "rest_api_id" {
  description = "Id of an existing PRIVATE REST API. Its resource policy is replaced by this module's (with the statements of `kept_policy_json`), and kept on destroy; redeploy its stage after apply"
  type        = string
  default     = null
}

variable "kept_policy_json" {
  description = "With rest_api_id: the API's resource policy as it was before this module (`aws apigateway get-rest-api --query policy`, unescaped): its statements are merged into the policy this module writes, which replaces the API's. Null keeps none. Its Sids must differ from the module's own"
  type        = string
  default     = null

  validation {
    condition     = var.kept_policy_json == null || can([for s in jsondecode(var.kept_policy_json).Statement : s.Effect][0])
    error_message = "kept_policy_json must be a policy document: a JSON object whose Statement is a list of statements, each with an Effect."
  }

  validation {
    condition = var.kept_policy_json == null || try(length([
      for s in jsondecode(var.kept_policy_json).Statement : s
      if contains(["AllowInvokeThroughThisEndpoint", "DenyInvokeFromElsewhere"], try(s.Sid, ""))
    ]) == 0, true)
    error_message = "kept_policy_json has a statement whose Sid is one this module writes (AllowInvokeThroughThisEndpoint, DenyInvokeFromElsewhere). Rename it, or drop it if this module wrote it."
  }
}

variable "stage_access_log_group_arn" {
  description = "With create_demo_api: CloudWatch Logs group ARN (without :*) for the demo stage's access logs; the account's API Gateway CloudWatch role must be set. Null leaves them off"
  type        = string
  default     = null
}

variable "stage_name" {
  description = "Stage CloudFront calls (the origin path)"
  type        = string
  default     = "prod"
}

################################################################################
# Target sync
################################################################################

variable "target_sync" {
  description = "How the ALB target group follows the endpoint's IPs: static_ips (fixed endpoint IPs), apply_time (ENI lookup) or lambda (targets registered by a sync function outside this module)"
  type        = string
  default     = "apply_time"

  validation {
    condition     = contains(["static_ips", "apply_time", "lambda"], var.target_sync)
    error_message = "target_sync must be static_ips, apply_time or lambda."
  }
}

variable "static_ips" {
  description = "With target_sync static_ips: the endpoint's fixed IPv4 address per subnet id"
  type        = map(string)
  default     = {}
}
