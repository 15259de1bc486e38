"""S3 website endpoint behind a secret Referer (``type: s3_website``, ``protection: secret_header``).

Wiring: an ``origin-secret`` module call reads the secret (sensitive root
variables, Secrets Manager or SSM). The ``s3-website-origin`` module creates
(or adopts) the bucket with a website configuration, keeps ACLs blocked and
disabled, and writes a bucket policy whose only Allow is ``s3:GetObject`` to
everyone on condition that ``aws:Referer`` equals the current or previous
secret. The distribution reaches the website endpoint as a custom origin over
HTTP (website endpoints have no HTTPS) and sends ``Referer: <current>``.

What is left exposed, and said so in the README: the check is a shared
secret, not CloudFront's identity; anyone who learns it can read the bucket
directly, and it crosses the CloudFront-to-S3 hop in clear HTTP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._hcl import Attr, Ref
from ..harness.plan import Const, PlanView, Resource, Statement
from ..harness.results import Finding
from ..spec.models import S3WebsiteOrigin
from . import s3_oac
from ._base import OriginBinding, OriginView, Pattern, module_name
from ._secret import MODULE as SECRET_MODULE
from ._secret import secret_call
from .s3_oac import finding, origin_entries

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin

HEADER = "Referer"
READ = "s3:GetObject"


def view(spec: Spec, dist: Distribution, origin: Origin) -> OriginView:
    """The secret's module call and the ``s3-website-origin`` module call of a website origin."""
    assert isinstance(origin, S3WebsiteOrigin)
    module = module_name(dist.name, origin.id)
    secret = secret_call(f"{module}_referer", origin.secret, f"Referer secret of {dist.name}/{origin.id}")
    inputs = [
        Attr("bucket_name", origin.bucket.name),
        Attr("create_bucket", origin.bucket.create),
        Attr("force_destroy", origin.bucket.force_destroy),
        Attr("index_document", origin.index_document),
    ]
    if origin.error_document is not None:
        inputs.append(Attr("error_document", origin.error_document))
    inputs.append(Attr("referer_secrets", secret.values))
    return OriginView(
        module=module,
        inputs=inputs,
        distribution_origin=Ref(f"module.{module}.cloudfront_origin"),
        outputs=[
            (f"{module}_bucket_name", f"module.{module}.bucket_name", f"Bucket behind {dist.name}/{origin.id}."),
            (
                f"{module}_website_endpoint",
                f"module.{module}.website_endpoint",
                "Website endpoint (HTTP): answers only requests with the secret Referer.",
            ),
        ],
        secrets=[secret],
        checkov_skips=[
            (
                "CKV_AWS_70",
                "A website endpoint serves anonymous requests only, so the Allow is to everyone; "
                "it holds only with the secret Referer (CKV_CFG_6 and CFG_S3_WEBSITE_POLICY check it).",
            )
        ],
    )


# -- proofs ------------------------------------------------------------------


def prove(plan: PlanView, binding: OriginBinding) -> list[Finding]:
    """Findings that ``binding``'s website answers only requests with the secret its distribution sends."""
    distribution = plan.one((binding.distribution_module,), "aws_cloudfront_distribution")
    literals = plan.configured_strings()
    header, header_finding = _referer_header(binding, distribution, literals)
    return [
        _bucket_policy(plan, binding, header, literals),
        header_finding,
        _acls_blocked(plan, binding),
        s3_oac.ownership(plan, binding),
    ]


