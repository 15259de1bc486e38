"""S3 REST endpoint migrating from an OAI to OAC (``type: s3``, ``protection: oai_to_oac``).

The first of two applies. The bucket policy admits both the CloudFront
service principal (scoped to this distribution's ARN) and the old Origin
Access Identity, the OAC is created, and the origin still signs with the OAI.
Then ``protection: oac`` switches the origin: Terraform updates the bucket
policy only after the distribution (the policy depends on its ARN, and the
distribution waits until deployed), so edge locations still signing with the
OAI are admitted until every one signs with OAC, and no request is denied.
Switching the origin in this first step instead would deny OAC-signed
requests for the whole deployment, since the CloudFront statement would land
only after it.
"""

from __future__ import annotations

from dataclasses import replace

from ..harness.plan import PlanView, Resource, Statement
from ..harness.results import Finding
from . import s3_oac, s3_oai
from ._base import OriginBinding, Pattern
from ._s3_guard import judged_allows
from ._threats import ThreatModel, admins, path
from .s3_oac import CLOUDFRONT
from .s3_oai import OAI_TYPE, account_guard_admitting_oai, oai_statement_problem, origin_uses_oai


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that only this distribution (by OAC, or by its OAI) can read the bucket."""
    distribution = plan.one((binding.distribution_module,), "aws_cloudfront_distribution")
    oai = plan.one((binding.module,), OAI_TYPE)
    return [
        _bucket_policy(plan, binding, distribution),
        s3_oac.public_access_block(plan, binding),
        s3_oac.ownership(plan, binding),
        origin_uses_oai(plan, binding, oai, distribution),
        account_guard_admitting_oai(plan, binding, oai, distribution),
    ]


def _bucket_policy(plan: PlanView, binding: OriginBinding, distribution: Resource | None) -> Finding:
    oai = plan.one((binding.module,), OAI_TYPE)

    def problem_of(_: Resource, statements: list[Statement]) -> str:
        if oai is None:
            return f"no {OAI_TYPE} in module.{binding.module}"
        return _migration_problem(statements, oai, distribution)

    title = "bucket policy: exactly CloudFront with this SourceArn and this origin's access identity"
    return s3_oac.bucket_policy_finding(plan, binding, "CFG_S3_MIGRATION_POLICY", title, problem_of)


def _migration_problem(statements: list[Statement], oai: Resource, distribution: Resource | None) -> str:
    allows = judged_allows(statements, s3_oac.SOURCE_ARN)
    service = [s for s in allows if any(kind == "Service" for kind, _ in s.principals)]
    others = [s for s in allows if s not in service]
    if not service:
        return f"no Allow for Service {CLOUDFRONT}: the OAC-signed origin could not read"
    problem = s3_oac.source_arn_problem(service, distribution)
    if problem:
        return problem
    if not others:
        return f"no Allow for {oai.address}.iam_arn: requests still signed with the OAI would fail mid-migration"
    return next((p for p in (oai_statement_problem(s, oai) for s in others) if p), "")


THREATS = ThreatModel(
    hops=("viewer", "CloudFront distribution", "Origin Access Identity (OAC admitted, next step)", "S3 REST endpoint"),
    paths=(
        path(
            "distribution",
            "allowed",
            note="CloudFront still reads as the OAI; the policy already admits this distribution's OAC.",
        ),
        replace(s3_oai.OTHER_DISTRIBUTION, proofs=("CFG_S3_MIGRATION_POLICY", "CFG_S3_OAI")),
        replace(s3_oac.INTERNET, proofs=("CFG_S3_PUBLIC_ACCESS_BLOCK", "CFG_S3_OWNERSHIP", "CFG_S3_MIGRATION_POLICY")),
        s3_oai.ACCOUNT_PRINCIPALS,
        admins(s3_oac.CONTROLS),
    ),
)

PATTERN = Pattern(
    origin_type="s3",
    protection="oai_to_oac",
    summary="S3 OAI -> OAC migration, step 1: the policy admits OAC and the OAI, the origin keeps the OAI; then oac.",
    template="s3_oac/origin.tf.j2",
    modules=("s3-origin",),
    view=s3_oac.view,
    prove=prove,
    threats=THREATS,
    details=s3_oac.s3_details,
    probes=s3_oac.PROBES,
)
