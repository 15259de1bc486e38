"""The policy of a resource a spec adopts, as it was before cfgen: read, checked, kept.

cfgen writes the whole policy of an adopted bucket and of an existing API
(private, or in the ``resource_policy`` and ``iam_sigv4`` modes): S3 and API
Gateway keep one policy per resource, so writing cfgen's would
drop every statement the owner had (a replication role, a log delivery grant, a
Deny of unencrypted uploads). The spec therefore names the policy as it is
(``current_policy: FILE``), and the modules merge its statements into theirs
(``source_policy_documents``, or ``concat`` where the policy holds a secret
and is built with ``jsonencode``); or says ``current_policy: none`` when there is
none to keep. Nothing is dropped silently.

The provider merges by Sid and lets the module's statement win, so a kept
statement whose Sid is one cfgen writes would vanish without a word: such a
file is refused, as is one the provider or AWS would refuse (duplicate Sids, a
statement that is not an Allow or a Deny). The file is read like every file a
spec names: inside the spec's folder, a regular file, bounded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ._files import FileProblem, _read
from .api_gateway import ApiGatewayIamOrigin, ApiGatewayResourcePolicyOrigin
from .models import S3Origin, S3WebsiteOrigin, Spec
from .vpc_origins import ApiGatewayPrivateOrigin

__all__ = [
    "MAX_POLICY_BYTES",
    "NO_POLICY",
    "RESERVED_SIDS",
    "check",
    "current_policy",
    "kept_policy",
    "reserved_sids",
]

Problem = tuple[tuple[str | int, ...], str]

# `current_policy: none`: the resource has no policy to keep.
NO_POLICY = "none"
# S3 accepts bucket policies of up to 20 KB; API Gateway's resource policies are smaller.
MAX_POLICY_BYTES = 20 * 1024
# The Sids of the statements each module writes, by origin type or TYPE/PROTECTION (a test keeps them
# equal to the modules' own lists).
RESERVED_SIDS: dict[str, tuple[str, ...]] = {
    "s3": (
        "AllowCloudFrontServicePrincipalReadOnly",
        "AllowOriginAccessIdentityReadOnly",
        "DenyObjectReadsNotThroughThisDistribution",
        "DenyInsecureTransport",
    ),
    "s3_website": (
        "AllowGetObjectWithSecretReferer",
        "DenyObjectReadsWithoutSecretReferer",
        "DenyInsecureTransportExceptReads",
    ),
    "api_gateway/private_vpc_origin": ("AllowInvokeThroughThisEndpoint", "DenyInvokeFromElsewhere"),
    "api_gateway/resource_policy": ("AllowInvoke", "DenyInvokeWithoutSecretReferer"),
    "api_gateway/iam_sigv4": ("AllowInvokeByTheseRoles", "DenyInvokeByAnyoneElse"),
}
_VERSIONS = ("2012-10-17", "2008-10-17")


def current_policy(origin: Any) -> tuple[tuple[str, ...], str] | None:
    """Where in an origin its adopted resource's ``current_policy`` is, and its value; None when it has none."""
    if isinstance(origin, S3Origin | S3WebsiteOrigin) and origin.bucket.current_policy is not None:
        return ("bucket", "current_policy"), origin.bucket.current_policy
    api_origins = ApiGatewayPrivateOrigin | ApiGatewayResourcePolicyOrigin | ApiGatewayIamOrigin
    if isinstance(origin, api_origins) and origin.api.current_policy is not None:
        return ("api", "current_policy"), origin.api.current_policy
    return None


def reserved_sids(origin: Any) -> tuple[str, ...]:
    """The Sids of the statements the module of ``origin`` writes in the policy it keeps statements in."""
    return RESERVED_SIDS.get(f"{origin.type}/{origin.protection}") or RESERVED_SIDS[origin.type]


