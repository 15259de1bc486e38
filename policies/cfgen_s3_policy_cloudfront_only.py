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

import copy
import json
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.data.base_check import BaseDataCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from checkov.terraform.parser_functions import handle_dynamic_values

CHECK_ID = "CKV_CFG_1"
CHECK_NAME = (
    "S3 bucket policy allows only the CloudFront service principal, with StringEquals/ArnEquals on AWS:SourceArn"
)

# --- policy reading: kept identical in cfgen_s3_policy_no_public_allow.py ---
# (checkov loads every file of the folder on its own, so each check carries it;
# tests/policies/test_policies.py fails when the two copies drift apart)

# An expression checkov left unresolved: a variable, local, module output, data
# source or resource attribute, or the iterator of a dynamic block.
_REFERENCE = re.compile(r"^\$?\{?((var|local|module|data|each|aws_[a-z0-9_]+)\.|[a-z_][a-z0-9_]*\.(value|key)\b)")
# The subset whose value could be anything, "*" included (a resource's ARN cannot).
_OPAQUE_REFERENCE = re.compile(r"^\$?\{?((var|local|module|each)\.|[a-z_][a-z0-9_]*\.(value|key)\b)")
_DOCUMENT_REFERENCE = re.compile(r"data\.aws_iam_policy_document\.[^.\s]+\.(minified_)?json")
_UNREADABLE = "<unreadable>"
_MERGE_KEYS = (
    "source_policy_documents",
    "override_policy_documents",
    "source_json",
    "override_json",
)


@dataclass
class _Statement:
    allow: bool
    principals: list[tuple[str, Any]] = field(default_factory=list)  # (type, identifier)
    not_principal: bool = False
    actions: list[Any] = field(default_factory=list)
    not_action: bool = False
    resources: list[Any] = field(default_factory=list)
    conditions: list[tuple[str, str, list[Any]]] = field(default_factory=list)  # (op, key, values)


@dataclass
class _Policy:
    """What could be read of one policy: its statements, and whether some part was unreadable."""

    statements: list[_Statement]
    opaque: list[str] = field(default_factory=list)


def _is_reference(value: Any) -> bool:
    return isinstance(value, str) and bool(_REFERENCE.match(value))


def _flat(value: Any) -> list[Any]:
    """Leaves of a nested list; ``None`` inside a list (unknown in plan JSON) is kept."""
    if isinstance(value, list):
        return [leaf for item in value for leaf in _flat(item)]
    return [value]


def _values(conf: dict[str, Any], key: str) -> list[Any]:
    """A list attribute; checkov wraps it in one more list, plan JSON writes null as [None]."""
    value = conf.get(key)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if value is None:
        return []
    return _flat(value)


def _scalar(conf: dict[str, Any], key: str, default: Any = None) -> Any:
    value = conf.get(key, default)
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return default if value is None else value


