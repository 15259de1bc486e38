################################################################################
# CloudFront origin
################################################################################

output "cloudfront_origin" {
  description = "One entry of the cloudfront-distribution module's `origins` map: origin_domain through the VPC origin, the stage as origin path, the current secret as X-Origin-Verify and x-apigw-api-id naming the API. Not sensitive as a whole: the secret keeps the mark of the sensitive input it comes from, and the other fields stay readable"
  value = merge(module.vpc_origin.cloudfront_origin, {
    custom_headers = concat(module.vpc_origin.cloudfront_origin.custom_headers, [
      {
        name  = "x-apigw-api-id"
        value = local.api_id
      },
    ])
  })
}

output "api_id" {
  description = "Id of the PRIVATE REST API CloudFront reaches"
  # Spelled out rather than local.api_id: cfgen's proofs follow it to the API.
  value = var.create_demo_api ? aws_api_gateway_rest_api.demo[0].id : var.rest_api_id
}

################################################################################
# Chain
################################################################################

output "vpc_endpoint_id" {
  description = "Id of the execute-api interface endpoint (the resource policy's aws:SourceVpce)"
  value       = aws_vpc_endpoint.execute_api.id
}

output "target_group_arn" {
  description = "IP target group of the endpoint's addresses"
  value       = aws_lb_target_group.endpoint.arn
}

output "load_balancer_dns_name" {
  description = "DNS name of the internal ALB"
  value       = aws_lb.this.dns_name
}

output "vpc_origin_id" {
  description = "Id of the CloudFront VPC origin"
  value       = module.vpc_origin.vpc_origin_id
}
