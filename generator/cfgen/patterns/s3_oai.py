"""S3 REST endpoint behind a legacy Origin Access Identity (``type: s3``, ``protection: oai``).

Wiring: the ``s3-origin`` module with ``access = "oai"`` creates an OAI, and
the bucket policy's only Allow names that OAI's IAM ARN; the distribution's
origin carries ``s3_origin_config.origin_access_identity``. Public access
block and owner-enforced ownership are the same as with OAC. ``cfgen
validate`` warns and names OAC as the replacement: an OAI cannot sign
PUT/POST, read SSE-KMS objects or serve buckets in opt-in regions.
"""

from __future__ import annotations

from dataclasses import replace

from ..harness.plan import Const, PlanView, Resource, Statement, Sym, Value
from ..harness.results import Finding
from . import s3_oac
from ._base import OriginBinding, Pattern
from ._s3_guard import CHECK as GUARD
from ._s3_guard import MustAdmit, judged_allows
from ._threats import ThreatModel, admins, path
from .s3_oac import finding

OAI_TYPE = "aws_cloudfront_origin_access_identity"


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that ``binding``'s bucket can be read only with this origin's OAI."""
    distribution = plan.one((binding.distribution_module,), "aws_cloudfront_distribution")
    oai = plan.one((binding.module,), OAI_TYPE)
    return [
        _bucket_policy(plan, binding, oai),
        s3_oac.public_access_block(plan, binding),
        s3_oac.ownership(plan, binding),
        origin_uses_oai(plan, binding, oai, distribution),
        account_guard_admitting_oai(plan, binding, oai, distribution),
    ]


def account_guard_admitting_oai(
    plan: PlanView, binding: OriginBinding, oai: Resource | None, distribution: Resource | None
) -> Finding:
    """The read guard, which must except this origin's OAI: it signs without a SourceArn."""
    if oai is None:
        return finding(
            binding, GUARD, "bucket policy: object reads guarded", f"module.{binding.module}", f"no {OAI_TYPE}"
        )
    admit = MustAdmit(lambda value: is_oai_of(value, oai), f"this origin's access identity ({oai.address}.iam_arn)")
    return s3_oac.account_guard(plan, binding, distribution, (admit,))


def is_oai_of(value: Value, oai: Resource) -> bool:
    """Whether ``value`` is the IAM ARN of ``oai`` (symbolically, or as a known value)."""
    if isinstance(value, Sym):
        return value.address == oai.config_address and value.attribute == "iam_arn"
    if isinstance(value, Const) and oai.known("iam_arn"):
        return bool(value.value == oai.values["iam_arn"])
    return False


def oai_statement_problem(statement: Statement, oai: Resource) -> str:
    """Why ``statement`` is not an Allow for exactly ``oai``, or ""."""
    name = f"statement '{statement.sid}'" if statement.sid else "an Allow statement"
    if statement.not_principals:
        return f"{name} uses NotPrincipal; name the origin access identity instead"
    if not statement.principals or any(str(v) == "*" for _, ids in statement.principals for v in ids):
        return f"{name} allows Principal '*'; allow only {oai.address}.iam_arn"
    if len(statement.principals) != 1 or statement.principals[0][0] != "AWS":
        return f"{name} allows {statement.principal_text()}; allow only AWS {oai.address}.iam_arn"
    ids = statement.principals[0][1]
    if len(ids) != 1 or not is_oai_of(ids[0], oai):
        shown = ", ".join(map(str, ids)) or "no principal"
        return f"{name} allows {shown}, not {oai.address}.iam_arn"
    return ""


def _bucket_policy(plan: PlanView, binding: OriginBinding, oai: Resource | None) -> Finding:
    def problem_of(_: Resource, statements: list[Statement]) -> str:
        if oai is None:
            return f"no {OAI_TYPE} in module.{binding.module}"
        allows = judged_allows(statements, s3_oac.SOURCE_ARN)
        if not allows:
            return "no Allow statement: CloudFront could not read"
        return next((p for p in (oai_statement_problem(s, oai) for s in allows) if p), "")

    title = "bucket policy: only this origin's access identity"
    return s3_oac.bucket_policy_finding(plan, binding, "CFG_S3_OAI_POLICY", title, problem_of)


