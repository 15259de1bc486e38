"""CKV_CFG_2: no Allow statement of an S3 bucket policy is open to everyone.

Fails an Allow statement whose principal is ``"*"`` or ``{"AWS": "*"}`` (any
identifier ``*``), whatever its conditions, and an Allow with ``NotPrincipal``
(it grants to everyone not listed). Deny statements with ``*`` are fine: the
usual ``aws:SecureTransport = false`` deny is one. An Allow principal that
checkov could not resolve and that might be ``*`` (a variable, local, module
output or dynamic-block iterator) fails too; a resource attribute such as
``aws_iam_role.x.arn`` is an ARN and passes.

The policy is read in the same three shapes as CKV_CFG_1 (see
cfgen_s3_policy_cloudfront_only.py): a parsed ``jsonencode``/heredoc policy on
``aws_s3_bucket_policy`` or ``aws_s3_bucket``, the statements of a
``data "aws_iam_policy_document"`` that is an S3 resource policy, and in plan
JSON the rendered policy of a document that was known at plan time. A policy
that cannot be read fails.
"""

from __future__ import annotations

# The folder of this file is on sys.path while checkov loads external checks.
from cfgen_policy_reading import (
    OPAQUE_REFERENCE,
    UNREADABLE,
    BucketPolicyCheck,
    BucketPolicyDocumentCheck,
    Policy,
    ReadFrom,
    principal,
)
from checkov.common.models.enums import CheckResult

CHECK_ID = "CKV_CFG_2"
CHECK_NAME = "S3 bucket policy has no Allow statement for any principal (Principal * or AWS *)"


def _judge(policy: Policy, details: list[str], _read: ReadFrom) -> CheckResult:
    problems = list(policy.opaque)
    for index, statement in enumerate(policy.statements):
        if not statement.allow:
            continue
        where = f"Allow statement {index + 1}"
        if statement.not_principal:
            problems.append(f"{where} uses NotPrincipal, which grants to everyone not listed")
        for kind, ident in statement.principals:
            if ident == "*":
                problems.append(f"{where} names {principal(kind, ident)}")
            elif ident == UNREADABLE or (isinstance(ident, str) and OPAQUE_REFERENCE.match(ident)):
                problems.append(f"{where} names {principal(kind, ident)}, which cannot be read")
    details.extend(problems)
    return CheckResult.FAILED if problems else CheckResult.PASSED


resource_check = BucketPolicyCheck(CHECK_NAME, CHECK_ID, _judge)
data_check = BucketPolicyDocumentCheck(CHECK_NAME, CHECK_ID, _judge)
