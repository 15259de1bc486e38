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

from .._hcl import Attr, Ref, template
from ..harness.plan import Const, PlanView, Resource, Statement, Value
from ..harness.results import Finding
from ..spec.models import S3WebsiteOrigin
from . import s3_oac
from ._base import OriginBinding, OriginView, Pattern, adopted_moves, module_name
from ._probes import DISTRIBUTION, probe
from ._s3_guard import CHECK as GUARD
from ._s3_guard import Admitted, guard_problem, judged_allows
from ._secret import MODULE as SECRET_MODULE
from ._secret import secret_call, secret_use
from ._threats import Adoption, OriginDetails, ThreatModel, admins, path
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
    inputs = [*s3_oac.bucket_inputs(origin.bucket), Attr("index_document", origin.index_document)]
    if origin.error_document is not None:
        inputs.append(Attr("error_document", origin.error_document))
    inputs.append(Attr("referer_secrets", secret.values))
    if origin.direct_readers:
        inputs.append(Attr("direct_reader_arns", list(origin.direct_readers)))
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
        # The website endpoint has no HTTPS; the bucket's REST endpoint answers too, under the same policy.
        endpoints={
            "s3_website": template("http://", Ref(f"module.{module}.website_endpoint")),
            **s3_oac.rest_endpoints(origin.bucket.name),
        },
        moved=[] if origin.bucket.create else adopted_moves(module, ADOPTED_SETTINGS),
        checkov_skips=[
            (
                "CKV_AWS_70",
                "A website endpoint serves anonymous requests only, so the Allow is to everyone; "
                "it holds only with the secret Referer (CKV_CFG_6 and CFG_S3_WEBSITE_POLICY check it).",
            )
        ],
    )


# Where renders before the module's `adopted` resources kept an adopted bucket's settings.
ADOPTED_SETTINGS = (*s3_oac.ADOPTED_BUCKET_SETTINGS, "aws_s3_bucket_website_configuration.this")


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
        _account_guard(plan, binding, header),
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
    allows = judged_allows(statements, "aws:Referer")
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


def _account_guard(plan: PlanView, binding: OriginBinding, sent: str | None) -> Finding:
    """Principals of the account read the REST endpoint only with the secret, or as listed."""

    def problem_of(policy: Resource, statements: list[Statement]) -> str:
        # The secrets: what CloudFront sends, and what the Allow takes (the previous one, mid-rotation).
        accepted = {sent} | {
            v.value
            for s in statements
            if s.effect == "Allow"
            for v in s.condition_values("StringEquals", "aws:Referer") or []
            if isinstance(v, Const)
        }
        admitted = Admitted(
            key="aws:Referer",
            tests=("StringNotEquals",),
            what="the secret Referer CloudFront sends",
            problem_of=lambda values: _guard_referer_problem(values, accepted, sent),
        )
        bucket = policy.values.get("bucket") if policy.known("bucket") else None
        return guard_problem(statements, bucket if isinstance(bucket, str) else None, admitted)

    title = "bucket policy: object reads denied to every principal without the secret Referer, but the listed ones"
    return s3_oac.bucket_policy_finding(plan, binding, GUARD, title, problem_of)


def _guard_referer_problem(values: list[Value], accepted: set[object], sent: str | None) -> str:
    """Why the guard's Referer values differ from the secrets; never shows a value (it is the secret)."""
    secrets = [v.value for v in values if isinstance(v, Const) and isinstance(v.value, str) and v.value]
    if not secrets or len(secrets) != len(values):
        return "an aws:Referer value is empty or unreadable"
    if any(secret not in accepted for secret in secrets):
        return "it lets through a Referer that is neither the one CloudFront sends nor one the Allow accepts"
    if sent is not None and sent not in secrets:
        return "it does not let through the Referer the distribution sends: every request would be denied"
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


# -- threat model --------------------------------------------------------------

# S3 deems the Referer policy public: the account's own block public access settings override the bucket's.
ACCOUNT_BLOCK = (
    "The pattern cannot work in an account whose S3 Block Public Access (account level) blocks public "
    "policies: S3 refuses the bucket policy at apply (BlockPublicPolicy) or ignores it (RestrictPublicBuckets), "
    "and every request gets 403."
)

