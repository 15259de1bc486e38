# No resource: the server is yours and outside this plan. The module gives
# CloudFront the origin entry (HTTPS only, TLSv1.2, the secret header) and
# refuses a secret the rendered server configuration would refuse.
locals {
  secrets_ok = length(var.origin_secrets) >= 1 && length(var.origin_secrets) <= 2 && alltrue([for s in var.origin_secrets : can(regex("^[A-Za-z0-9]{32,128}$", s))])
}
