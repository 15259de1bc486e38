"""How cfgen's S3 bucket-policy checks read a policy, in every shape checkov shows it.

Shared by CKV_CFG_1, CKV_CFG_2 and CKV_CFG_6: the reading, and the resource and data
check classes each of them instantiates with its own rule. checkov puts this folder on ``sys.path``
while it loads external checks (so that checks can import their helpers), and
also runs this file as if it were a check: it registers none.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.data.base_check import BaseDataCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from checkov.terraform.parser_functions import handle_dynamic_values

# An expression checkov left unresolved: a variable, local, module output, data
# source or resource attribute, or the iterator of a dynamic block.
_REFERENCE = re.compile(r"^\$?\{?((var|local|module|data|each|aws_[a-z0-9_]+)\.|[a-z_][a-z0-9_]*\.(value|key)\b)")
# The subset whose value could be anything, "*" included (a resource's ARN cannot).
OPAQUE_REFERENCE = re.compile(r"^\$?\{?((var|local|module|each)\.|[a-z_][a-z0-9_]*\.(value|key)\b)")
_DOCUMENT_REFERENCE = re.compile(r"data\.aws_iam_policy_document\.[^.\s]+\.(minified_)?json")
# An expression anywhere in a value, as checkov leaves it in HCL: alone ("var.x"),
# inside a template ("a-${var.x}") or a function call ("sha256(var.x)"). A
# resource type always has an underscore (random_password, aws_ssm_parameter).
_RESOURCE_TYPE = r"[a-z][a-z0-9]*_[a-z0-9_]+"
_NAMES_REFERENCE = re.compile(
    rf"(?<![\w.:/-])((var|local|module|each)\.[A-Za-z_]|(data\.)?{_RESOURCE_TYPE}\.[A-Za-z_][\w-]*(\[[^\]]*\])?\.[A-Za-z_])"
    r"|^\$?\{?[a-z_][a-z0-9_]*\.(value|key)\}?$"
)
UNREADABLE = "<unreadable>"
# HCL only: checkov renders a list variable it cannot resolve (no default, no
# tfvars) as a bare [] where a literal [] is [[]]. Used for condition values.
UNSET_LIST = "<unset list variable>"
MERGE_KEYS = (
    "source_policy_documents",
    "override_policy_documents",
    "source_json",
    "override_json",
)


@dataclass
class Statement:
    allow: bool
    principals: list[tuple[str, Any]] = field(default_factory=list)  # (type, identifier)
    not_principal: bool = False
    actions: list[Any] = field(default_factory=list)
    not_action: bool = False
    resources: list[Any] = field(default_factory=list)
    conditions: list[tuple[str, str, list[Any]]] = field(default_factory=list)  # (op, key, values)
    sid: Any = None


@dataclass
class Policy:
    """What could be read of one policy: its statements, and whether some part was unreadable."""

    statements: list[Statement]
    opaque: list[str] = field(default_factory=list)


def _is_reference(value: Any) -> bool:
    return isinstance(value, str) and bool(_REFERENCE.match(value))


def names_reference(value: Any) -> bool:
    """An HCL value that checkov left as (or built from) a variable, local, module output or attribute.

    A literal, and a variable whose default or tfvars value checkov substituted,
    do not. Meaningless in plan JSON, where every value is resolved.
    """
    return isinstance(value, str) and bool(_NAMES_REFERENCE.search(value))


def could_be_everyone(ident: Any) -> bool:
    """A principal identifier that is ``*``, or that checkov could not resolve and might be ``*``.

    ``None`` (unknown until apply in plan JSON) is a resource attribute, as in CKV_CFG_2.
    """
    return ident == "*" or ident == UNREADABLE or (isinstance(ident, str) and bool(OPAQUE_REFERENCE.match(ident)))


def from_plan(conf: dict[str, Any]) -> bool:
    """Whether checkov built ``conf`` from plan JSON (``start_line``) rather than HCL (``__start_line__``)."""
    return "start_line" in conf and "__start_line__" not in conf


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


def _statements_of_json(policy: dict[str, Any]) -> Policy:
    raw = policy.get("Statement")
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        return Policy([], ["the policy has no Statement list"])
    result = Policy([])
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
            Statement(
                allow=not (isinstance(effect, str) and effect.lower() == "deny"),
                principals=principals,
                not_principal="NotPrincipal" in item,
                actions=_flat(item.get("Action", [])) + _flat(item.get("NotAction", [])),
                not_action="NotAction" in item,
                resources=_flat(item.get("Resource", [])) + _flat(item.get("NotResource", [])),
                conditions=conditions,
                sid=item.get("Sid"),
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


def _condition_values(condition: dict[str, Any]) -> list[Any]:
    if "values" not in condition:
        return [None]  # unknown until apply (plan JSON)
    if condition["values"] == []:
        return [UNSET_LIST]
    return _values(condition, "values")


def statements_of_document(conf: dict[str, Any]) -> Policy:
    """Statements of a ``data "aws_iam_policy_document"`` as checkov renders it (HCL or plan)."""
    result = Policy([])
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
            for ident in (_values(p, "identifiers") or [UNREADABLE])
        ]
        result.statements.append(
            Statement(
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
                        _condition_values(c),
                    )
                    for c in _blocks(block, "condition")
                ],
                sid=_scalar(block, "sid"),
            )
        )
    # Merged documents: another aws_iam_policy_document is judged where it is
    # declared; JSON given inline is read here; anything else cannot be proven.
    for key in MERGE_KEYS:
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


def _may_grant_s3(statement: Statement) -> bool:
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


def is_bucket_policy_document(policy: Policy) -> bool:
    """A resource policy (it names principals) that can grant S3 actions.

    checkov gives a check no way to follow ``policy = data...json`` back from
    the bucket policy, so documents are chosen by what they say: identity
    policies (no principals), trust policies and KMS key policies stay out.
    """
    statements = policy.statements
    return any(s.principals or s.not_principal for s in statements) and any(_may_grant_s3(s) for s in statements)


def read_resource_policy(conf: dict[str, Any]) -> tuple[str, Policy | None]:
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
        return "opaque", Policy([], [f"policy is {value!r}, which cannot be read"])
    return "read", _statements_of_json(parsed)


def principal(kind: str, ident: Any) -> str:
    return 'Principal "*"' if kind == "*" else f"principal {kind} {ident!r}"


# -- the two checks every bucket-policy rule needs ----------------------------


@dataclass(frozen=True)
class ReadFrom:
    """Where a policy was read: plan JSON or HCL, and a JSON policy string or a policy document's blocks."""

    plan: bool
    json: bool


