output "cloudfront_origin" {
  description = "One entry of the cloudfront-distribution module's `origins` map: the URL's host over HTTPS, signed by this module's origin access control"
  value = {
    domain_name              = split("/", local.function_url)[2]
    origin_path              = var.origin_path
    origin_access_control_id = aws_cloudfront_origin_access_control.this.id
    custom_origin_config = {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  # The distribution takes its origin from here, so it waits for the guard on
  # an existing URL.
  depends_on = [data.aws_lambda_function_url.existing]
}

output "function_url" {
  description = "The function URL (it answers only requests CloudFront signs for this distribution)"
  value       = local.function_url
}

output "function_name" {
  description = "Name of the function behind the URL"
  value       = local.function_name
}

output "origin_access_control_id" {
  description = "Id of the origin access control (type lambda, always signs)"
  value       = aws_cloudfront_origin_access_control.this.id
}