def check(spec: Spec, base_dir: Path) -> Iterator[Problem]:
    """Every problem with the policy files the origins of ``spec`` name."""
    for i, dist in enumerate(spec.distributions):
        for j, origin in enumerate(dist.origins):
            found = current_policy(origin)
            if found is None or found[1] == NO_POLICY:
                continue
            where, name = found
            try:
                kept_policy(base_dir, name, reserved_sids(origin))
            except FileProblem as exc:
                yield ("distributions", i, "origins", j, *where), str(exc)


def kept_policy(base_dir: Path, name: str, reserved: tuple[str, ...]) -> str:
    """The statements of the policy file ``name`` as the JSON document a module merges into its policy.

    Takes what ``get-bucket-policy`` prints (with ``--query Policy --output
    text``, or without, as ``{"Policy": "..."}``) and what API Gateway's
    ``get-rest-api --query policy`` prints (the same JSON with its quotes
    escaped). Raises :class:`FileProblem` saying what to change in the file.
    """
    data = _read(base_dir, name, MAX_POLICY_BYTES)
    if len(data) > MAX_POLICY_BYTES:
        raise FileProblem(f"'{name}' is over 20 KB, more than S3 takes as a bucket policy: check the path")
    try:
        text = data.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise FileProblem(f"'{name}' is not UTF-8 text; save the policy JSON as UTF-8") from None
    document = _document(text, name)
    version = document.get("Version", "2012-10-17")
    if version not in _VERSIONS:
        raise FileProblem(f"'{name}' has Version {_shown(version)}; IAM policies take 2012-10-17 (or 2008-10-17)")
    raw = document.get("Statement")
    statements = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else None
    if not statements:
        raise FileProblem(
            f"'{name}' has no Statement; a policy with no statement is no policy: write `current_policy: none`"
        )
    seen: dict[str, int] = {}
    for number, statement in enumerate(statements, 1):
        if not isinstance(statement, dict):
            raise FileProblem(f"statement {number} of '{name}' is not a JSON object")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise FileProblem(
                f"statement {number} of '{name}' has Effect {_shown(statement.get('Effect'))}; use Allow or Deny"
            )
        sid = statement.get("Sid")
        if sid is None:
            continue
        if not isinstance(sid, str):
            raise FileProblem(f"statement {number} of '{name}' has a Sid that is not text")
        if sid in reserved:
            raise FileProblem(
                f"statement {number} of '{name}' has Sid {sid!r}, which a statement cfgen writes has too, and the "
                "policy would keep cfgen's alone: rename it in the file, or delete it if cfgen wrote it on an "
                "earlier apply"
            )
        if sid and sid in seen:
            raise FileProblem(
                f"statements {seen[sid]} and {number} of '{name}' have the same Sid {sid!r}; give each its own"
            )
        seen[sid] = number
    kept = {"Version": version, "Statement": statements}
    return json.dumps(kept, indent=2, ensure_ascii=False) + "\n"


def _document(text: str, name: str) -> dict[str, Any]:
    """The policy document in ``text``: plain JSON, the CLI's ``{"Policy": "..."}``, or API Gateway's escaped JSON."""
    # RecursionError: JSON nested deeper than Python parses (a hostile file, 20 KB of brackets).
    try:
        document: Any = json.loads(text)
    except (ValueError, RecursionError):
        try:  # API Gateway returns the policy with every quote escaped: read it as a JSON string's content
            document = json.loads(json.loads(f'"{text}"'))
        except (ValueError, RecursionError, TypeError):
            raise FileProblem(
                f"'{name}' is not a JSON policy document: save what `aws s3api get-bucket-policy --query Policy "
                "--output text` (or `aws apigateway get-rest-api --query policy --output text`) prints"
            ) from None
    if isinstance(document, dict) and set(document) == {"Policy"} and isinstance(document["Policy"], str):
        try:
            document = json.loads(document["Policy"])
        except (ValueError, RecursionError):
            raise FileProblem(f"the Policy in '{name}' is not a JSON policy document") from None
    if not isinstance(document, dict):
        raise FileProblem(f"'{name}' holds JSON but not a policy document (an object with a Statement)")
    return document


def _shown(value: Any) -> str:
    return json.dumps(value)[:60] if value is not None else "none"
