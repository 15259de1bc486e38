"""CKV_CFG_6: an Allow to everyone in an S3 bucket policy needs the secret Referer, for s3:GetObject only.

An S3 website endpoint (cfgen's ``s3_website`` origin with ``secret_header``)
serves anonymous requests only, so its bucket policy must Allow ``Principal
"*"``; what keeps the bucket private to CloudFront is a ``StringEquals``
condition on ``aws:Referer`` holding the secret CloudFront sends. CKV_CFG_1 and
CKV_CFG_2 are skipped on such a policy and this check takes their place.

Every Allow statement whose principal can be everyone (``"*"``, an identifier
``*`` of any type, or a principal checkov could not resolve that might be
``*``) must:

* have a condition with test ``StringEquals`` on ``aws:Referer`` (key compared
  case-insensitively). ``StringLike`` admits wildcards, ``*IfExists`` holds
  when the header is absent, ``ForAnyValue:``/``ForAllValues:`` are for
  multivalued keys: none of them count;
* give it at least one value, none empty (a request with an empty Referer
  header would match ``""``). In HCL every value must come from a variable,
  local, module output or attribute: a literal is a secret written in the code.
  checkov substitutes a variable's default (and tfvars), so those count as
  literals. In plan JSON every value is resolved, so only presence and
  non-emptiness are checked; a value unknown until apply is accepted;
* allow ``s3:GetObject`` and nothing else (no ``s3:*``, no other wildcard, no
  ``NotAction``).

An Allow with ``NotPrincipal`` grants to everyone not listed: it fails. A
policy with no Allow to everyone is not this check's business (UNKNOWN, not
reported). The policy is read in the same shapes as CKV_CFG_1 and CKV_CFG_2
(see cfgen_policy_reading.py); a policy that cannot be read fails.
"""

from __future__ import annotations

from typing import Any

# The folder of this file is on sys.path while checkov loads external checks.
from cfgen_policy_reading import (
    UNSET_LIST,
    BucketPolicyCheck,
    BucketPolicyDocumentCheck,
    Policy,
    ReadFrom,
    Statement,
    could_be_everyone,
    names_reference,
    principal,
)
from checkov.common.models.enums import CheckResult

CHECK_ID = "CKV_CFG_6"
CHECK_NAME = (
    "S3 bucket policy: an Allow to any principal needs StringEquals aws:Referer from a variable, for s3:GetObject only"
)

_ACTION = "s3:GetObject"
_FIX_CONDITION = (
    'add condition { test = "StringEquals", variable = "aws:Referer", values = <the secret> } '
    "with the secret from a variable or the origin-secret module's values output"
)
_WHY_NOT = {
    "stringlike": "admits wildcards",
    "stringnotequals": "admits every other Referer",
    "stringequalsignorecase": "ignores case",
}


def _where(index: int, statement: Statement) -> str:
    sid = f" {statement.sid!r}" if isinstance(statement.sid, str) and statement.sid else ""
    return f"Allow statement {index + 1}{sid}"


def _is_everyone(statement: Statement) -> bool:
    return statement.allow and (
        statement.not_principal or any(could_be_everyone(ident) for _, ident in statement.principals)
    )


def _audience(statement: Statement) -> str:
    return ", ".join(
        principal(kind, ident) + ("" if ident == "*" else ', which checkov cannot read and could be "*"')
        for kind, ident in statement.principals
        if could_be_everyone(ident)
    )


def _action_problems(where: str, statement: Statement) -> list[str]:
    if statement.not_action:
        return [f'{where} uses NotAction, which allows every action not listed: list actions = ["{_ACTION}"] instead']
    if not statement.actions:
        return [
            f"{where} allows no action checkov can read (an unset list variable shows as []): "
            f'list actions = ["{_ACTION}"]'
        ]
    others = [a for a in statement.actions if not (isinstance(a, str) and a.lower() == _ACTION.lower())]
    if not others:
        return []
    shown = ", ".join("an action unknown until apply" if a is None else repr(a) for a in others)
    return [
        f"{where} allows {shown} to everyone: a website endpoint needs only {_ACTION}, "
        f'so allow actions = ["{_ACTION}"] and nothing else'
    ]


