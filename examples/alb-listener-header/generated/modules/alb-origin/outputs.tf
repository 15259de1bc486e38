################################################################################
# CloudFront origin
################################################################################

output "cloudfront_origin" {
  description = "One entry of the cloudfront-distribution module's `origins` map: origin_domain over HTTPS only (TLSv1.2), with the current secret as X-Origin-Verify"
  value       = module.origin.cloudfront_origin
  sensitive   = true

  # The distribution takes its origin from here, so it waits for the rule and
  # the guards: an adopted listener that forwards by default, a prefix list
  # id that is not CloudFront's, or an adopted ALB that lets requests past an
  # unreachable WAF, stops the apply before any request.
  depends_on = [
    module.listener,
    data.aws_ec2_managed_prefix_list.cloudfront,
    data.aws_lb.waf_fail_closed,
  ]
}

################################################################################
# Load balancer
################################################################################

output "load_balancer_arn" {
  description = "ARN of the ALB (created or adopted): where a WAF web ACL would be associated"
  value       = local.create_lb ? aws_lb.this[0].arn : var.load_balancer_arn
}

output "load_balancer_dns_name" {
  description = "DNS name of a created ALB: point origin_domain at it (CNAME, or a Route 53 alias)"
  value       = try(aws_lb.this[0].dns_name, null)
}

output "listener_arn" {
  description = "ARN of the HTTPS listener (created or adopted)"
  value       = module.listener.listener_arn
}

output "security_group_id" {
  description = "Security group that admits CloudFront's origin-facing prefix list only"
  value       = local.security_group_id
}

output "target_group_arn" {
  description = "IP target group of a created ALB: register the targets here"
  value       = try(aws_lb_target_group.this[0].arn, null)
}

output "targets_security_group_id" {
  description = "Security group for the targets of a created ALB: admits the target port from the ALB only. Attach it to every target and remove their other ingress"
  value       = try(aws_security_group.targets[0].id, null)
}
