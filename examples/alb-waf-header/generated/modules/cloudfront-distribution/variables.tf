################################################################################
# Distribution
################################################################################

variable "name" {
  description = "Name of the distribution; used as the comment when `comment` is null"
  type        = string
}

variable "comment" {
  description = "Comment shown in the CloudFront console. Defaults to `name`"
  type        = string
  default     = null
}

variable "aliases" {
  description = "Alternate domain names (CNAMEs) served by the distribution. Requires `acm_certificate_arn`"
  type        = list(string)
  default     = []
}

variable "price_class" {
  description = "Price class: PriceClass_All, PriceClass_200 or PriceClass_100"
  type        = string
  default     = "PriceClass_All"

  validation {
    condition     = contains(["PriceClass_All", "PriceClass_200", "PriceClass_100"], var.price_class)
    error_message = "price_class must be PriceClass_All (every edge location), PriceClass_200 or PriceClass_100 (the cheapest regions only)."
  }
}

variable "http_version" {
  description = "Highest HTTP version viewers can use: http1.1, http2, http2and3 or http3"
  type        = string
  default     = "http2and3"

  validation {
    condition     = contains(["http1.1", "http2", "http2and3", "http3"], var.http_version)
    error_message = "http_version must be http1.1, http2, http2and3 or http3 (CloudFront's spelling, in lowercase)."
  }
}

variable "is_ipv6_enabled" {
  description = "Whether the distribution answers on IPv6"
  type        = bool
  default     = true
}

variable "default_root_object" {
  description = "Object returned for a request to the root URL (for example `index.html`), without a leading slash"
  type        = string
  default     = null

  validation {
    condition     = !startswith(coalesce(var.default_root_object, "index.html"), "/")
    error_message = "default_root_object must not start with \"/\": write \"index.html\", not \"/index.html\"."
  }
}

variable "web_acl_id" {
  description = "ARN of a global (CLOUDFRONT scope, us-east-1) WAFv2 web ACL to associate"
  type        = string
  default     = null

  validation {
    condition     = var.web_acl_id == null || can(regex("^arn:aws[a-z-]*:wafv2:us-east-1:[0-9]{12}:global/webacl/[A-Za-z0-9_-]{1,128}/[0-9a-f-]{36}$", var.web_acl_id))
    error_message = "web_acl_id must be the ARN of a WAFv2 web ACL with CLOUDFRONT scope (arn:aws:wafv2:us-east-1:ACCOUNT:global/webacl/NAME/ID): a REGIONAL web ACL cannot protect a distribution, and a WAF Classic id is not taken here."
  }
}

variable "tags" {
  description = "Tags added to the distribution"
  type        = map(string)
  default     = {}
}

################################################################################
# Viewer certificate
################################################################################

variable "acm_certificate_arn" {
  description = "ARN of an ACM certificate in us-east-1 covering `aliases`. Null uses the default *.cloudfront.net certificate"
  type        = string
  default     = null

  validation {
    condition     = var.acm_certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[^/]+$", var.acm_certificate_arn))
    error_message = "acm_certificate_arn must be the ARN of an ACM certificate in us-east-1 (CloudFront reads certificates only from us-east-1): request or import the certificate there."
  }
}

variable "minimum_protocol_version" {
  description = "Minimum TLS security policy for viewers when `acm_certificate_arn` is set"
  type        = string
  default     = "TLSv1.2_2021"

  validation {
    condition     = contains(["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"], var.minimum_protocol_version)
    error_message = "minimum_protocol_version must be TLSv1.2_2021 or newer (TLSv1.2_2025, TLSv1.3_2025): older policies allow TLS 1.0/1.1 or weak ciphers."
  }
}

################################################################################
# Restrictions and logging
################################################################################

variable "geo_restriction" {
  description = "Geo restriction: `restriction_type` none, whitelist or blacklist, and ISO 3166-1 alpha-2 `locations`"
  type = object({
    restriction_type = string
    locations        = optional(list(string), [])
  })
  default = {
    restriction_type = "none"
  }

  validation {
    condition = (
      contains(["none", "whitelist", "blacklist"], var.geo_restriction.restriction_type) &&
      (var.geo_restriction.restriction_type == "none") == (length(var.geo_restriction.locations) == 0)
    )
    error_message = "geo_restriction: restriction_type must be none, whitelist or blacklist; give locations (country codes such as [\"IE\", \"GB\"]) for whitelist/blacklist and none for \"none\"."
  }
}

