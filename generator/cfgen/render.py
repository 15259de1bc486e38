"""Spec -> files of the root module. Pure: reads templates and modules, writes nothing.

The result maps each relative path to its text; ``write`` decides what
reaches the disk, which is what makes ``render --check`` a comparison.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jinja2

from . import _edge, _requirements, _resources
from ._hcl import Attr, Ref, attributes, heredoc, literal, template
from .errors import RenderError, one_line
from .patterns import OriginBinding, OriginView, _secret, module_name, pattern_for
from .patterns._base import PROVIDER_REGIONS, KeptPolicy
from .patterns.distribution import DistributionBinding
from .spec import (
    CACHE_POLICY_IDS,
    ORIGIN_REQUEST_POLICY_IDS,
    RESPONSE_HEADERS_POLICY_IDS,
    Behavior,
    Distribution,
    LoadedSpec,
    _policies,
)
from .spec import _names as names
from .spec.managed_policies import OriginRequestPolicy, ResponseHeadersPolicy

__all__ = ["Rendered", "render"]

METHODS = {
    "read": ["GET", "HEAD"],
    "read_options": ["GET", "HEAD", "OPTIONS"],
    "all": ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
}


@dataclass(frozen=True)
class Rendered:
    """The files of a render, by relative path, and where each origin landed."""

    files: dict[str, str | bytes]
    bindings: list[OriginBinding]
    distributions: list[DistributionBinding] = field(default_factory=list)


def render(loaded: LoadedSpec) -> Rendered:
    """Render ``loaded`` to the root module and the modules it uses."""
    spec = loaded.spec
    env = _environment()
    distributions = []
    bindings: list[OriginBinding] = []
    used_modules = {"cloudfront-distribution"}
    for dist in spec.distributions:
        origins = []
        for origin in dist.origins:
            pattern = pattern_for(origin.type, origin.protection)
            origin_view = _with_kept_policy(loaded, origin, pattern.view(spec, dist, origin))
            used_modules.update(pattern.modules, origin_view.modules)
            if origin_view.secrets:
                used_modules.add(_secret.MODULE)
            origins.append((origin, pattern.template, origin_view))
            bindings.append(
                OriginBinding(
                    distribution=dist.name,
                    origin=origin.id,
                    pattern=pattern.key,
                    module=origin_view.module,
                    distribution_module=module_name(dist.name),
                )
            )
        distributions.append(_distribution_view(spec.project, dist, origins))
        distributions[-1]["edge"] = _edge.edge_view(loaded, dist, module_name(dist.name))
    context: dict[str, Any] = {
        "spec": spec,
        "spec_name": one_line(loaded.path.name),  # in a comment: a newline in a file name must not end it
        "requires": {
            "terraform": _requirements.TERRAFORM,
            "aws_source": _requirements.AWS_PROVIDER_SOURCE,
            "aws": _requirements.AWS_PROVIDER,
        },
        "distributions": distributions,
        "variables": [
            v
            for d in distributions
            for _, view, _ in d["origin_templates"]
            for v in [*(v for call in view.secrets for v in call.variables), *view.variables]
        ],
        "endpoints": _endpoints(distributions),
        "ignore_tag_prefixes": sorted(
            {p for d in distributions for _, view, _ in d["origin_templates"] for p in view.ignore_tag_prefixes}
        ),
        # aws provider aliases the origins' module calls use (us_east_1 for Lambda@Edge).
        "provider_aliases": [
            (alias, PROVIDER_REGIONS[alias])
            for alias in sorted(
                {c.provider for d in distributions for _, view, _ in d["origin_templates"] for c in view.calls} - {""}
            )
        ],
    }
    files: dict[str, str | bytes] = {}
    for _, view, _ in (o for d in distributions for o in d["origin_templates"]):
        files.update(view.files)
    for d in distributions:
        files.update(d["edge"].files)
    for name in ("versions.tf", "providers.tf", "variables.tf", "main.tf", "outputs.tf"):
        try:
            files[name] = env.get_template(f"root/{name}.j2").render(context)
        except jinja2.TemplateError as exc:
            raise RenderError(f"template root/{name}.j2 failed: {exc}") from exc
    for module in sorted(used_modules):
        files.update(_vendored(module))
    return Rendered(
        files=dict(sorted(files.items())),
        bindings=bindings,
        distributions=[d["edge"].binding for d in distributions],
    )


def _endpoints(distributions: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The value of output ``cfgen_endpoints``: what ``cfgen verify`` requests for each origin, by its label."""
    return {
        f"{d['name']}/{origin.id}": {
            "distribution": template("https://", Ref(f"module.{d['module']}.domain_name")),
            **view.endpoints,
        }
        for d in distributions
        for _, view, origin in d["origin_templates"]
    }


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_resources.templates_dir()),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # HCL, not HTML; every value goes through `literal`
    )
    env.globals["attributes"] = attributes
    env.globals["Attr"] = Attr
    env.globals["Ref"] = Ref
    env.filters["hcl"] = literal
    env.filters["heredoc"] = heredoc
    env.globals["sync_name"] = names.SYNC.name  # the sync function's name, as validate checked it
    return env


