################################################################################
# Bucket
################################################################################

variable "bucket_name" {
  description = "Name of the bucket to create, or of the existing bucket to adopt when `create_bucket` is false"
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3-63 characters of lowercase letters, digits, hyphens and dots, and start and end with a letter or digit."
  }
}

variable "create_bucket" {
  description = "Create the bucket. False adopts an existing bucket in the provider's region: its website configuration, public access block, ownership controls and bucket policy (with the statements of `kept_policy_json`) are then written here, and kept on destroy"
  type        = bool
  default     = true
}

variable "kept_policy_json" {
  description = "An adopted bucket's policy as it was before this module (the JSON `aws s3api get-bucket-policy --query Policy --output text` prints): its statements come first in the policy this module writes, which replaces the bucket's. Null keeps none. Its Sids must differ from the module's own"
  type        = string
  default     = null

  validation {
    condition     = var.kept_policy_json == null || can([for s in jsondecode(var.kept_policy_json).Statement : s.Effect][0])
    error_message = "kept_policy_json must be a policy document: a JSON object whose Statement is a list of statements, each with an Effect."
  }

  validation {
    condition = var.kept_policy_json == null || try(length([
      for s in jsondecode(var.kept_policy_json).Statement : s
      if contains(["AllowGetObjectWithSecretReferer", "DenyObjectReadsWithoutSecretReferer", "DenyInsecureTransportExceptReads"], try(s.Sid, ""))
    ]) == 0, true)
    error_message = "kept_policy_json has a statement whose Sid is one this module writes (AllowGetObjectWithSecretReferer, DenyObjectReadsWithoutSecretReferer, DenyInsecureTransportExceptReads). Rename it, or drop it if this module wrote it."
  }
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete a created bucket that still holds objects"
  type        = bool
  default     = false
}

variable "versioning" {
  description = "Enable versioning on a created bucket (an adopted bucket keeps its own setting)"
  type        = bool
  default     = true
}

variable "noncurrent_version_expiration_days" {
  description = "Days a created bucket keeps an overwritten or deleted version of an object before the lifecycle rule expires it (the same rule aborts multipart uploads left incomplete for 7 days)"
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number of days, 1 or more."
  }
}

variable "lifecycle_rule_id" {
  description = "Id of the created bucket's lifecycle rule (noncurrent versions and incomplete multipart uploads)"
  type        = string
  default     = "expire-noncurrent-versions-abort-incomplete-uploads"

  validation {
    condition     = length(var.lifecycle_rule_id) >= 1 && length(var.lifecycle_rule_id) <= 255
    error_message = "lifecycle_rule_id must be 1-255 characters (S3's limit on a rule id)."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which the created bucket's lifecycle rule aborts a multipart upload left incomplete (its parts are billed until then)"
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1 && floor(var.abort_incomplete_multipart_upload_days) == var.abort_incomplete_multipart_upload_days
    error_message = "abort_incomplete_multipart_upload_days must be a whole number of days, 1 or more."
  }
}

variable "tags" {
  description = "Tags added to the created bucket"
  type        = map(string)
  default     = {}
}

################################################################################
# Website
################################################################################

variable "index_document" {
  description = "Object the website endpoint serves for a path that ends in `/`"
  type        = string
  default     = "index.html"
}

variable "error_document" {
  description = "Object the website endpoint serves with 4XX errors, or null for S3's own error page"
  type        = string
  default     = null
}

################################################################################
# Secret Referer
################################################################################

variable "referer_secrets" {
  description = "Values of the secret Referer header: the current one first (CloudFront sends it), then the previous one during a rotation. Pass the `values` output of the origin-secret module, never literals"
  type        = list(string)
  sensitive   = true

  validation {
    condition     = length(var.referer_secrets) >= 1 && length(var.referer_secrets) <= 2
    error_message = "referer_secrets takes the current secret and, during a rotation, the previous one: one or two values."
  }
}

variable "direct_reader_arns" {
  description = "ARNs of IAM roles or users that may still read objects directly (a backup, replication or Macie role). The bucket policy denies object reads to every other principal unless they come through the distribution (with the secret Referer). A role is named by its ARN, not a session's"
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.direct_reader_arns : can(regex("^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:(role|user)(/[A-Za-z0-9_+=,.@-]+)+$", arn))])
    error_message = "direct_reader_arns takes ARNs of IAM roles or users (arn:aws:iam::ACCOUNT:role/NAME), without wildcards; for a role session give the role's ARN."
  }
}
