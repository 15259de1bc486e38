variable "name" {
  description = "Name of the function and of its role"
  type        = string
}

variable "zip_path" {
  description = "Path of the deployment zip cfgen writes into the render (artifacts/<module>/edge_signer.zip); its config.json names the API's region and, when known, its host"
  type        = string
}

variable "api_id" {
  description = "Id of the REST API the function signs for; the role may invoke it only"
  type        = string
}

variable "api_region" {
  description = "Region of the API (the SigV4 scope); the function itself lives in us-east-1"
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.api_region))
    error_message = "api_region must be an AWS region name such as eu-west-1."
  }
}

variable "skip_destroy" {
  description = "Leave the function in place on destroy (it is removed from the state only): CloudFront deletes a replicated function's replicas hours after the distribution stops using it, and until then deleting it fails. Delete it afterwards with `aws lambda delete-function --region us-east-1`"
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to the function and its role"
  type        = map(string)
  default     = {}
}
