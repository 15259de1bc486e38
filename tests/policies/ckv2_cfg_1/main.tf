# CKV2_CFG_1: every S3 bucket is connected to a public access block with all
# four flags true.

resource "aws_s3_bucket" "pass_blocked" {
  bucket = "blocked"
}

resource "aws_s3_bucket_public_access_block" "blocked" {
  bucket                  = aws_s3_bucket.pass_blocked.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket" "fail_no_block" {
  bucket = "no-block"
}

resource "aws_s3_bucket" "fail_flag_off" {
  bucket = "flag-off"
}

resource "aws_s3_bucket_public_access_block" "flag_off" {
  bucket                  = aws_s3_bucket.fail_flag_off.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = false
}

# An unset flag is false.
resource "aws_s3_bucket" "fail_flag_unset" {
  bucket = "flag-unset"
}

resource "aws_s3_bucket_public_access_block" "flag_unset" {
  bucket              = aws_s3_bucket.fail_flag_unset.id
  block_public_acls   = true
  block_public_policy = true
  ignore_public_acls  = true
}

# Named by a literal instead of a reference: no connection checkov can see.
resource "aws_s3_bucket" "fail_block_not_referenced" {
  bucket = "by-name"
}

resource "aws_s3_bucket_public_access_block" "by_name" {
  bucket                  = "by-name"
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
