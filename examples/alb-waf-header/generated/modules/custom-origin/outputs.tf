output "cloudfront_origin" {
  description = "One entry of the cloudfront-distribution module's `origins` map: the server over HTTPS only (TLSv1.2), with the current secret as X-Origin-Verify"
  value = {
    domain_name = var.domain_name
    origin_path = var.origin_path
    custom_origin_config = {
      http_port              = 80
      https_port             = var.https_port
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
    custom_headers = [
      {
        name  = "X-Origin-Verify"
        value = var.origin_secrets[0]
      },
    ]
  }
  sensitive = true

  # The values never appear in this message: they are the secret.
  precondition {
    condition     = local.secrets_ok
    error_message = "origin_secrets must hold the current secret and at most the previous one, each 32 to 128 letters and digits: the rendered nginx, Apache and Caddy configuration refuses any other header value. Make one with `openssl rand -hex 32`."
  }
}
