"""S3 REST endpoint behind Origin Access Control (``type: s3``, ``protection: oac``).

Wiring: the ``s3-origin`` module creates (or adopts) the bucket, blocks all
public access, enforces bucket-owner object ownership, creates an OAC that
always signs with SigV4, and writes a bucket policy whose only Allow is the
CloudFront service principal on condition that ``AWS:SourceArn`` is this
distribution. With SSE-KMS the key policy is scoped the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._hcl import Attr, Ref
from ..harness.plan import Const, PlanView, Resource, Statement, Sym, Value, policy_statements
from ..harness.results import Finding
from ..spec.models import S3Origin
from ._base import OriginBinding, OriginView, Pattern, module_name

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin

CLOUDFRONT = "cloudfront.amazonaws.com"
PUBLIC_ACCESS_FLAGS = (
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
)


def view(spec: Spec, dist: Distribution, origin: Origin) -> OriginView:
    """The ``s3-origin`` module call of an S3 origin; ``access`` follows the origin's protection."""
    assert isinstance(origin, S3Origin)
    module = module_name(dist.name, origin.id)
    inputs = [
        Attr("bucket_name", origin.bucket.name),
        Attr("create_bucket", origin.bucket.create),
        Attr("force_destroy", origin.bucket.force_destroy),
        Attr("origin_access_control_name", f"{spec.project}-{dist.name}-{origin.id}"),
        Attr("distribution_arn", Ref(f"module.{module_name(dist.name)}.arn")),
    ]
    if not origin.bucket.create:
        # The adopted bucket's regional endpoint: the root module's region (its provider's).
        inputs.append(Attr("region", Ref("var.region")))
    if origin.protection != "oac":
        inputs.append(Attr("access", origin.protection))
    outputs = [
        (
            f"{module}_bucket_name",
            f"module.{module}.bucket_name",
            f"Bucket behind {dist.name}/{origin.id}.",
        ),
    ]
    if origin.kms is not None and origin.kms.create:
        inputs.append(Attr("create_kms_key", True))
        outputs.append(
            (
                f"{module}_kms_key_arn",
                f"module.{module}.kms_key_arn",
                "KMS key cfgen created for the bucket.",
            )
        )
    elif origin.kms is not None:
        inputs.append(Attr("kms_key_arn", origin.kms.key_arn))
        outputs.append(
            (
                f"{module}_kms_key_policy_statement",
                f"module.{module}.kms_key_policy_statement_json",
                "Add this statement to the policy of the KMS key cfgen does not own.",
            )
        )
    return OriginView(
        module=module,
        inputs=inputs,
        distribution_origin=Ref(f"module.{module}.cloudfront_origin"),
        checkov_skips=_checkov_skips(origin),
        outputs=outputs,
    )


def _checkov_skips(origin: S3Origin) -> list[tuple[str, str]]:
    """Built-in checks this origin's spec fails on purpose, with the reason a reviewer reads."""
    if origin.kms is not None:
        return []
    if origin.protection != "oac":
        reason = (
            "An Origin Access Identity cannot read SSE-KMS objects, so the bucket keeps SSE-S3 (AES256) "
            "until the origin is on protection: oac."
        )
    else:
        reason = (
            "No kms in the spec: objects are encrypted with SSE-S3 (AES256); "
            "kms: {create: true} gives a key only this distribution can use."
        )
    return [("CKV_AWS_145", reason)]


# -- proofs ------------------------------------------------------------------


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that ``binding``'s bucket can be read only through its distribution."""
    module = (binding.module,)
    distribution = plan.one((binding.distribution_module,), "aws_cloudfront_distribution")
    findings = [
        bucket_policy_finding(
            plan,
            binding,
            "CFG_S3_OAC_POLICY",
            "bucket policy: only CloudFront, only with this distribution's SourceArn",
            lambda _, statements: source_arn_problem(statements, distribution),
        ),
        public_access_block(plan, binding),
        ownership(plan, binding),
        origin_access_control(plan, binding, distribution),
    ]
    key = plan.one(module, "aws_kms_key")
    if key is not None:
        findings.append(kms_key_policy(plan, binding, key, distribution))
    return findings


def finding(binding: OriginBinding, check_id: str, title: str, address: str, problem: str) -> Finding:
    return Finding(
        source="proof",
        check_id=check_id,
        title=title,
        passed=not problem,
        address=address,
        origin=binding.label,
        message=problem,
    )


def bucket_policy_finding(
    plan: PlanView,
    binding: OriginBinding,
    check: str,
    title: str,
    problem_of: Callable[[Resource, list[Statement]], str],
) -> Finding:
    """The finding ``check`` on the bucket policy of ``binding``'s module; ``problem_of`` judges its statements."""
    policy = plan.one((binding.module,), "aws_s3_bucket_policy")
    if policy is None:
        return finding(binding, check, title, f"module.{binding.module}", "no bucket policy in the plan")
    statements = policy_statements(plan, policy)
    if statements is None:
        problem = "cannot read the policy at plan time; build it with data.aws_iam_policy_document"
        return finding(binding, check, title, policy.address, problem)
    return finding(binding, check, title, policy.address, problem_of(policy, statements))