def _referer_header(
    binding: OriginBinding, distribution: Resource | None, literals: set[str]
) -> tuple[str | None, Finding]:
    """The Referer value CloudFront sends to this origin, and whether the origin is wired as it must be."""
    check, title = "CFG_S3_WEBSITE_ORIGIN", "origin: website endpoint over HTTP, sends the secret Referer"

    def result(problem: str, value: str | None = None) -> tuple[str | None, Finding]:
        address = distribution.address if distribution is not None else f"module.{binding.distribution_module}"
        return value, finding(binding, check, title, address, problem)

    if distribution is None:
        return result("the distribution of this origin is not in the plan")
    entries = origin_entries(distribution, binding.origin)
    if not entries:
        return result(f"{distribution.address} has no origin '{binding.origin}' known at plan time")
    origins = distribution.values.get("origin") or []
    (origin, _), index = entries[0], next(i for i, o in enumerate(origins) if o.get("origin_id") == binding.origin)
    configs = origin.get("custom_origin_config") or []
    if not configs or origin.get("s3_origin_config") or origin.get("vpc_origin_config"):
        return result("the origin is not a custom origin: a website endpoint is reached as one, over HTTP")
    policy = configs[0].get("origin_protocol_policy")
    if policy != "http-only":
        return result(f"origin_protocol_policy is {policy!r}: S3 website endpoints have no HTTPS, use http-only")
    sent_headers = enumerate(origin.get("custom_header") or [])
    headers = [(j, h) for j, h in sent_headers if str(h.get("name", "")).lower() == HEADER.lower()]
    if len(headers) != 1:
        return result(f"the origin sends {len(headers)} Referer headers; it must send exactly one, the secret")
    j, sent = headers[0]
    value = sent.get("value")
    if not value:
        return result("the Referer header is empty")
    if not distribution.is_sensitive("origin", index, "custom_header", j, "value"):
        return result(
            "the Referer value is not sensitive in the plan, so it was written in the code: "
            "pass the origin-secret module's `current`",
            value,
        )
    if value in literals:
        return result("the Referer value is written in the configuration: a secret in the code is leaked", value)
    return result("", value)


def _bucket_policy(plan: PlanView, binding: OriginBinding, sent: str | None, literals: set[str]) -> Finding:
    def problem_of(policy: Resource, statements: list[Statement]) -> str:
        if not policy.known("policy"):
            return "cannot read the policy's Referer values at plan time; the secret must be known when planning"
        problem = referer_policy_problem(statements, sent, literals)
        if not problem and not policy.is_sensitive("policy"):
            return (
                "the policy is not sensitive in the plan, so its Referer values were written in the code: "
                "pass the origin-secret module's `values`, and wrap the JSON in sensitive()"
            )
        return problem

    title = "bucket policy: the only Allow is GetObject with the secret Referer this distribution sends"
    return s3_oac.bucket_policy_finding(plan, binding, "CFG_S3_WEBSITE_POLICY", title, problem_of)


def referer_policy_problem(statements: list[Statement], sent: str | None, literals: set[str]) -> str:
    """Why these statements would admit a request without the secret, or would deny CloudFront; else ""."""
    allows = [s for s in statements if s.effect == "Allow"]
    if not allows:
        return "no Allow statement: CloudFront could not read the website"
    for s in allows:
        name = f"statement '{s.sid}'" if s.sid else "an Allow statement"
        if s.not_principals:
            return f"{name} uses NotPrincipal"
        actions = [str(a) for a in s.actions]
        if actions != [READ]:
            return f"{name} allows {', '.join(actions) or 'no action'}; allow only {READ}"
        values = s.condition_values("StringEquals", "aws:Referer")
        if values is None:
            others = ", ".join(f"{t} {v}" for t, v, _ in s.conditions) or "no condition"
            return f"{name} has {others}, not StringEquals aws:Referer: anyone could read the website"
        secrets = [v.value for v in values if isinstance(v, Const) and isinstance(v.value, str) and v.value]
        if not secrets or len(secrets) != len(values):
            return f"{name} has an empty or unreadable aws:Referer value"
        if len(secrets) > 2:
            return f"{name} accepts {len(secrets)} Referer values; keep the current and the previous secret only"
        written = [v for v in secrets if v in literals]
        if written:
            return f"{name} has an aws:Referer value written in the configuration: a secret in the code is leaked"
        if sent is not None and sent not in secrets:
            return f"{name} does not accept the Referer value the distribution sends: every request would be denied"
    return ""


def _acls_blocked(plan: PlanView, binding: OriginBinding) -> Finding:
    """ACLs stay blocked; the two policy flags must be off for the Referer policy to apply at all."""
    check, title = "CFG_S3_WEBSITE_ACLS", "public access block: public ACLs blocked and ignored"
    block = plan.one((binding.module,), "aws_s3_bucket_public_access_block")
    if block is None:
        return finding(binding, check, title, f"module.{binding.module}", "no public access block")
    off = [flag for flag in ("block_public_acls", "ignore_public_acls") if block.values.get(flag) is not True]
    problem = f"{', '.join(off)} not true: an object ACL could make objects public" if off else ""
    return finding(binding, check, title, block.address, problem)


PATTERN = Pattern(
    origin_type="s3_website",
    protection="secret_header",
    summary="S3 website endpoint over HTTP; CloudFront sends a secret Referer, the only Allow requires it.",
    template="s3_website/origin.tf.j2",
    modules=("s3-website-origin", SECRET_MODULE),
    view=view,
    prove=prove,
)