# The proof that judges every Allow of an S3 bucket policy, by protection mode.
_POLICY_PROOFS = {"oac": "CFG_S3_OAC_POLICY", "oai": "CFG_S3_OAI_POLICY", "oai_to_oac": "CFG_S3_MIGRATION_POLICY"}


def _with_kept_policy(loaded: LoadedSpec, origin: Any, view: OriginView) -> OriginView:
    """``view`` with the statements of the policy the origin's adopted resource has before cfgen, if any."""
    found = _policies.current_policy(origin)
    if found is None or found[1] == _policies.NO_POLICY:
        return view
    document = _policies.kept_policy(loaded.base_dir, found[1], _policies.reserved_sids(origin))
    # The file name goes into a comment: a newline in it must not end the comment.
    kept = KeptPolicy(file=one_line(found[1]), document=document)
    skips = list(view.checkov_skips)
    if origin.type == "s3" and any(s.get("Effect") == "Allow" for s in json.loads(document)["Statement"]):
        # CKV_CFG_1 wants CloudFront to be the only principal an S3 bucket policy allows; the owner's Allows
        # stay (a pipeline's uploads, a log delivery), and the proofs judge whether any of them reads objects.
        skips.append(
            (
                "CKV_CFG_1",
                f"The adopted bucket keeps the Allow statements of its owner ({kept.file}); "
                f"{_POLICY_PROOFS[origin.protection]} proves that none lets anyone in or reads objects "
                "(but the spec's direct readers).",
            )
        )
    return replace(view, kept_policy=kept, checkov_skips=skips)


def _distribution_view(project: str, dist: Distribution, origins: list[tuple[Any, str, OriginView]]) -> dict[str, Any]:
    settings = [
        Attr("name", f"{project}-{dist.name}"),
        Attr("comment", dist.comment or f"{project} {dist.name} (cfgen)"),
    ]
    if dist.aliases:
        settings.append(Attr("aliases", list(dist.aliases)))
    if dist.viewer_certificate:
        settings.append(Attr("acm_certificate_arn", dist.viewer_certificate.acm_certificate_arn))
        settings.append(Attr("minimum_protocol_version", dist.viewer_certificate.minimum_protocol_version))
    settings += [
        Attr("price_class", dist.price_class),
        Attr("http_version", dist.http_version),
        Attr("is_ipv6_enabled", dist.ipv6),
    ]
    if dist.default_root_object:
        settings.append(Attr("default_root_object", dist.default_root_object))
    if dist.web_acl_arn:
        settings.append(Attr("web_acl_id", dist.web_acl_arn))
    if dist.geo_restriction:
        settings.append(
            Attr(
                "geo_restriction",
                {
                    "restriction_type": dist.geo_restriction.type,
                    "locations": list(dist.geo_restriction.locations),
                },
            )
        )
    if dist.logging:
        settings.append(
            Attr(
                "logging",
                {
                    "bucket": dist.logging.bucket,
                    "prefix": dist.logging.prefix,
                    "include_cookies": dist.logging.include_cookies,
                },
            )
        )
    groups = _edge.origin_groups(dist)
    if groups is not None:
        settings.append(groups)
    default = next(b for b in dist.behaviors if b.path == "default")
    edge = {o.id: view.origin_request_lambda for o, _, view in origins if view.origin_request_lambda is not None}
    return {
        "module": module_name(dist.name),
        "name": dist.name,
        "checkov_skips": _checkov_skips(dist),
        "settings": settings,
        "origins": [Attr(o.id, view.distribution_origin) for o, _, view in origins],
        "origin_templates": [(template, view, origin) for origin, template, view in origins],
        "default_behavior": _behavior(dist, default, edge),
        "ordered_behaviors": [_behavior(dist, b, edge) for b in dist.behaviors if b.path != "default"],
    }