def source_arn_problem(statements: list[Statement], distribution: Resource | None) -> str:
    if distribution is None:
        return "the distribution of this origin is not in the plan"
    allows = [s for s in statements if s.effect == "Allow"]
    if not allows:
        return "no Allow statement: CloudFront could not read the origin"
    for s in allows:
        name = f"statement '{s.sid}'" if s.sid else "an Allow statement"
        if s.not_principals:
            return f"{name} uses NotPrincipal; name the CloudFront service principal instead"
        if any(str(v) == "*" for _, ids in s.principals for v in ids) or not s.principals:
            return f"{name} allows Principal '*'; allow only Service {CLOUDFRONT}"
        if s.principals != [("Service", [Const(CLOUDFRONT)])]:
            return f"{name} allows {s.principal_text()}; allow only Service {CLOUDFRONT}"
        arns = s.condition_values("StringEquals", "AWS:SourceArn")
        if arns is None:
            return f"{name} has no StringEquals AWS:SourceArn condition: any distribution could read"
        wrong = [v for v in arns if not _is_arn_of(v, distribution)]
        if wrong or not arns:
            shown = ", ".join(map(str, wrong)) or "no value"
            return f"{name} has AWS:SourceArn {shown}, not {distribution.address}.arn"
    return ""


def _is_arn_of(value: Value, distribution: Resource) -> bool:
    if isinstance(value, Sym):
        return value.address == distribution.config_address and value.attribute == "arn"
    if isinstance(value, Const) and distribution.known("arn"):
        return bool(value.value == distribution.values["arn"])
    return False


def public_access_block(plan: PlanView, binding: OriginBinding) -> Finding:
    title = "public access block: all four flags true"
    block = plan.one((binding.module,), "aws_s3_bucket_public_access_block")
    if block is None:
        return finding(
            binding,
            "CFG_S3_PUBLIC_ACCESS_BLOCK",
            title,
            f"module.{binding.module}",
            "no public access block",
        )
    off = [flag for flag in PUBLIC_ACCESS_FLAGS if block.values.get(flag) is not True]
    problem = f"{', '.join(off)} not true" if off else ""
    return finding(binding, "CFG_S3_PUBLIC_ACCESS_BLOCK", title, block.address, problem)


def ownership(plan: PlanView, binding: OriginBinding) -> Finding:
    title = "object ownership: BucketOwnerEnforced (no ACLs)"
    controls = plan.one((binding.module,), "aws_s3_bucket_ownership_controls")
    if controls is None:
        return finding(binding, "CFG_S3_OWNERSHIP", title, f"module.{binding.module}", "no ownership controls")
    rules = controls.values.get("rule") or [{}]
    value = rules[0].get("object_ownership")
    problem = "" if value == "BucketOwnerEnforced" else f"object_ownership is {value!r}"
    return finding(binding, "CFG_S3_OWNERSHIP", title, controls.address, problem)


def origin_access_control(plan: PlanView, binding: OriginBinding, distribution: Resource | None) -> Finding:
    title = "origin access control: s3, always signs, sigv4, used by this origin"
    oac = plan.one((binding.module,), "aws_cloudfront_origin_access_control")
    if oac is None:
        return finding(binding, "CFG_S3_OAC", title, f"module.{binding.module}", "no origin access control")
    expected = {
        "origin_access_control_origin_type": "s3",
        "signing_behavior": "always",
        "signing_protocol": "sigv4",
    }
    wrong = [f"{k} is {oac.values.get(k)!r}" for k, v in expected.items() if oac.values.get(k) != v]
    if not wrong and distribution is not None:
        entries = origin_entries(distribution, binding.origin)
        if entries is None:
            wrong.append(f"{distribution.address} has no origin '{binding.origin}'")
        for origin, _ in entries or []:
            if origin.get("s3_origin_config") or origin.get("custom_origin_config"):
                wrong.append(f"origin '{binding.origin}' bypasses OAC (s3_origin_config or custom_origin_config)")
            elif origin.get("origin_access_control_id") == "":
                wrong.append(f"origin '{binding.origin}' has no origin_access_control_id")
    return finding(binding, "CFG_S3_OAC", title, oac.address, "; ".join(wrong))


def origin_entries(distribution: Resource, origin_id: str) -> list[tuple[dict[str, Any], Any]] | None:
    """The planned ``origin`` blocks with ``origin_id``, each with its after_unknown part.

    None when there is none and no origin is unknown at plan time (then the
    distribution certainly lacks it).
    """
    planned = distribution.values.get("origin") or []
    unknown = distribution.unknown.get("origin")
    unknown_list = unknown if isinstance(unknown, list) else []
    entries = [
        (o, unknown_list[i] if i < len(unknown_list) else {})
        for i, o in enumerate(planned)
        if o.get("origin_id") == origin_id
    ]
    if not entries and not unknown:
        return None
    return entries


def kms_key_policy(plan: PlanView, binding: OriginBinding, key: Resource, distribution: Resource | None) -> Finding:
    title = "KMS key policy: CloudFront may decrypt only for this distribution"
    statements = policy_statements(plan, key)
    if statements is None:
        return finding(binding, "CFG_S3_KMS", title, key.address, "cannot read the key policy at plan time")
    for_cloudfront = [
        s for s in statements if s.effect == "Allow" and any(Const(CLOUDFRONT) in ids for _, ids in s.principals)
    ]
    if not for_cloudfront:
        return finding(binding, "CFG_S3_KMS", title, key.address, "no statement lets CloudFront decrypt")
    problem = source_arn_problem(for_cloudfront, distribution)
    return finding(binding, "CFG_S3_KMS", title, key.address, problem)


PATTERN = Pattern(
    origin_type="s3",
    protection="oac",
    summary="S3 REST endpoint; Origin Access Control signs requests, the bucket policy admits only this distribution.",
    template="s3_oac/origin.tf.j2",
    modules=("s3-origin",),
    view=view,
    prove=prove,
)
