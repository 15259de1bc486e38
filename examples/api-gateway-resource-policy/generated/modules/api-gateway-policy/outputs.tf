output "policy" {
  description = "The resource policy attached (JSON): hash it into the deployment's triggers so that a change redeploys the stage"
  # Spelled out per resource (not a splat): cfgen's proofs follow each branch to its policy.
  value = (
    var.existing_api ?
    (var.guard == "referer" ? aws_api_gateway_rest_api_policy.adopted_referer[0].policy : aws_api_gateway_rest_api_policy.adopted_principal[0].policy) :
    (var.guard == "referer" ? aws_api_gateway_rest_api_policy.referer[0].policy : aws_api_gateway_rest_api_policy.principal[0].policy)
  )
  sensitive = true
}
