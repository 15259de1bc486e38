"""S3 REST endpoint behind Origin Access Control (``type: s3``, ``protection: oac``).

Wiring: the ``s3-origin`` module creates (or adopts) the bucket, blocks all
public access, enforces bucket-owner object ownership, creates an OAC that
always signs with SigV4, and writes a bucket policy whose only Allow is the
CloudFront service principal on condition that ``AWS:SourceArn`` is this
distribution. With SSE-KMS the key policy is scoped the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .._hcl import Attr, Ref, template
from ..harness.plan import Const, PlanView, Resource, Statement, Sym, Value, document_statements, policy_statements
from ..harness.results import Finding
from ..spec import _names as names
from ..spec.models import Bucket, S3Origin
from ._base import OriginBinding, OriginView, Pattern, adopted_moves, module_name
from ._probes import DISTRIBUTION, probe
from ._s3_guard import CHECK as GUARD
from ._s3_guard import Admitted, MustAdmit, guard_problem, judged_allows
from ._threats import AccessPath, Adoption, OriginDetails, ThreatModel, admins, kept_on_destroy, path

if TYPE_CHECKING:
    from ..spec import Distribution, Spec
    from ..spec.models import Origin

CLOUDFRONT = "cloudfront.amazonaws.com"
SOURCE_ARN = "AWS:SourceArn"
GUARD_TITLE = "bucket policy: object reads denied to every principal but this distribution and the listed ones"
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
        *bucket_inputs(origin.bucket),
        Attr("origin_access_control_name", names.OAC.name(spec.project, dist.name, origin.id)),
        Attr("distribution_arn", Ref(f"module.{module_name(dist.name)}.arn")),
    ]
    if origin.origin_path:
        inputs.append(Attr("origin_path", origin.origin_path))
    if not origin.bucket.create:
        # The adopted bucket's regional endpoint: the root module's region (its provider's).
        inputs.append(Attr("region", Ref("var.region")))
    if origin.protection != "oac":
        inputs.append(Attr("access", origin.protection))
    if origin.direct_readers:
        inputs.append(Attr("direct_reader_arns", list(origin.direct_readers)))
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
        endpoints=rest_endpoints(origin.bucket.name, origin.origin_path),
        moved=_adopted_moves(module, origin),
    )


def rest_endpoints(bucket: str, origin_path: str = "") -> dict[str, Ref]:
    """The bucket's REST endpoint in the root module's region, virtual-hosted and path style, with the folder served."""
    # A name with dots does not fit S3's wildcard certificate on the virtual-hosted name: HTTP there
    # (which S3 answers too), or verify could not tell a refusal from a certificate it cannot trust.
    scheme = "http://" if "." in bucket else "https://"
    region = Ref("var.region")
    return {
        "s3_rest": template(scheme, bucket, ".s3.", region, ".amazonaws.com", origin_path),
        "s3_rest_path": template("https://s3.", region, ".amazonaws.com/", bucket, origin_path),
    }


# Where renders before the module's `adopted` resources kept an adopted bucket's settings.
ADOPTED_BUCKET_SETTINGS = (
    "aws_s3_bucket_public_access_block.this",
    "aws_s3_bucket_ownership_controls.this",
    "aws_s3_bucket_policy.this",
)


def _adopted_moves(module: str, origin: S3Origin) -> list[tuple[str, str]]:
    if origin.bucket.create:
        return []
    encryption = ("aws_s3_bucket_server_side_encryption_configuration.this[0]",) if origin.kms is not None else ()
    return adopted_moves(module, (*ADOPTED_BUCKET_SETTINGS, *encryption))


def bucket_inputs(bucket: Bucket) -> list[Attr]:
    """The inputs every S3 origin module takes about its bucket."""
    inputs = [
        Attr("bucket_name", bucket.name),
        Attr("create_bucket", bucket.create),
        Attr("force_destroy", bucket.force_destroy),
    ]
    # Only when the spec sets it: the modules' default is the spec's (a unit test keeps them equal).
    if bucket.create and "noncurrent_version_expiration_days" in bucket.model_fields_set:
        inputs.append(Attr("noncurrent_version_expiration_days", bucket.noncurrent_version_expiration_days))
    return inputs


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
            lambda _, statements: source_arn_problem(judged_allows(statements, SOURCE_ARN), distribution),
        ),
        public_access_block(plan, binding),
        ownership(plan, binding),
        origin_access_control(plan, binding, distribution),
        account_guard(plan, binding, distribution),
    ]
    key = plan.one(module, "aws_kms_key")
    statement = plan.one(module, "aws_iam_policy_document", "kms_key_policy_statement")
    call = (plan.module_config(()) or {}).get("module_calls", {}).get(binding.module, {}).get("expressions", {})
    if key is not None:
        findings.append(kms_key_policy(plan, binding, key, distribution))
    elif statement is not None:
        findings.append(kms_statement_for_key_owner(plan, binding, statement, distribution))
    elif call.get("create_kms_key", {}).get("constant_value") is True or "kms_key_arn" in call:
        # The call asks for SSE-KMS, yet neither the key nor the statement for its owner is planned.
        problem = (
            "the module call sets a KMS key, but neither aws_kms_key.this nor the statement for its owner is planned"
        )
        findings.append(
            finding(
                binding,
                "CFG_S3_KMS",
                "KMS: CloudFront may decrypt only for this distribution",
                f"module.{binding.module}",
                problem,
            )
        )
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
            return (
                f"{name} lets {s.principal_text()} read objects; allow only Service {CLOUDFRONT} "
                "(a role that must read around the distribution belongs in direct_readers)"
            )
        arns = s.condition_values("StringEquals", "AWS:SourceArn")
        if arns is None:
            return f"{name} has no StringEquals AWS:SourceArn condition: any distribution could read"
        wrong = _source_arn_mismatch(arns, distribution)
        if wrong:
            return f"{name} {wrong}"
    return ""


def _source_arn_mismatch(values: list[Value], distribution: Resource) -> str:
    """What in ``values`` of AWS:SourceArn is not exactly ``distribution``'s ARN, or ""."""
    wrong = [v for v in values if not _is_arn_of(v, distribution)]
    if not wrong and values:
        return ""
    shown = ", ".join(map(str, wrong)) or "no value"
    return f"has AWS:SourceArn {shown}, not {distribution.address}.arn"