def _blocks(conf: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = conf.get(key)
    return [block for block in _flat(value) if isinstance(block, dict)] if value else []


def _statements_of_json(policy: dict[str, Any]) -> _Policy:
    raw = policy.get("Statement")
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        return _Policy([], ["the policy has no Statement list"])
    result = _Policy([])
    for item in raw:
        if not isinstance(item, dict):
            result.opaque.append(f"statement {item!r} is not an object")
            continue
        principal = item.get("Principal")
        principals: list[tuple[str, Any]] = []
        if isinstance(principal, dict):
            principals = [(str(kind), ident) for kind, ids in principal.items() for ident in _flat(ids)]
        elif principal is not None:
            principals = [("*" if principal == "*" else "?", principal)]
        conditions: list[tuple[str, str, list[Any]]] = []
        condition = item.get("Condition")
        if isinstance(condition, dict):
            for operator, body in condition.items():
                if isinstance(body, dict):
                    conditions += [(str(operator), str(key), _flat(v)) for key, v in body.items()]
        effect = item.get("Effect")
        result.statements.append(
            _Statement(
                allow=not (isinstance(effect, str) and effect.lower() == "deny"),
                principals=principals,
                not_principal="NotPrincipal" in item,
                actions=_flat(item.get("Action", [])) + _flat(item.get("NotAction", [])),
                not_action="NotAction" in item,
                resources=_flat(item.get("Resource", [])) + _flat(item.get("NotResource", [])),
                conditions=conditions,
            )
        )
    return result


def _parse_json(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def _statements_of_document(conf: dict[str, Any]) -> _Policy:
    """Statements of a ``data "aws_iam_policy_document"`` as checkov renders it (HCL or plan)."""
    result = _Policy([])
    if "dynamic" in conf:
        # checkov renders dynamic blocks for resource checks only; render a copy,
        # since every check of this data source is handed the same dict.
        conf = copy.deepcopy(conf)
        handle_dynamic_values(conf)
    for block in _blocks(conf, "statement"):
        # An empty identifiers list is what checkov makes of a list variable it
        # cannot resolve (HCL); None inside the list is a value unknown at plan.
        principals = [
            (str(_scalar(p, "type", "")), ident)
            for p in _blocks(block, "principals")
            for ident in (_values(p, "identifiers") or [_UNREADABLE])
        ]
        result.statements.append(
            _Statement(
                allow=str(_scalar(block, "effect", "Allow")).lower() != "deny",
                principals=principals,
                not_principal=bool(_blocks(block, "not_principals")),
                actions=_values(block, "actions") + _values(block, "not_actions"),
                not_action=bool(_values(block, "not_actions")),
                resources=_values(block, "resources") + _values(block, "not_resources"),
                conditions=[
                    (
                        str(_scalar(c, "test", "")),
                        str(_scalar(c, "variable", "")),
                        _values(c, "values") if "values" in c else [None],
                    )
                    for c in _blocks(block, "condition")
                ],
            )
        )
    # Merged documents: another aws_iam_policy_document is judged where it is
    # declared; JSON given inline is read here; anything else cannot be proven.
    for key in _MERGE_KEYS:
        for value in _values(conf, key):
            if value is None or value == "":
                continue
            if isinstance(value, str) and _DOCUMENT_REFERENCE.search(value):
                continue
            parsed = _parse_json(value)
            if parsed is None:
                result.opaque.append(f"{key} holds {value!r}, which cannot be read")
                continue
            merged = _statements_of_json(parsed)
            result.statements += merged.statements
            result.opaque += merged.opaque
    return result


def _may_grant_s3(statement: _Statement) -> bool:
    if statement.not_action:
        return True
    for action in statement.actions:
        if action is None or _is_reference(action):
            return True
        if isinstance(action, str) and (
            action.lower().startswith("s3:") or fnmatchcase("s3:getobject", action.lower())
        ):
            return True
    for resource in statement.resources:
        if isinstance(resource, str) and (re.match(r"^arn:aws[a-z-]*:s3:::", resource) or "aws_s3_bucket." in resource):
            return True
    return False


def _is_bucket_policy_document(policy: _Policy) -> bool:
    """A resource policy (it names principals) that can grant S3 actions.

    checkov gives a check no way to follow ``policy = data...json`` back from
    the bucket policy, so documents are chosen by what they say: identity
    policies (no principals), trust policies and KMS key policies stay out.
    """
    statements = policy.statements
    return any(s.principals or s.not_principal for s in statements) and any(_may_grant_s3(s) for s in statements)


def _read_resource_policy(conf: dict[str, Any]) -> tuple[str, _Policy | None]:
    """("absent" | "delegated" | "opaque" | "read", policy) for a resource's ``policy``."""
    if "policy" not in conf:
        return "absent", None
    value = _scalar(conf, "policy")
    if value is None or value == "":
        return "absent", None
    if isinstance(value, str) and _DOCUMENT_REFERENCE.search(value):
        return "delegated", None
    parsed = _parse_json(value)
    if parsed is None:
        return "opaque", _Policy([], [f"policy is {value!r}, which cannot be read"])
    return "read", _statements_of_json(parsed)


def _principal(kind: str, ident: Any) -> str:
    return 'Principal "*"' if kind == "*" else f"principal {kind} {ident!r}"


# --- end of policy reading ---

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
    return bool(
        _DISTRIBUTION_ARN.match(value) or _DISTRIBUTION_REFERENCE.match(value) or _OPAQUE_REFERENCE.match(value)
    )


def _is_oai(kind: str, ident: Any) -> bool:
    """An Origin Access Identity: its IAM ARN, or a reference to ``aws_cloudfront_origin_access_identity``."""
    if kind.lower() != "aws" or not isinstance(ident, str):
        return False
    return bool(_OAI_ARN.match(ident) or _OAI_REFERENCE.match(ident))


def _statement_problems(index: int, statement: _Statement) -> list[str]:
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
            problems.append(f"{where} names {_principal(kind, ident)}, not Service {_CLOUDFRONT}")
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


def _judge(policy: _Policy, details: list[str]) -> CheckResult:
    problems = list(policy.opaque)
    for index, statement in enumerate(policy.statements):
        problems += _statement_problems(index, statement)
    details.extend(problems)
    return CheckResult.FAILED if problems else CheckResult.PASSED


class S3PolicyCloudFrontOnly(BaseResourceCheck):
    """The policy attribute of aws_s3_bucket_policy / aws_s3_bucket."""

    def __init__(self) -> None:
        super().__init__(
            name=CHECK_NAME,
            id=CHECK_ID,
            categories=[CheckCategories.IAM],
            supported_resources=["aws_s3_bucket_policy", "aws_s3_bucket"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["policy"]
        state, policy = _read_resource_policy(conf)
        if state == "delegated":
            return CheckResult.UNKNOWN  # judged on the aws_iam_policy_document itself
        if state == "absent":
            if self.entity_type == "aws_s3_bucket":
                return CheckResult.UNKNOWN  # no inline policy on this bucket
            self.details.append("policy is unknown and cannot be read")
            return CheckResult.FAILED
        assert policy is not None
        return _judge(policy, self.details)


class S3PolicyDocumentCloudFrontOnly(BaseDataCheck):
    """A data aws_iam_policy_document that is an S3 resource policy."""

    def __init__(self) -> None:
        super().__init__(
            name=CHECK_NAME,
            id=CHECK_ID,
            categories=[CheckCategories.IAM],
            supported_data=["aws_iam_policy_document"],
        )

    def scan_data_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["statement", *_MERGE_KEYS]
        policy = _statements_of_document(conf)
        if not _is_bucket_policy_document(policy):
            return CheckResult.UNKNOWN
        return _judge(policy, self.details)


resource_check = S3PolicyCloudFrontOnly()
data_check = S3PolicyDocumentCloudFrontOnly()