THREATS = ThreatModel(
    hops=("viewer", "CloudFront distribution", "HTTP with Referer: <secret>", "S3 website endpoint"),
    paths=(
        path(
            "distribution",
            "allowed",
            note="CloudFront sends the secret Referer; the bucket policy's only Allow requires it.",
        ),
        path(
            "other_distribution",
            "closed",
            ("CFG_S3_WEBSITE_POLICY", "CFG_S3_WEBSITE_ORIGIN"),
            "Another distribution does not send the secret (CloudFront overwrites a Referer a viewer sends), so "
            "the policy has no Allow for it.",
        ),
        path(
            "internet",
            "closed",
            ("CFG_S3_WEBSITE_POLICY", "CFG_S3_WEBSITE_ACLS", "CFG_S3_OWNERSHIP"),
            "Anonymous requests without the secret Referer match no Allow; ACLs are blocked and disabled.",
        ),
        # Through the REST endpoint too: the guard's Deny holds on both endpoints.
        s3_oac.account_principals("the request carries the secret Referer"),
        path(
            "secret_holders",
            "residual",
            note="The check is a shared secret, not CloudFront's identity: whoever learns it (from state, plan "
            "files, the distribution's configuration or the clear-HTTP hop to S3) reads the bucket directly, "
            "around the distribution's WAF, geo restriction, signed URLs and logs. Narrowed by rotation "
            "(two values accepted) and by guarding state; closed only by `type: s3` with OAC. "
            f"{ACCOUNT_BLOCK}",
        ),
        admins(("the bucket policy", "the public access block", "the distribution")),
    ),
)
# After apply: CloudFront serves the site; the website endpoint refuses a request without the Referer or with
# a wrong one, and the REST endpoint (the same bucket policy) refuses an anonymous request.
PROBES = (
    DISTRIBUTION,
    probe("internet", "s3_website"),
    probe("internet", "s3_website", wrong_header=HEADER),
    probe("internet", "s3_rest"),
    probe("internet", "s3_rest_path"),
)


def details(spec: Spec, dist: Distribution, origin: Origin) -> OriginDetails:
    assert isinstance(origin, S3WebsiteOrigin)
    return OriginDetails(
        hops=(
            "viewer",
            f"CloudFront distribution {dist.name}",
            "HTTP with Referer: <secret>",
            f"S3 website endpoint of {origin.bucket.name}",
        ),
        secrets=(
            secret_use(
                "Referer secret",
                origin.secret,
                also_in=("the bucket policy (s3:GetBucketPolicy)",),
            ),
        ),
        notes=s3_oac.direct_reader_notes(origin.direct_readers),
        adopted=() if origin.bucket.create else (_adoption(dist, origin),),
        todo=(
            "Check that the account's S3 Block Public Access does not block public policies "
            "(aws s3control get-public-access-block): if it does, this pattern fails; use `type: s3` with OAC.",
            "Rotate the Referer secret on a schedule (README: S3 website endpoints and their secret).",
        ),
    )


def _adoption(dist: Distribution, origin: S3WebsiteOrigin) -> Adoption:
    error = f" and error document {origin.error_document}" if origin.error_document else ""
    return s3_oac.bucket_adoption(
        module_name(dist.name, origin.id),
        origin.bucket,
        "the Referer read, the read guard, HTTPS for everything but reads",
        [
            f"Website configuration: index document {origin.index_document}{error}, replacing the bucket's "
            "(its routing rules and redirects are dropped).",
            "Public access block: ACL flags on, policy flags off (S3 deems the Referer policy public): a bucket "
            "that blocked public policies no longer does.",
            s3_oac.OWNER_ENFORCED,
        ],
        ("aws_s3_bucket_website_configuration",),
    )


PATTERN = Pattern(
    origin_type="s3_website",
    protection="secret_header",
    summary="S3 website endpoint over HTTP; CloudFront sends a secret Referer, the only Allow requires it.",
    template="s3_website/origin.tf.j2",
    modules=("s3-website-origin", SECRET_MODULE),
    view=view,
    prove=prove,
    threats=THREATS,
    details=details,
    probes=PROBES,
)