def _value_problems(where: str, values: list[Any], plan: bool, from_json: bool) -> list[str]:
    # In HCL checkov renders a list variable it cannot resolve as []: it is
    # told apart from a literal [] in a document (UNSET_LIST), not in jsonencode.
    if values == [UNSET_LIST] or (values == [] and from_json):
        return [] if not plan else [f"{where}: StringEquals on aws:Referer has no value; give it the secret"]
    if not values:
        return [f"{where}: StringEquals on aws:Referer has no value; give it the secret from a variable"]

    # checkov may reorder a list, so values are counted, not numbered; and a
    # value is never shown: it is the secret.
    def some(count: int) -> str:
        if len(values) == 1:
            return "the value of aws:Referer is"
        return f"{count} of the {len(values)} values of aws:Referer {'is' if count == 1 else 'are'}"

    problems = []
    empty = sum(1 for value in values if value == "")
    if empty:
        problems.append(f"{where}: {some(empty)} empty, so a request with an empty Referer header would match; drop it")
    if not plan:  # in plan JSON every value is resolved; None is unknown until apply
        literal = sum(1 for value in values if value is not None and value != "" and not names_reference(value))
        if literal:
            problems.append(
                f"{where}: {some(literal)} written in the code (a literal, or a "
                "variable default or tfvars value that checkov substituted), so the secret is leaked; pass it in "
                "from a sensitive variable without a default or from the origin-secret module's values output"
            )
    return problems


def _condition_problems(where: str, statement: Statement, plan: bool, from_json: bool) -> list[str]:
    referer = [(op, values) for op, key, values in statement.conditions if key.lower() == "aws:referer"]
    exact = [values for op, values in referer if op.lower() == "stringequals"]
    if not exact:
        refused = sorted({op for op, _ in referer})
        if refused:
            reasons = "; ".join(f"{op}, which {_why_not(op)}" for op in refused)
            return [f"{where} tests aws:Referer only with {reasons}. Only StringEquals counts: {_FIX_CONDITION}"]
        return [f"{where} has no StringEquals condition on aws:Referer, so anyone can read; {_FIX_CONDITION}"]
    return [problem for values in exact for problem in _value_problems(where, values, plan, from_json)]


def _why_not(op: str) -> str:
    lowered = op.lower()
    if lowered.startswith("forallvalues:"):
        return "is for multivalued keys and holds when the Referer header is absent"
    if lowered.startswith("foranyvalue:"):
        return "is for multivalued keys"
    if lowered.endswith("ifexists"):
        return "holds when the Referer header is absent"
    return _WHY_NOT.get(lowered, "does not bind the Referer to the secret")


def _judge(policy: Policy, details: list[str], read: ReadFrom) -> CheckResult:
    problems = list(policy.opaque)
    judged = False
    for index, statement in enumerate(policy.statements):
        if not _is_everyone(statement):
            continue
        judged = True
        where = _where(index, statement)
        if statement.not_principal:
            problems.append(
                f'{where} uses NotPrincipal, which grants to everyone not listed: name Principal "*" '
                "and bind it to the secret Referer instead"
            )
            continue
        where = f"{where} ({_audience(statement)})"
        problems += _condition_problems(where, statement, read.plan, read.json)
        problems += _action_problems(where, statement)
    if not judged and not problems:
        return CheckResult.UNKNOWN  # no Allow to everyone: nothing to prove here
    details.extend(problems)
    return CheckResult.FAILED if problems else CheckResult.PASSED


resource_check = BucketPolicyCheck(CHECK_NAME, CHECK_ID, _judge)
data_check = BucketPolicyDocumentCheck(CHECK_NAME, CHECK_ID, _judge)
