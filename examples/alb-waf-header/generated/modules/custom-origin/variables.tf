variable "domain_name" {
  description = "DNS name of the server: CloudFront connects to it (TLS SNI and Host); its certificate, from a public CA, covers it"
  type        = string
}

variable "origin_path" {
  description = "Path prefix CloudFront adds to every request"
  type        = string
  default     = ""
}

variable "https_port" {
  description = "HTTPS port of the server"
  type        = number
  default     = 443
}

variable "origin_secrets" {
  description = "Values of the X-Origin-Verify header the server accepts: the current secret first (CloudFront sends it), then the previous one during a rotation; 32-128 letters and digits each. Pass the `values` output of the origin-secret module, never literals"
  type        = list(string)
  sensitive   = true
}