variable "logging" {
  description = "Standard (legacy) access logging. `bucket` is the log bucket's domain name, for example `logs.s3.amazonaws.com`"
  type = object({
    bucket          = string
    prefix          = optional(string, "")
    include_cookies = optional(bool, false)
  })
  default = null

  validation {
    condition     = var.logging == null || can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]\\.s3(\\.[a-z0-9-]+)?\\.amazonaws\\.com(\\.cn)?$", var.logging.bucket))
    error_message = "logging.bucket must be the log bucket's domain name (\"my-logs.s3.amazonaws.com\"), not its name or ARN."
  }
}

################################################################################
# Origins
################################################################################

variable "origins" {
  description = "Origins keyed by origin id. Give at most one of `custom_origin_config`, `vpc_origin_config` or `origin_access_identity` (an OAI path `origin-access-identity/cloudfront/ID`); none of them means an S3 REST origin. The values of `custom_headers` (an origin's secret header, most often) are marked sensitive in the distribution, whatever the caller passes. This input is not sensitive as a whole, so the origin modules' `cloudfront_origin` outputs and messages built on it stay readable; Terraform cannot mark one element of a set, so a plan shows the distribution's `origin` blocks as sensitive once one origin has a custom header"
  type = map(object({
    domain_name              = string
    origin_path              = optional(string, "")
    origin_access_control_id = optional(string)
    origin_access_identity   = optional(string)
    custom_origin_config = optional(object({
      http_port                = optional(number, 80)
      https_port               = optional(number, 443)
      origin_protocol_policy   = optional(string, "https-only")
      origin_ssl_protocols     = optional(list(string), ["TLSv1.2"])
      origin_read_timeout      = optional(number, 30)
      origin_keepalive_timeout = optional(number, 5)
    }))
    vpc_origin_config = optional(object({
      vpc_origin_id            = string
      origin_read_timeout      = optional(number, 30)
      origin_keepalive_timeout = optional(number, 5)
    }))
    custom_headers = optional(list(object({
      name  = string
      value = string
    })), [])
    connection_attempts = optional(number, 3)
    connection_timeout  = optional(number, 10)
  }))

  validation {
    condition     = length(var.origins) > 0
    error_message = "origins must hold at least one origin."
  }

  validation {
    condition = alltrue([
      for o in values(var.origins) : sum([
        for given in [o.custom_origin_config != null, o.vpc_origin_config != null, o.origin_access_identity != null] : given ? 1 : 0
      ]) <= 1 && !(o.origin_access_identity != null && o.origin_access_control_id != null)
    ])
    error_message = "Each origin takes at most one of custom_origin_config, vpc_origin_config or origin_access_identity, and an origin_access_identity excludes origin_access_control_id: keep the one that matches the origin type."
  }
}

variable "origin_groups" {
  description = "Origin failover groups keyed by origin group id; a behavior may target the group id"
  type = map(object({
    primary_origin_id   = string
    secondary_origin_id = string
    status_codes        = list(number)
  }))
  default = {}

  validation {
    condition = alltrue([
      for g in values(var.origin_groups) : length(g.status_codes) > 0 && alltrue([
        for code in g.status_codes : contains([400, 403, 404, 416, 500, 502, 503, 504], code)
      ])
    ])
    error_message = "origin_groups[*].status_codes must list one or more of 400, 403, 404, 416, 500, 502, 503, 504 (the codes CloudFront can fail over on)."
  }
}

################################################################################
# Cache behaviors
################################################################################

