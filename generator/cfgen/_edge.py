"""Distribution-wide parts of a render: key groups, functions, the strict headers policy, Route 53.

Pure like ``render``: it reads the files the spec names (public keys,
function code) and returns their text for the tree, with the template
context of the resources that use them. Everything lives in the root module
beside the distribution's module call, so a reviewer reads it in ``main.tf``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._hcl import Attr, Ref, literal
from .patterns.distribution import DistributionBinding, SignedBehavior
from .spec import Behavior, Distribution, LoadedSpec
from .spec import _names as names
from .spec._files import function_code, public_key_pem
from .spec.managed_policies import ResponseHeadersPolicy

__all__ = ["STRICT_CSP", "EdgeView", "edge_view"]

# Same-origin for everything, no plugins, no framing (as frame DENY), forms post only
# back to the site, images also from data: URLs, and every http:// subresource
# upgraded. Sites that load third-party scripts or styles need a managed policy or
# their own; cfgen does not guess their hosts.
STRICT_CSP = (
    "default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; "
    "form-action 'self'; img-src 'self' data:; upgrade-insecure-requests"
)
HSTS_TWO_YEARS = 63072000  # the preload list asks for at least one year; two is its recommendation
FUNCTION_RUNTIME = "cloudfront-js-2.0"
EVENTS = (("viewer_request", "viewer-request"), ("viewer_response", "viewer-response"))


@dataclass(frozen=True)
class EdgeView:
    """Resources of one distribution beside its module call, and the files they read."""

    files: dict[str, str] = field(default_factory=dict)
    response_headers_policy: list[Any] | None = None  # (label, attrs) when a behavior asks for `strict`
    public_keys: list[tuple[str, list[Attr]]] = field(default_factory=list)
    key_groups: list[tuple[str, list[Attr]]] = field(default_factory=list)
    functions: list[tuple[str, list[Attr]]] = field(default_factory=list)
    records: list[tuple[str, list[Attr], list[Attr]]] = field(default_factory=list)
    binding: DistributionBinding | None = None


def label(dist: Distribution, name: str) -> str:
    """A root-module resource label for ``name`` of ``dist`` (spec names hold no ``_``)."""
    return f"{dist.name}_{name}"


def edge_view(loaded: LoadedSpec, dist: Distribution, module: str) -> EdgeView:
    """The distribution-wide resources of ``dist``."""
    project = loaded.spec.project
    files: dict[str, str] = {}
    public_keys = []
    for key in (k for g in dist.key_groups for k in g.public_keys):
        path = f"keys/{dist.name}-{key.name}.pub.pem"
        files[path] = public_key_pem(loaded.base_dir, key.pem_file)
        public_keys.append(
            (
                label(dist, key.name),
                [
                    Attr("name", names.PUBLIC_KEY.name(project, dist.name, key.name)),
                    Attr("comment", f"Public key {key.name} for signed URLs and cookies (cfgen)"),
                    Attr("encoded_key", Ref(f'file("${{path.module}}/{path}")')),
                ],
            )
        )
    key_groups = [
        (
            label(dist, group.name),
            [
                Attr("name", names.KEY_GROUP.name(project, dist.name, group.name)),
                Attr("comment", f"Key group {group.name} of {project} {dist.name} (cfgen)"),
                Attr("items", [Ref(f"aws_cloudfront_public_key.{label(dist, k.name)}.id") for k in group.public_keys]),
            ],
        )
        for group in dist.key_groups
    ]
    functions = []
    for function in dist.functions:
        path = f"functions/{dist.name}-{function.name}.js"
        files[path] = function_code(loaded.base_dir, function.code)
        functions.append(
            (
                label(dist, function.name),
                [
                    Attr("name", names.FUNCTION.name(project, dist.name, function.name)),
                    Attr("runtime", FUNCTION_RUNTIME),
                    Attr("comment", function.comment or f"{function.name} of {project} {dist.name} (cfgen)"),
                    Attr("publish", True),
                    Attr("code", Ref(f'file("${{path.module}}/{path}")')),
                ],
            )
        )
    strict = None
    if any(b.response_headers is ResponseHeadersPolicy.STRICT for b in dist.behaviors):
        strict = [
            label(dist, "strict"),
            [
                Attr("name", names.STRICT_HEADERS.name(project, dist.name)),
                Attr("comment", "Strict security headers (cfgen)"),
            ],
            {
                "csp": [Attr("content_security_policy", STRICT_CSP), Attr("override", True)],
                "frame": [Attr("frame_option", "DENY"), Attr("override", True)],
                "referrer": [Attr("referrer_policy", "strict-origin-when-cross-origin"), Attr("override", True)],
                "hsts": [
                    Attr("access_control_max_age_sec", HSTS_TWO_YEARS),
                    Attr("include_subdomains", True),
                    Attr("preload", True),
                    Attr("override", True),
                ],
                "xss": [Attr("mode_block", True), Attr("protection", True), Attr("override", True)],
            },
        ]
    records = []
    if dist.route53 is not None:
        target = [
            Attr("name", Ref(f"module.{module}.domain_name")),
            Attr("zone_id", Ref(f"module.{module}.hosted_zone_id")),
            Attr("evaluate_target_health", False),
        ]
        for kind in ("A", "AAAA") if dist.ipv6 else ("A",):
            records.append(
                (
                    label(dist, f"alias_{kind.lower()}"),
                    [
                        Attr("for_each", Ref(f"toset({literal(list(dist.aliases))})")),
                        Attr("zone_id", dist.route53.zone_id),
                        Attr("name", Ref("each.value")),
                        Attr("type", kind),
                    ],
                    target,
                )
            )
    signed = [
        SignedBehavior(
            path=b.path,
            key_groups=[f"aws_cloudfront_key_group.{label(dist, g)}" for g in b.trusted_key_groups],
        )
        for b in dist.behaviors
        if b.trusted_key_groups
    ]
    return EdgeView(
        files=files,
        response_headers_policy=strict,
        public_keys=public_keys,
        key_groups=key_groups,
        functions=functions,
        records=records,
        binding=DistributionBinding(
            distribution=dist.name,
            module=module,
            signed_behaviors=signed,
            ordered_paths=[b.path for b in dist.behaviors if b.path != "default"],
        ),
    )


def behavior_attrs(dist: Distribution, behavior: Behavior) -> list[Attr]:
    """What a behavior gets from the distribution-wide parts: key groups and functions."""
    attrs = []
    if behavior.trusted_key_groups:
        attrs.append(
            Attr(
                "trusted_key_groups",
                [Ref(f"aws_cloudfront_key_group.{label(dist, g)}.id") for g in behavior.trusted_key_groups],
            )
        )
    associations = [
        {"event_type": event, "function_arn": Ref(f"aws_cloudfront_function.{label(dist, name)}.arn")}
        for field_, event in EVENTS
        if (name := getattr(behavior, field_)) is not None
    ]
    if associations:
        attrs.append(Attr("function_associations", associations))
    return attrs


def origin_groups(dist: Distribution) -> Attr | None:
    """The module's ``origin_groups`` input, or None without groups."""
    if not dist.origin_groups:
        return None
    return Attr(
        "origin_groups",
        {
            g.id: {
                "primary_origin_id": g.primary,
                "secondary_origin_id": g.secondary,
                "status_codes": list(g.status_codes),
            }
            for g in dist.origin_groups
        },
    )
