"""The read guard of an S3 bucket policy: principals of the account read only through the distribution.

An identity policy in the bucket's account that allows ``s3:GetObject``
reads the bucket directly (and its holder hands out presigned URLs, which
are reads by the signer): a bucket policy's Allow cannot stop that, only a
Deny can. Every S3 pattern writes one Deny of the actions that hand out an
object's bytes, to every principal, unless the request is the one the
distribution makes (``AWS:SourceArn`` of this distribution; the secret
Referer for a website endpoint) or ``aws:PrincipalArn`` is a principal the
spec lists (and, while an origin signs with it, the origin's OAI).

IAM semantics the judgement rests on: the conditions of one statement are
ANDed, so any extra condition narrows the Deny; a key missing from a request
makes a ``*NotEquals`` test true, so a principal's request (no SourceArn) is
denied unless listed; ``aws:PrincipalArn`` is a role's ARN, not its
session's, and ``ArnNotEquals`` treats ``*`` and ``?`` in a value as
wildcards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..harness.plan import Const, Opaque, Statement, Value
from ..spec.models import DIRECT_READER_ARN

CHECK = "CFG_S3_ACCOUNT_GUARD"

# Every action that returns an object's bytes: a read, a read of a version,
# the BitTorrent files, and the read that replication makes.
READS = (
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectTorrent",
    "s3:GetObjectVersionTorrent",
    "s3:GetObjectVersionForReplication",
)
PRINCIPAL_ARN = "aws:PrincipalArn"


@dataclass(frozen=True)
class Admitted:
    """The request the guard must let through: the one the distribution makes."""

    key: str  # the condition key that tells it apart, e.g. AWS:SourceArn
    tests: tuple[str, ...]  # condition operators that test it exactly
    what: str  # "this distribution", in messages
    problem_of: Callable[[list[Value]], str]  # why these values would admit more (or less), or ""


@dataclass(frozen=True)
class MustAdmit:
    """A principal the guard must except by ``aws:PrincipalArn`` (an OAI still signing)."""

    matches: Callable[[Value], bool]
    what: str


def guard_problem(
    statements: list[Statement],
    bucket: str | None,
    admitted: Admitted,
    must_admit: Sequence[MustAdmit] = (),
) -> str:
    """Why no Deny in ``statements`` keeps principals of the account from reading ``bucket``'s objects; or ""."""
    denials = [s for s in statements if s.effect == "Deny" and any(_covers(a, r) for a in s.actions for r in READS)]
    # The guard is the Deny that tells the distribution's request apart (or, broken, one with no condition at
    # all); a Deny of reads on other grounds only (insecure transport, say) is not one.
    keyed = [s for s in denials if any(key.lower() == admitted.key.lower() for _, key, _ in s.conditions)]
    candidates = keyed + [s for s in denials if not s.conditions]
    if not candidates:
        return (
            f"no Deny statement guards object reads (unless {admitted.what}): a principal of the account whose "
            "IAM policy allows s3:GetObject reads the bucket directly and hands out presigned URLs"
        )
    problems = [_statement_problem(s, bucket, admitted, must_admit) for s in candidates]
    return "" if "" in problems else problems[0]