variable "default_cache_behavior" {
  description = "Default cache behavior. Policies are referenced by id (managed policies have fixed ids)"
  type = object({
    target_origin_id           = string
    viewer_protocol_policy     = optional(string, "redirect-to-https")
    allowed_methods            = optional(list(string), ["GET", "HEAD", "OPTIONS"])
    cached_methods             = optional(list(string), ["GET", "HEAD"])
    compress                   = optional(bool, true)
    cache_policy_id            = string
    origin_request_policy_id   = optional(string)
    response_headers_policy_id = optional(string)
    trusted_key_groups         = optional(list(string), [])
    function_associations = optional(list(object({
      event_type   = string
      function_arn = string
    })), [])
    lambda_function_associations = optional(list(object({
      event_type   = string
      lambda_arn   = string
      include_body = optional(bool, false)
    })), [])
  })

  validation {
    condition = alltrue([
      for a in var.default_cache_behavior.lambda_function_associations :
      contains(["viewer-request", "viewer-response", "origin-request", "origin-response"], a.event_type) && can(regex(":[0-9]+$", a.lambda_arn))
    ])
    error_message = "default_cache_behavior.lambda_function_associations: event_type must be viewer-request, viewer-response, origin-request or origin-response, and lambda_arn a published version (qualified_arn, ending in :NUMBER), not $LATEST or an alias."
  }

  validation {
    condition     = var.default_cache_behavior.viewer_protocol_policy != "allow-all"
    error_message = "default_cache_behavior.viewer_protocol_policy must not be \"allow-all\": use \"redirect-to-https\" or \"https-only\"."
  }

  validation {
    condition = (
      contains(["GET,HEAD", "GET,HEAD,OPTIONS", "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"], join(",", sort(var.default_cache_behavior.allowed_methods))) &&
      contains(["GET,HEAD", "GET,HEAD,OPTIONS"], join(",", sort(var.default_cache_behavior.cached_methods)))
    )
    error_message = "default_cache_behavior: allowed_methods must be [GET, HEAD], [GET, HEAD, OPTIONS] or all seven methods, and cached_methods [GET, HEAD] or [GET, HEAD, OPTIONS]."
  }
}

variable "ordered_cache_behaviors" {
  description = "Ordered cache behaviors, matched by CloudFront in list order before the default behavior"
  type = list(object({
    path_pattern               = string
    target_origin_id           = string
    viewer_protocol_policy     = optional(string, "redirect-to-https")
    allowed_methods            = optional(list(string), ["GET", "HEAD", "OPTIONS"])
    cached_methods             = optional(list(string), ["GET", "HEAD"])
    compress                   = optional(bool, true)
    cache_policy_id            = string
    origin_request_policy_id   = optional(string)
    response_headers_policy_id = optional(string)
    trusted_key_groups         = optional(list(string), [])
    function_associations = optional(list(object({
      event_type   = string
      function_arn = string
    })), [])
    lambda_function_associations = optional(list(object({
      event_type   = string
      lambda_arn   = string
      include_body = optional(bool, false)
    })), [])
  }))
  default = []

  validation {
    condition = alltrue(flatten([
      for b in var.ordered_cache_behaviors : [
        for a in b.lambda_function_associations :
        contains(["viewer-request", "viewer-response", "origin-request", "origin-response"], a.event_type) && can(regex(":[0-9]+$", a.lambda_arn))
      ]
    ]))
    error_message = "ordered_cache_behaviors[*].lambda_function_associations: event_type must be viewer-request, viewer-response, origin-request or origin-response, and lambda_arn a published version (qualified_arn, ending in :NUMBER), not $LATEST or an alias."
  }

  validation {
    condition     = alltrue([for b in var.ordered_cache_behaviors : b.viewer_protocol_policy != "allow-all"])
    error_message = "ordered_cache_behaviors[*].viewer_protocol_policy must not be \"allow-all\": use \"redirect-to-https\" or \"https-only\"."
  }

  validation {
    condition = alltrue([
      for b in var.ordered_cache_behaviors : (
        contains(["GET,HEAD", "GET,HEAD,OPTIONS", "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"], join(",", sort(b.allowed_methods))) &&
        contains(["GET,HEAD", "GET,HEAD,OPTIONS"], join(",", sort(b.cached_methods)))
      )
    ])
    error_message = "ordered_cache_behaviors: allowed_methods must be [GET, HEAD], [GET, HEAD, OPTIONS] or all seven methods, and cached_methods [GET, HEAD] or [GET, HEAD, OPTIONS]."
  }

  validation {
    condition     = length(distinct([for b in var.ordered_cache_behaviors : b.path_pattern])) == length(var.ordered_cache_behaviors)
    error_message = "ordered_cache_behaviors: each path_pattern may appear only once; merge the duplicates."
  }
}
