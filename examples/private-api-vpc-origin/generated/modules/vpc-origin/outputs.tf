################################################################################
# CloudFront origin
################################################################################

output "cloudfront_origin" {
  description = "One entry of the cloudfront-distribution module's `origins` map: origin_domain through this VPC origin, with the current secret as X-Origin-Verify when an ALB checks it. Not sensitive as a whole: the secret keeps the mark of the sensitive input it comes from, and the other fields stay readable"
  value = {
    domain_name = var.origin_domain
    origin_path = var.origin_path
    vpc_origin_config = {
      vpc_origin_id = aws_cloudfront_vpc_origin.this.id
    }
    custom_headers = local.verify_origin ? [
      {
        name  = "X-Origin-Verify"
        value = try(var.origin_secrets[0], "")
      },
    ] : []
  }

  # The distribution takes its origin from here, so it waits for the guards:
  # an adopted load balancer that faces the internet or whose listener
  # forwards by default, an instance with a public IP or with groups cfgen was
  # not told of stops the apply before any distribution uses the VPC origin.
  depends_on = [
    data.aws_lb.adopted,
    module.listener,
    data.aws_instance.this,
    data.aws_network_interface.instance,
  ]
}

output "vpc_origin_id" {
  description = "Id of the CloudFront VPC origin"
  value       = aws_cloudfront_vpc_origin.this.id
}

output "vpc_origin_arn" {
  description = "ARN of the CloudFront VPC origin"
  value       = aws_cloudfront_vpc_origin.this.arn
}

################################################################################
# Load balancer and security group
################################################################################

output "security_group_id" {
  description = "Security group that admits CloudFront VPC origins only"
  value       = local.security_group_id
}

output "load_balancer_arn" {
  description = "ARN of the load balancer (created or adopted), null for ec2"
  value       = local.is_load_balancer ? local.origin_arn : null
}

output "load_balancer_dns_name" {
  description = "DNS name of a created load balancer: point origin_domain at it in a private hosted zone"
  value       = try(aws_lb.this[0].dns_name, null)
}

output "targets_security_group_id" {
  description = "Security group for the targets of a created load balancer: admits the target port from the load balancer only. Attach it to every target and remove their other ingress"
  value       = try(aws_security_group.targets[0].id, null)
}

output "target_group_arn" {
  description = "IP target group of a created load balancer: register the origin's targets here"
  value       = try(aws_lb_target_group.this[0].arn, null)
}