def _statement_problem(
    statement: Statement, bucket: str | None, admitted: Admitted, must_admit: Sequence[MustAdmit]
) -> str:
    name = f"Deny '{statement.sid}'" if statement.sid else "the Deny of object reads"
    if statement.not_principals:
        return f'{name} uses NotPrincipal; deny Principal "*" and except principals by {PRINCIPAL_ARN}'
    if not statement.principals or any(ids != [Const("*")] for _, ids in statement.principals):
        return f'{name} applies to {statement.principal_text()} only; it must apply to every principal ("*")'
    missing = [r for r in READS if not any(_covers(a, r) for a in statement.actions)]
    if missing:
        return f"{name} does not deny {', '.join(missing)}: a principal of the account could still read with it"
    if not statement.resources:
        return f"{name} names no Resource (NotResource, or none): it must cover the bucket's objects"
    if bucket is not None and all(isinstance(r, Const) for r in statement.resources):
        objects = f"arn:aws:s3:::{bucket}/any-key"
        if not any(_matches(str(r), objects, partition_free=True) for r in statement.resources):
            shown = ", ".join(map(str, statement.resources))
            return f"{name} covers {shown}, not the objects of {bucket}"
    excepted: list[Value] = []
    found_admitted = False
    for test, key, values in statement.conditions:
        if key.lower() == admitted.key.lower():
            if test not in admitted.tests:
                return f"{name} tests {key} with {test}; use {' or '.join(admitted.tests)}"
            problem = admitted.problem_of(values)
            if problem:
                return f"{name}: {problem}"
            found_admitted = True
        elif key.lower() == PRINCIPAL_ARN.lower():
            if test not in ("ArnNotEquals", "StringNotEquals"):
                return f"{name} tests {key} with {test}; use ArnNotEquals with each excepted principal's ARN"
            excepted += values
        else:
            return (
                f"{name} has another condition, {test} {key}: the conditions of one statement are ANDed, "
                "so it would deny only the reads that also match it"
            )
    if not found_admitted:
        return (
            f"{name} has no {admitted.tests[0]} condition on {admitted.key}: it would deny {admitted.what} too, "
            "and every request through the distribution would fail"
        )
    for principal in must_admit:
        if not any(principal.matches(v) for v in excepted):
            return (
                f"{name} does not except {principal.what}, which signs without a SourceArn: every request "
                "through the distribution would be denied"
            )
    for value in excepted:
        if any(principal.matches(value) for principal in must_admit):
            continue
        if not isinstance(value, Const) or not isinstance(value.value, str):
            return f"{name} excepts {value}, which cfgen cannot read at plan time"
        if "*" in value.value or "?" in value.value:
            return f"{name} excepts '{value.value}', a wildcard: name each role or user that may read directly"
        if not DIRECT_READER_ARN.match(value.value):
            return f"{name} excepts '{value.value}', which is not the ARN of an IAM role or user"
    return ""


def _covers(pattern: Value, action: str) -> bool:
    """Whether the action pattern ``pattern`` (IAM wildcards; actions ignore case) covers ``action``."""
    return (
        isinstance(pattern, Const) and isinstance(pattern.value, str) and _matches(pattern.value, action, any_case=True)
    )


def _matches(pattern: str, value: str, *, any_case: bool = False, partition_free: bool = False) -> bool:
    if partition_free:  # an ARN of any partition names the same bucket
        pattern = re.sub(r"^arn:aws(-[a-z]+)*:", "arn:aws:", pattern)
    expression = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(expression, value, flags=re.IGNORECASE if any_case else 0) is not None


def reads_objects(statement: Statement) -> bool:
    """Whether ``statement`` covers an action that hands out an object's bytes (or cfgen cannot tell)."""
    return (
        statement.not_actions
        or not statement.actions
        or any(not isinstance(a, Const) or any(_covers(a, r) for r in READS) for a in statement.actions)
    )


def lets_anyone(statement: Statement) -> bool:
    """Whether ``statement``'s principal may be anyone: ``*``, NotPrincipal, none, or a value cfgen cannot read."""
    return (
        statement.not_principals
        or not statement.principals
        or any(str(v) == "*" or isinstance(v, Opaque) for _, ids in statement.principals for v in ids)
    )


def guard_exceptions(statements: list[Statement], key: str) -> set[str]:
    """The ARNs the read guard (the Deny of reads told apart by ``key``) lets read directly."""
    excepted: set[str] = set()
    for s in statements:
        if s.effect != "Deny" or not any(k.lower() == key.lower() for _, k, _ in s.conditions):
            continue
        for _, k, values in s.conditions:
            if k.lower() == PRINCIPAL_ARN.lower():
                excepted |= {v.value for v in values if isinstance(v, Const) and isinstance(v.value, str)}
    return excepted


def judged_allows(statements: list[Statement], key: str) -> list[Statement]:
    """The Allow statements a bucket-policy proof must judge: those that could open a path to the objects.

    An adopted bucket's policy keeps its owner's statements (a replication
    role's writes, a log delivery's PutObject, a Deny of unencrypted uploads),
    and they are judged with cfgen's: an Allow that lets anyone in, or lets a
    principal read objects, reopens a path unless that principal is one the
    read guard excepts (the spec's direct readers, read by ``key``'s guard).
    An Allow of other actions to named principals reaches no object's bytes.
    """
    excepted = guard_exceptions(statements, key)

    def direct_readers_only(s: Statement) -> bool:
        listed = (
            kind == "AWS" and all(isinstance(v, Const) and v.value in excepted for v in ids)
            for kind, ids in s.principals
        )
        return all(listed)

    return [
        s
        for s in statements
        if s.effect == "Allow" and (lets_anyone(s) or (reads_objects(s) and not direct_readers_only(s)))
    ]
