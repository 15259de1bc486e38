"""CKV_CFG_1: an S3 bucket policy allows only CloudFront, scoped to one distribution.

Every Allow statement must name only the service principal
``cloudfront.amazonaws.com`` and carry a ``StringEquals`` or ``ArnEquals``
condition on ``AWS:SourceArn`` (key compared case-insensitively) whose values
are CloudFront distribution ARNs or references that resolve to one.
``*Like`` and ``*IfExists`` operators are refused: the first admits wildcards,
the second holds when the key is absent. Deny statements are not judged.

A bucket policy reaches checkov in one of three shapes, and this file has one
check object per place the statements can be read:

* ``aws_s3_bucket_policy.policy`` (or the legacy ``aws_s3_bucket.policy``)
  as ``jsonencode(...)`` or a heredoc: checkov parses it into a dict.
* ``policy = data.aws_iam_policy_document.x.json``: checkov leaves the policy
  as the unresolved string ``data.aws_iam_policy_document.x.json`` (HCL, and
  plan JSON while the document is unknown). The resource check hands over and
  the data check below reads the document's ``statement`` blocks.
* In plan JSON a fully known document is read during plan and appears only in
  ``prior_state``, which checkov does not scan; the policy attribute is then the
  rendered JSON, which the resource check reads.

A policy that cannot be read (an unknown ``jsonencode`` in plan JSON, a module
output, a variable) fails: this check exists to prove, not to guess.
"""

from __future__ import annotations

import re
from typing import Any

# The folder of this file is on sys.path while checkov loads external checks.
from cfgen_policy_reading import (
    OPAQUE_REFERENCE,
    BucketPolicyCheck,
    BucketPolicyDocumentCheck,
    Policy,
    ReadFrom,
    Statement,
    principal,
)
from checkov.common.models.enums import CheckResult

CHECK_ID = "CKV_CFG_1"
CHECK_NAME = (
    "S3 bucket policy allows only the CloudFront service principal, with StringEquals/ArnEquals on AWS:SourceArn"
)


_CLOUDFRONT = "cloudfront.amazonaws.com"
_EXACT_OPERATORS = {"stringequals", "arnequals"}
_DISTRIBUTION_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:cloudfront::\d{12}:distribution/[A-Z0-9]+$")
_OAI_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:iam::cloudfront:user/CloudFront Origin Access Identity [A-Z0-9]+$")
_OAI_REFERENCE = re.compile(r"^\$?\{?aws_cloudfront_origin_access_identity\.[\w-]+(\[[^\]]*\])?\.iam_arn\}?$")
_DISTRIBUTION_REFERENCE = re.compile(r"^\$?\{?(data\.)?aws_cloudfront_distribution\.[\w-]+(\[[^\]]*\])?\.arn\}?$")


def _source_arn_value_ok(value: Any) -> bool:
    if value is None:  # unknown until apply in plan JSON (the distribution is not created yet)
        return True
    if not isinstance(value, str):
        return False
    return bool(_DISTRIBUTION_ARN.match(value) or _DISTRIBUTION_REFERENCE.match(value) or OPAQUE_REFERENCE.match(value))


def _is_oai(kind: str, ident: Any) -> bool:
    """An Origin Access Identity: its IAM ARN, or a reference to ``aws_cloudfront_origin_access_identity``."""
    if kind.lower() != "aws" or not isinstance(ident, str):
        return False
    return bool(_OAI_ARN.match(ident) or _OAI_REFERENCE.match(ident))


def _statement_problems(index: int, statement: Statement) -> list[str]:
    if not statement.allow:
        return []
    where = f"Allow statement {index + 1}"
    if statement.principals and not statement.not_principal and all(_is_oai(k, i) for k, i in statement.principals):
        return []  # a legacy OAI is this distribution's own identity; no SourceArn applies to it
    problems = []
    if statement.not_principal:
        problems.append(f"{where} uses NotPrincipal")
    if not statement.principals:
        problems.append(f"{where} names no principal")
    for kind, ident in statement.principals:
        if kind.lower() != "service" or ident != _CLOUDFRONT:
            problems.append(f"{where} names {principal(kind, ident)}, not Service {_CLOUDFRONT}")
    scoped = any(
        op.lower() in _EXACT_OPERATORS
        and key.lower() == "aws:sourcearn"
        and values
        and all(_source_arn_value_ok(v) for v in values)
        for op, key, values in statement.conditions
    )
    if not scoped:
        problems.append(
            f"{where} has no StringEquals/ArnEquals condition on AWS:SourceArn naming a CloudFront distribution"
        )
    return problems


def _judge(policy: Policy, details: list[str], _read: ReadFrom) -> CheckResult:
    problems = list(policy.opaque)
    for index, statement in enumerate(policy.statements):
        problems += _statement_problems(index, statement)
    details.extend(problems)
    return CheckResult.FAILED if problems else CheckResult.PASSED


resource_check = BucketPolicyCheck(CHECK_NAME, CHECK_ID, _judge)
data_check = BucketPolicyDocumentCheck(CHECK_NAME, CHECK_ID, _judge)
