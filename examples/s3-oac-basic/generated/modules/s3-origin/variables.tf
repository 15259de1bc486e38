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
  description = "Create the bucket. False adopts an existing bucket in the provider's region: its public access block, ownership controls and bucket policy (with the statements of `kept_policy_json`) are then written here, and kept on destroy"
  type        = bool
  default     = true
}

variable "kept_policy_json" {
  description = "An adopted bucket's policy as it was before this module (the JSON `aws s3api get-bucket-policy --query Policy --output text` prints): its statements are merged into the policy this module writes, which replaces the bucket's. Null keeps none. Its Sids must differ from the module's own"
  type        = string
  default     = null

  validation {
    condition     = var.kept_policy_json == null || can([for s in jsondecode(var.kept_policy_json).Statement : s.Effect][0])
    error_message = "kept_policy_json must be a policy document: a JSON object whose Statement is a list of statements, each with an Effect."
  }

  validation {
    condition = var.kept_policy_json == null || try(length([
      for s in jsondecode(var.kept_policy_json).Statement : s
      if contains(["AllowCloudFrontServicePrincipalReadOnly", "AllowOriginAccessIdentityReadOnly", "DenyObjectReadsNotThroughThisDistribution", "DenyInsecureTransport"], try(s.Sid, ""))
    ]) == 0, true)
    error_message = "kept_policy_json has a statement whose Sid is one this module writes (AllowCloudFrontServicePrincipalReadOnly, AllowOriginAccessIdentityReadOnly, DenyObjectReadsNotThroughThisDistribution, DenyInsecureTransport): the merge would keep the module's alone. Rename it, or drop it if this module wrote it."
  }
}

variable "region" {
  description = "Region of this module's provider, where an adopted bucket is (names its regional endpoint); required when `create_bucket` is false"
  type        = string
  default     = null

  validation {
    condition     = var.region == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete a created bucket that still holds objects"
  type        = bool
  default     = false
}

variable "origin_path" {
  description = "Folder of the bucket CloudFront serves, e.g. /site (it puts this before every request's path); empty serves the whole bucket"
  type        = string
  default     = ""

  validation {
    condition     = var.origin_path == "" || (startswith(var.origin_path, "/") && !endswith(var.origin_path, "/"))
    error_message = "origin_path starts with / and does not end with one, e.g. \"/site\"; leave it empty to serve the whole bucket."
  }
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
  description = "Tags added to the created bucket and KMS key"
  type        = map(string)
  default     = {}
}

################################################################################
# CloudFront access
################################################################################

variable "distribution_arn" {
  description = "ARN of the only CloudFront distribution allowed to read the bucket"
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:cloudfront::[0-9]{12}:distribution/[A-Z0-9]+$", var.distribution_arn))
    error_message = "distribution_arn must be a CloudFront distribution ARN (arn:aws:cloudfront::ACCOUNT:distribution/ID): pass the distribution module's `arn` output."
  }
}

variable "access" {
  description = "How CloudFront reaches the bucket. `oac`: Origin Access Control with SigV4, the bucket policy names the distribution. `oai`: legacy Origin Access Identity, the bucket policy names the OAI. `oai_to_oac`: migration step, the policy admits both the OAC (this distribution) and the OAI, and the origin still signs with the OAI; then set `oac`"
  type        = string
  default     = "oac"

  validation {
    condition     = contains(["oac", "oai", "oai_to_oac"], var.access)
    error_message = "access must be \"oac\" (Origin Access Control), \"oai\" (legacy Origin Access Identity) or \"oai_to_oac\" (migration from OAI to OAC)."
  }
}

variable "origin_access_control_name" {
  description = "Name of the Origin Access Control (unique in the account)"
  type        = string

  validation {
    condition     = length(var.origin_access_control_name) >= 1 && length(var.origin_access_control_name) <= 64
    error_message = "origin_access_control_name must be 1-64 characters: shorten the name."
  }
}

variable "origin_access_control_description" {
  description = "Description of the Origin Access Control; null says which bucket it signs reads of"
  type        = string
  default     = null

  validation {
    condition     = var.origin_access_control_description == null || length(coalesce(var.origin_access_control_description, " ")) <= 256
    error_message = "origin_access_control_description must be 256 characters at most."
  }
}

variable "origin_access_identity_comment" {
  description = "Comment of the Origin Access Identity (access oai and oai_to_oac); null says which bucket it reads"
  type        = string
  default     = null

  validation {
    condition     = var.origin_access_identity_comment == null || length(coalesce(var.origin_access_identity_comment, " ")) <= 128
    error_message = "origin_access_identity_comment must be 128 characters at most (CloudFront's limit)."
  }
}

variable "direct_reader_arns" {
  description = "ARNs of IAM roles or users that may still read objects directly (a backup, replication or Macie role). The bucket policy denies object reads to every other principal unless they come through the distribution (or, with `oai` and `oai_to_oac`, as its OAI). A role is named by its ARN, not a session's"
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.direct_reader_arns : can(regex("^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:(role|user)(/[A-Za-z0-9_+=,.@-]+)+$", arn))])
    error_message = "direct_reader_arns takes ARNs of IAM roles or users (arn:aws:iam::ACCOUNT:role/NAME), without wildcards; for a role session give the role's ARN."
  }
}

################################################################################
# Encryption
################################################################################

variable "kms_key_arn" {
  description = "ARN of an existing customer managed KMS key for SSE-KMS. Its key policy must let CloudFront decrypt: see the `kms_key_policy_statement_json` output"
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be the ARN of a customer managed key (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias or key id: CloudFront can decrypt only with a key whose policy allows it."
  }
}

variable "create_kms_key" {
  description = "Create a KMS key for SSE-KMS whose policy lets only this distribution decrypt through CloudFront. Excludes `kms_key_arn`; a created bucket only"
  type        = bool
  default     = false
}

variable "kms_deletion_window_days" {
  description = "Days a created KMS key waits, once this module is destroyed, before AWS deletes it (a key can be recovered until then)"
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30 && floor(var.kms_deletion_window_days) == var.kms_deletion_window_days
    error_message = "kms_deletion_window_days must be a whole number from 7 to 30 (KMS's limits)."
  }
}
