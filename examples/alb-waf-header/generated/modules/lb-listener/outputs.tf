output "listener_arn" {
  description = "ARN of the listener: the created one, or `listener_arn`"
  value       = var.create_listener ? aws_lb_listener.this[0].arn : var.listener_arn
}

output "rule_arn" {
  description = "ARN of the X-Origin-Verify forwarding rule, null without `verify_header`"
  value       = try(aws_lb_listener_rule.origin_verify[0].arn, null)
}