def account_guard(
    plan: PlanView, binding: OriginBinding, distribution: Resource | None, must_admit: Sequence[MustAdmit] = ()
) -> Finding:
    """The read guard: principals of the account read objects only through ``distribution`` (or as listed)."""

    def problem_of(policy: Resource, statements: list[Statement]) -> str:
        if distribution is None:
            return "the distribution of this origin is not in the plan"
        own: Resource = distribution
        admitted = Admitted(
            key="AWS:SourceArn",
            tests=("StringNotEquals", "ArnNotEquals"),
            what="this distribution",
            problem_of=lambda values: _source_arn_mismatch(values, own),
        )
        bucket = policy.values.get("bucket") if policy.known("bucket") else None
        return guard_problem(statements, bucket if isinstance(bucket, str) else None, admitted, must_admit)

    return bucket_policy_finding(plan, binding, GUARD, GUARD_TITLE, problem_of)


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
    return _kms_finding(binding, title, key, policy_statements(plan, key), distribution)


def kms_statement_for_key_owner(
    plan: PlanView, binding: OriginBinding, document: Resource, distribution: Resource | None
) -> Finding:
    """The statement cfgen outputs for a key it does not own lets CloudFront decrypt for this distribution only."""
    title = "KMS statement to add to your key's policy: CloudFront may decrypt only for this distribution"
    return _kms_finding(binding, title, document, document_statements(plan, document), distribution)