# A rule's verdict on one policy; it appends its reasons to ``details``.
Judge = Callable[[Policy, list[str], ReadFrom], CheckResult]


# jsonencode(...) or sensitive(jsonencode(...)) as checkov leaves it when it cannot evaluate the references.
_COMPUTED = re.compile(r"^(\$\{)?(sensitive\()?jsonencode\(")


class BucketPolicyCheck(BaseResourceCheck):
    """A rule on the ``policy`` attribute of aws_s3_bucket_policy / aws_s3_bucket."""

    def __init__(self, name: str, check_id: str, judge: Judge) -> None:
        self._judge = judge
        super().__init__(
            name=name,
            id=check_id,
            categories=[CheckCategories.IAM],
            supported_resources=["aws_s3_bucket_policy", "aws_s3_bucket"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["policy"]
        state, policy = read_resource_policy(conf)
        if state == "delegated":
            return CheckResult.UNKNOWN  # judged on the aws_iam_policy_document itself
        if state == "absent":
            if self.entity_type == "aws_s3_bucket":
                return CheckResult.UNKNOWN  # no inline policy on this bucket
            self.details.append("policy is unknown and cannot be read")
            return CheckResult.FAILED
        if state == "opaque" and not from_plan(conf) and _COMPUTED.match(str(conf.get("policy", [""])[0])):
            # A document built from values only the plan knows (a module's inputs: a secret-bearing policy
            # must be built so), which checkov cannot evaluate in HCL: the plan scan, which `cfgen test`
            # always runs, judges it. A policy from a bare variable still fails here.
            return CheckResult.UNKNOWN
        assert policy is not None
        return self._judge(policy, self.details, ReadFrom(plan=from_plan(conf), json=True))


class BucketPolicyDocumentCheck(BaseDataCheck):
    """The same rule on a data aws_iam_policy_document that is an S3 resource policy."""

    def __init__(self, name: str, check_id: str, judge: Judge) -> None:
        self._judge = judge
        super().__init__(
            name=name,
            id=check_id,
            categories=[CheckCategories.IAM],
            supported_data=["aws_iam_policy_document"],
        )

    def scan_data_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["statement", *MERGE_KEYS]
        policy = statements_of_document(conf)
        if not is_bucket_policy_document(policy):
            return CheckResult.UNKNOWN
        return self._judge(policy, self.details, ReadFrom(plan=from_plan(conf), json=False))
