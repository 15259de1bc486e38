################################################################################
# Origin
################################################################################

variable "name" {
  description = "Name prefix of every resource (the VPC origin's name adds a hash of its configuration)"
  type        = string

  validation {
    condition     = length(var.name) >= 1 && length(var.name) <= 55
    error_message = "name must be 1-55 characters: the VPC origin's name appends 9 characters and CloudFront allows 64."
  }
}

variable "origin_type" {
  description = "What the VPC origin points at: alb, nlb or ec2"
  type        = string

  validation {
    condition     = contains(["alb", "nlb", "ec2"], var.origin_type)
    error_message = "origin_type must be alb, nlb or ec2."
  }
}

variable "origin_domain" {
  description = "Domain name CloudFront connects to (TLS SNI and Host); the origin's certificate must cover it"
  type        = string
}

variable "origin_path" {
  description = "Path prefix CloudFront adds to every request"
  type        = string
  default     = ""
}

variable "https_port" {
  description = "HTTPS port of the load balancer listener or instance"
  type        = number
  default     = 443
}

variable "vpc_origin_http_port" {
  description = "HTTP port the VPC origin records (CloudFront requires one); CloudFront never uses it, since the origin protocol policy is https-only"
  type        = number
  default     = 80

  validation {
    condition     = var.vpc_origin_http_port >= 1 && var.vpc_origin_http_port <= 65535 && floor(var.vpc_origin_http_port) == var.vpc_origin_http_port
    error_message = "vpc_origin_http_port must be a port number, 1 to 65535."
  }
}

variable "tags" {
  description = "Tags added to every resource"
  type        = map(string)
  default     = {}
}

################################################################################
# Network
################################################################################

variable "vpc_id" {
  description = "VPC of the origin"
  type        = string
}

variable "subnets" {
  description = "Private subnets of a created load balancer (id and CIDR; egress to targets is limited to these CIDRs)"
  type = list(object({
    id   = string
    cidr = string
  }))
  default = []
}

################################################################################
# Load balancer (alb, nlb)
################################################################################

variable "create_load_balancer" {
  description = "Create an internal load balancer, its security group, an HTTPS (ALB) or TLS (NLB) listener and an IP target group"
  type        = bool
  default     = true
}

variable "load_balancer_arn" {
  description = "ARN of an existing internal load balancer, when `create_load_balancer` is false"
  type        = string
  default     = null
}

variable "security_group_id" {
  description = "Security group of an existing load balancer: the module adds the CloudFront ingress rule to it"
  type        = string
  default     = null
}

variable "check_adopted_load_balancer" {
  description = "Read an adopted load balancer once the VPC origin exists and stop the apply if it is internet-facing. False when the caller created it"
  type        = bool
  default     = true
}

variable "certificate_arn" {
  description = "ACM certificate (public CA, origin region) of the listener of a created load balancer; it covers `origin_domain`"
  type        = string
  default     = null
}

variable "ssl_policy" {
  description = "TLS policy of the listener of a created load balancer: one of Security Hub ELB.17's recommended policies (CFG_VPC_ORIGIN_TLS checks it)"
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
}

variable "access_logs" {
  description = "Access logs of a created load balancer: an S3 bucket (origin region, with a policy that lets Elastic Load Balancing write) and a key prefix. Null leaves them off"
  type = object({
    bucket = string
    prefix = optional(string, "")
  })
  default = null
}

variable "load_balancer_name_prefix" {
  description = "name_prefix of a created load balancer and its target group (AWS appends a random suffix). Null picks cfa- for an ALB and cfn- for an NLB"
  type        = string
  default     = null

  validation {
    condition     = var.load_balancer_name_prefix == null || can(regex("^[A-Za-z0-9][A-Za-z0-9-]{0,5}$", var.load_balancer_name_prefix))
    error_message = "load_balancer_name_prefix must be 1-6 letters, digits or hyphens, not starting with a hyphen: AWS allows name_prefix at most 6 characters on load balancers and target groups."
  }
}

variable "forbidden_response_body" {
  description = "Body of the fixed 403 a created ALB answers to requests without the secret header"
  type        = string
  default     = "Forbidden"

  validation {
    condition     = length(var.forbidden_response_body) <= 1024
    error_message = "forbidden_response_body must be at most 1024 characters (the limit of an ALB fixed response)."
  }
}

variable "target_port" {
  description = "Port of the targets of a created load balancer"
  type        = number
  default     = 443
}

variable "target_protocol" {
  description = "Protocol to the targets of a created load balancer: HTTPS/HTTP (ALB), TLS/TCP (NLB). Null picks HTTPS or TLS"
  type        = string
  default     = null
}

variable "health_check_path" {
  description = "Path of the target group's HTTP(S) health check (ALB only)"
  type        = string
  default     = "/"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with /."
  }
}

variable "deletion_protection" {
  description = "Deletion protection of a created load balancer"
  type        = bool
  default     = true
}

################################################################################
# Secret header (alb)
################################################################################

variable "origin_secrets" {
  description = "Values of the X-Origin-Verify header the ALB accepts: the current secret first (CloudFront sends it), then the previous one during a rotation; 32-128 letters and digits each. Pass the `values` output of the origin-secret module, never literals"
  type        = list(string)
  default     = []
  sensitive   = true
}

variable "listener_rule" {
  description = "Add the forwarding rule that requires X-Origin-Verify to `listener_arn`, a listener of an adopted ALB (a created ALB always gets it)"
  type        = bool
  default     = false
}

variable "listener_arn" {
  description = "With `listener_rule`: the adopted ALB's HTTPS listener. Its default action must answer a fixed 403, or requests without the secret still reach its targets"
  type        = string
  default     = null
}

variable "target_group_arn" {
  description = "With `listener_rule`: the target group the rule forwards requests carrying the secret to"
  type        = string
  default     = null
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

################################################################################
# Instance (ec2)
################################################################################

variable "instance_arn" {
  description = "ARN of the instance (origin_type ec2); it must have no public IP"
  type        = string
  default     = null
}

variable "network_interface_id" {
  description = "Primary network interface of the instance: the CloudFront-only security group is attached to it"
  type        = string
  default     = null
}

variable "keep_security_group_ids" {
  description = "ec2: the security groups of the interface besides cfgen's that it may keep (for egress, say), once checked to admit no ingress; the apply stops if the interface carries any other"
  type        = list(string)
  default     = []
}