def origin_uses_oai(
    plan: PlanView, binding: OriginBinding, oai: Resource | None, distribution: Resource | None
) -> Finding:
    check, title = "CFG_S3_OAI", "distribution origin: signs with this origin's access identity"
    if oai is None:
        return finding(binding, check, title, f"module.{binding.module}", f"no {OAI_TYPE}")
    if distribution is None:
        return finding(binding, check, title, oai.address, "the distribution of this origin is not in the plan")
    entries = s3_oac.origin_entries(distribution, binding.origin)
    if entries is None:
        return finding(binding, check, title, oai.address, f"{distribution.address} has no origin '{binding.origin}'")
    problems = []
    for origin, unknown in entries:
        if origin.get("custom_origin_config"):
            problems.append(f"origin '{binding.origin}' is a custom origin, which no OAI signs")
        if origin.get("origin_access_control_id"):
            problems.append(f"origin '{binding.origin}' uses an origin access control, not the OAI")
        configs = origin.get("s3_origin_config") or []
        unknown_configs = (unknown or {}).get("s3_origin_config") or []
        if not configs and not unknown_configs:
            problems.append(f"origin '{binding.origin}' has no s3_origin_config: requests are not signed")
            continue
        path = configs[0].get("origin_access_identity") if configs else None
        if path is not None and oai.known("cloudfront_access_identity_path"):
            if path != oai.values["cloudfront_access_identity_path"]:
                problems.append(f"origin '{binding.origin}' uses access identity {path!r}, not {oai.address}")
        elif path is not None:
            problems.append(f"origin '{binding.origin}' names access identity {path!r}, not {oai.address}")
    if not problems and not _wired_to_oai(plan, binding):
        problems.append(f"module.{binding.module}.cloudfront_origin does not pass {OAI_TYPE}.this to the distribution")
    return finding(binding, check, title, oai.address, "; ".join(problems))


def _wired_to_oai(plan: PlanView, binding: OriginBinding) -> bool:
    """The origin's identity path is unknown until apply: follow the configuration instead."""
    root = plan.module_config(()) or {}
    call = root.get("module_calls", {}).get(binding.distribution_module, {})
    refs = call.get("expressions", {}).get("origins", {}).get("references", [])
    if not any(r.startswith(f"module.{binding.module}.cloudfront_origin") for r in refs):
        return False
    output = (plan.module_config((binding.module,)) or {}).get("outputs", {}).get("cloudfront_origin", {})
    out_refs = output.get("expression", {}).get("references", [])
    return any(r.startswith(f"{OAI_TYPE}.this") for r in out_refs)


# An Origin Access Identity is an identity of the account, not of one distribution.
OTHER_DISTRIBUTION = path(
    "other_distribution",
    "residual",
    ("CFG_S3_OAI_POLICY", "CFG_S3_OAI"),
    "Distributions of other accounts are refused (the policy admits only this OAI), but any distribution of "
    "this account can be given the same OAI and read the bucket. Closed by `protection: oac`, which names this "
    "distribution (migrate with oai_to_oac).",
)

# The OAI signs without a SourceArn: the guard excepts it by aws:PrincipalArn, the ARN that names it in a policy.
ACCOUNT_PRINCIPALS = s3_oac.account_principals(
    "AWS:SourceArn is this distribution, aws:PrincipalArn is this origin's OAI (which signs without a SourceArn),"
)

THREATS = ThreatModel(
    hops=("viewer", "CloudFront distribution", "Origin Access Identity", "S3 REST endpoint"),
    paths=(
        path("distribution", "allowed", note="CloudFront reads the bucket as this origin's Origin Access Identity."),
        OTHER_DISTRIBUTION,
        replace(s3_oac.INTERNET, proofs=("CFG_S3_PUBLIC_ACCESS_BLOCK", "CFG_S3_OWNERSHIP", "CFG_S3_OAI_POLICY")),
        ACCOUNT_PRINCIPALS,
        admins(s3_oac.CONTROLS),
    ),
)

PATTERN = Pattern(
    origin_type="s3",
    protection="oai",
    summary="S3 REST endpoint with a legacy Origin Access Identity (prefer oac); the policy admits only the OAI.",
    template="s3_oac/origin.tf.j2",
    modules=("s3-origin",),
    view=s3_oac.view,
    prove=prove,
    threats=THREATS,
    details=s3_oac.s3_details,
    probes=s3_oac.PROBES,
)