def _kms_finding(
    binding: OriginBinding,
    title: str,
    policy: Resource,
    statements: list[Statement] | None,
    distribution: Resource | None,
) -> Finding:
    if statements is None:
        return finding(binding, "CFG_S3_KMS", title, policy.address, "cannot read the key policy at plan time")
    for_cloudfront = [
        s for s in statements if s.effect == "Allow" and any(Const(CLOUDFRONT) in ids for _, ids in s.principals)
    ]
    if not for_cloudfront:
        return finding(binding, "CFG_S3_KMS", title, policy.address, "no statement lets CloudFront decrypt")
    problem = source_arn_problem(for_cloudfront, distribution)
    return finding(binding, "CFG_S3_KMS", title, policy.address, problem)


# -- threat model --------------------------------------------------------------

HOPS = ("viewer", "CloudFront distribution", "Origin Access Control (SigV4 as the distribution)", "S3 REST endpoint")
INTERNET = path(
    "internet",
    "closed",
    ("CFG_S3_PUBLIC_ACCESS_BLOCK", "CFG_S3_OWNERSHIP", "CFG_S3_OAC_POLICY"),
    "No statement allows an anonymous caller; the public access block makes S3 refuse a public policy or ACL, "
    "and BucketOwnerEnforced disables ACLs.",
)
# Reads that never pass the guard whatever an identity policy allows; the same words for every S3 pattern.
GUARD_READS = (
    "The bucket policy denies the reads that hand out an object's bytes (GetObject and its version, "
    "torrent and replication reads) to every principal"
)
DIRECT_READERS = (
    "or aws:PrincipalArn (a role's ARN, whatever the session) is one of the spec's `direct_readers`. "
    "An identity policy's s3:GetObject no longer reads the bucket, and a URL its holder presigns fails."
)


def account_principals(admitted: str) -> AccessPath:
    """The path of principals of the bucket's account, closed by the read guard that lets ``admitted`` through."""
    return path("account_principals", "closed", (GUARD,), f"{GUARD_READS} unless {admitted} {DIRECT_READERS}")


ACCOUNT_PRINCIPALS = account_principals("AWS:SourceArn is this distribution")
# Decrypting reads nothing by itself: S3 returns an SSE-KMS object only inside a read the guard denies.
# The guard's proof is named on account_principals only: cfgen test files a proof under every path that
# names it, and these paths exist only with a key.
DECRYPT_NEEDS_A_READ = (
    "A decrypt permission alone reads nothing: S3 hands out an SSE-KMS object only through a read, "
    f"which the bucket policy denies to all but this distribution and the spec's `direct_readers` ({GUARD})."
)
KMS_PATHS = (
    path(
        "kms_decrypt",
        "closed",
        ("CFG_S3_KMS",),
        "CloudFront may decrypt only for this distribution. The key policy keeps AWS's default root "
        "statement, so identity policies still grant the key's use (uploaders need kms:GenerateDataKey, "
        f"and kms:Decrypt for multipart uploads). {DECRYPT_NEEDS_A_READ}",
        when="kms_created",
    ),
    path(
        "kms_decrypt",
        "closed",
        ("CFG_S3_KMS",),
        "The key is not cfgen's: its policy decides who decrypts. cfgen outputs the statement that lets "
        "CloudFront decrypt for this distribution only (proven scoped to it); add it to the key policy. "
        f"{DECRYPT_NEEDS_A_READ}",
        when="kms_external",
    ),
)
CONTROLS = ("the bucket policy", "the public access block", "the distribution")


