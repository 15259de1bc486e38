variable "name" {
  description = "Name of the HTTP API, and of its backend function and the function's role"
  type        = string
}

variable "zip_path" {
  description = "Path of the backend's deployment zip cfgen writes into the render (artifacts/<module>/demo_api.zip)"
  type        = string
}

variable "authorization" {
  description = "Authorization of every route: NONE, or CUSTOM (a Lambda REQUEST authorizer, `authorizer_id`)"
  type        = string
  default     = "NONE"

  validation {
    condition     = contains(["NONE", "CUSTOM"], var.authorization)
    error_message = "authorization must be NONE or CUSTOM."
  }
}

variable "authorizer_id" {
  description = "With authorization CUSTOM: id of the REQUEST authorizer every route uses"
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to the API, its stage, the function and its role"
  type        = map(string)
  default     = {}
}