def _behavior(dist: Distribution, behavior: Behavior, edge: dict[str, Ref]) -> list[Attr]:
    cache_name, cache_id = CACHE_POLICY_IDS[behavior.cache]
    attrs = []
    if behavior.path != "default":
        attrs.append(Attr("path_pattern", behavior.path))
    attrs += [
        Attr("target_origin_id", behavior.origin),
        Attr("viewer_protocol_policy", behavior.viewer_protocol),
        Attr("allowed_methods", METHODS[behavior.methods]),
        Attr("cached_methods", ["GET", "HEAD"]),
        Attr("compress", behavior.compress),
        Attr("cache_policy_id", cache_id, cache_name),
    ]
    if behavior.origin_request is not OriginRequestPolicy.NONE:
        name, policy_id = ORIGIN_REQUEST_POLICY_IDS[behavior.origin_request]
        attrs.append(Attr("origin_request_policy_id", policy_id, name))
    if behavior.response_headers is ResponseHeadersPolicy.STRICT:
        strict = f"aws_cloudfront_response_headers_policy.{_edge.label(dist, 'strict')}.id"
        attrs.append(Attr("response_headers_policy_id", Ref(strict)))
    elif behavior.response_headers is not ResponseHeadersPolicy.NONE:
        name, policy_id = RESPONSE_HEADERS_POLICY_IDS[behavior.response_headers]
        attrs.append(Attr("response_headers_policy_id", policy_id, name))
    attrs += _edge.behavior_attrs(dist, behavior)
    if behavior.origin in edge:
        # The origin's Lambda@Edge function sees (and signs) every request this behavior sends it, body included.
        association = {"event_type": "origin-request", "lambda_arn": edge[behavior.origin], "include_body": True}
        attrs.append(Attr("lambda_function_associations", [association]))
    return attrs


def _checkov_skips(dist: Distribution) -> list[tuple[str, str]]:
    """Built-in checks a spec fails on purpose, with the reason a reviewer reads."""
    skips = []
    if dist.web_acl_arn is None:
        skips.append(("CKV_AWS_68", "No web_acl_arn in the spec; origins are closed by their own controls."))
        skips.append(("CKV2_AWS_47", "No web_acl_arn in the spec, so no WAF rule set to check."))
    if dist.logging is None:
        skips.append(("CKV_AWS_86", "No logging in the spec; add `logging:` to turn on standard logs."))
    if dist.geo_restriction is None:
        skips.append(("CKV_AWS_374", "No geo_restriction in the spec: served worldwide by choice."))
    if dist.viewer_certificate is None:
        skips.append(("CKV2_AWS_42", "No aliases: the cloudfront.net certificate is the one that fits."))
        skips.append(
            (
                "CKV_AWS_174",
                "Default certificate: CloudFront fixes its TLS policy; aliases set TLSv1.2_2021.",
            )
        )
    if dist.default_root_object is None:
        skips.append(("CKV_AWS_305", "No default_root_object in the spec: the origin answers `/` itself."))
    if not dist.origin_groups:
        skips.append(("CKV_AWS_310", "One origin per behavior; no origin_groups (failover) in the spec."))
    if all(b.response_headers is not ResponseHeadersPolicy.NONE for b in dist.behaviors):
        # Not when a behavior says `response_headers: none`: then the check should speak.
        skips.append(
            (
                "CKV2_AWS_32",
                "Every behavior attaches a response headers policy; managed ones by their fixed IDs, "
                "which checkov cannot connect to a resource.",
            )
        )
    return skips


def _vendored(module: str) -> dict[str, str]:
    source = _resources.modules_dir() / module
    if not source.is_dir():
        raise RenderError(f"module '{module}' is missing from {source.parent}; reinstall cfgen")
    return {
        f"modules/{module}/{path.relative_to(source).as_posix()}": path.read_text(encoding="utf-8")
        for path in sorted(source.rglob("*"))
        if path.is_file() and _shipped(path.relative_to(source))
    }


def _shipped(relative: Path) -> bool:
    """Module files worth vendoring; ``relative`` to the module, since cfgen may live under a dot folder."""
    hidden = any(part.startswith(".") or part == "__pycache__" for part in relative.parts)
    return not hidden and relative.suffix in {".tf", ".md", ".py", ".json"}