def s3_details(spec: Spec, dist: Distribution, origin: Origin) -> OriginDetails:
    """Conditions and to-dos of an S3 REST origin (every protection mode)."""
    assert isinstance(origin, S3Origin)
    conditions = set()
    todo = []
    if origin.kms is not None:
        conditions.add("kms_created" if origin.kms.create else "kms_external")
        if not origin.kms.create:
            todo.append(
                f"Add output {module_name(dist.name, origin.id)}_kms_key_policy_statement to the policy of "
                f"{origin.kms.key_arn}."
            )
    adopted: tuple[Adoption, ...] = ()
    if not origin.bucket.create:
        conditions.add("adopted")
        encryption = []
        if origin.kms is not None and origin.kms.key_arn is not None:
            encryption = [f"Default encryption: SSE-KMS with {origin.kms.key_arn}, bucket keys on."]
        adopted = (
            bucket_adoption(
                module_name(dist.name, origin.id),
                origin.bucket,
                "CloudFront's read, the read guard, HTTPS only",
                [
                    "Public access block: all four flags on (S3 refuses a public policy or ACL and ignores public "
                    "ACLs).",
                    OWNER_ENFORCED,
                    *encryption,
                ],
                ("aws_s3_bucket_server_side_encryption_configuration",) if encryption else (),
            ),
        )
    return OriginDetails(
        hops=(
            "viewer",
            f"CloudFront distribution {dist.name}",
            "Origin Access Identity" if origin.protection != "oac" else HOPS[2],
            f"S3 REST endpoint of {origin.bucket.name}",
        ),
        conditions=frozenset(conditions),
        notes=direct_reader_notes(origin.direct_readers),
        todo=tuple(todo),
        adopted=adopted,
    )


OWNER_ENFORCED = (
    "Ownership controls: BucketOwnerEnforced, which disables ACLs (an object ACL grants nothing any more, and "
    "CloudFront standard logs, which S3 delivers through an ACL, can no longer be written to it)."
)
_BUCKET_SETTINGS = ("aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls", "aws_s3_bucket_policy")


def bucket_adoption(
    module: str, bucket: Bucket, statements: str, settings: Sequence[str], extra_kept: Sequence[str] = ()
) -> Adoption:
    """What an S3 module writes on the adopted ``bucket``; ``statements`` names cfgen's own in its policy."""
    kept_file = bucket.current_policy
    policy = (
        f"Policy: replaced by cfgen's statements ({statements}) and the statements of {kept_file} "
        "(current_policy), which the proofs judge with cfgen's."
        if kept_file != "none"
        else f"Policy: cfgen's statements ({statements}); the spec says the bucket had none (current_policy: none)."
    )
    kept = [f"module.{module}.{resource}.adopted[0]" for resource in (*_BUCKET_SETTINGS, *extra_kept)]
    return Adoption(
        resource=f"bucket {bucket.name}",
        changes=(
            *settings,
            policy,
            "Versioning, lifecycle, logging, tags and objects stay as they are.",
        ),
        on_destroy=kept_on_destroy("bucket", kept),
        kept=tuple(kept),
    )


def direct_reader_notes(readers: Sequence[str]) -> dict[str, str]:
    """The spec's exceptions to the read guard, on the path they leave open to those principals."""
    if not readers:
        return {"account_principals": "The spec lists no direct reader."}
    return {"account_principals": f"Direct readers (read around the distribution): {', '.join(readers)}."}


THREATS = ThreatModel(
    hops=HOPS,
    paths=(
        path(
            "distribution",
            "allowed",
            note="CloudFront signs each request as this distribution; the bucket policy admits "
            f"{CLOUDFRONT} only with AWS:SourceArn = this distribution.",
        ),
        path(
            "other_distribution",
            "closed",
            ("CFG_S3_OAC_POLICY", "CFG_S3_OAC"),
            "A distribution of any account signs as itself, and its ARN is not the one the policy names.",
        ),
        INTERNET,
        ACCOUNT_PRINCIPALS,
        *KMS_PATHS,
        admins(CONTROLS),
    ),
)
# After apply: CloudFront serves the object; both REST endpoints refuse an anonymous request.
PROBES = (DISTRIBUTION, probe("internet", "s3_rest"), probe("internet", "s3_rest_path"))


PATTERN = Pattern(
    origin_type="s3",
    protection="oac",
    summary="S3 REST endpoint; Origin Access Control signs requests, the bucket policy admits only this distribution.",
    template="s3_oac/origin.tf.j2",
    modules=("s3-origin",),
    view=view,
    prove=prove,
    threats=THREATS,
    details=s3_details,
    probes=PROBES,
)
