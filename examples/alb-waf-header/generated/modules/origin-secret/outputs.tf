output "current" {
  description = "The secret to send now"
  value       = local.current
  sensitive   = true

  precondition {
    condition     = local.current != null && length(coalesce(local.current, "")) >= var.min_length
    error_message = "The current secret is missing or shorter than min_length: give it at least that many random characters (e.g. `openssl rand -hex 32`)."
  }
}

output "values" {
  description = "Every value the origin must accept: the current secret, then the previous one while it is set and differs"
  value       = compact(distinct([local.current, local.previous == null ? "" : local.previous]))
  sensitive   = true
}
