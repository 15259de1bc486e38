# CKV2_CFG_2: every S3 bucket is connected to ownership controls with
# object_ownership = BucketOwnerEnforced (ACLs disabled).

resource "aws_s3_bucket" "pass_enforced" {
  bucket = "enforced"
}

resource "aws_s3_bucket_ownership_controls" "enforced" {
  bucket = aws_s3_bucket.pass_enforced.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket" "fail_no_controls" {
  bucket = "no-controls"
}

resource "aws_s3_bucket" "fail_preferred" {
  bucket = "preferred"
}

resource "aws_s3_bucket_ownership_controls" "preferred" {
  bucket = aws_s3_bucket.fail_preferred.id
  rule {
    object_ownership = "BucketOwnerPreferred"
  }
}

resource "aws_s3_bucket" "fail_object_writer" {
  bucket = "object-writer"
}

resource "aws_s3_bucket_ownership_controls" "object_writer" {
  bucket = aws_s3_bucket.fail_object_writer.id
  rule {
    object_ownership = "ObjectWriter"
  }
}
