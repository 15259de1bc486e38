"""AWS rules for the origins that face the internet that the provider only rejects at apply (or never).

Each yields ``(path, message)`` like ``_rules``; paths are relative to the spec root.
"""

from __future__ import annotations

from collections.abc import Iterator

from ._vpc_rules import covered, listener_of
from .managed_policies import FORWARDS_HOST, OriginRequestPolicy
from .models import Spec
from .public_origins import (
    CLOUDFRONT_PREFIX_LIST,
    AlbListenerHeaderOrigin,
    AlbWafHeaderOrigin,
    LambdaUrlOrigin,
    prefix_list_of,
)

Problem = tuple[tuple[str | int, ...], str]

# Settings of an ALB cfgen creates, refused on an adopted one.
_CREATED_ONLY = ("ssl_policy", "access_logs", "target_port", "target_protocol")


def check(spec: Spec, i: int) -> Iterator[Problem]:
    """Problems of the internet-facing origins of distribution ``i``."""
    dist = spec.distributions[i]
    for j, origin in enumerate(dist.origins):
        base: tuple[str | int, ...] = ("distributions", i, "origins", j)
        if isinstance(origin, AlbListenerHeaderOrigin | AlbWafHeaderOrigin):
            yield from _alb(base, spec.region, origin)
        if isinstance(origin, AlbWafHeaderOrigin):
            yield from _waf(base, origin)
    # CloudFront checks the origin's certificate against the Host it sends: the viewer's, with these policies.
    albs = {o.id for o in dist.origins if isinstance(o, AlbListenerHeaderOrigin | AlbWafHeaderOrigin)}
    for j, behavior in enumerate(dist.behaviors):
        if behavior.origin in albs and behavior.origin_request is OriginRequestPolicy.ALL_VIEWER:
            yield (
                ("distributions", i, "behaviors", j, "origin_request"),
                "all_viewer forwards the viewer's Host, and CloudFront then checks the ALB's certificate against it: "
                "use all_viewer_except_host",
            )
    urls = {o.id for o in dist.origins if isinstance(o, LambdaUrlOrigin)}
    for j, behavior in enumerate(dist.behaviors):
        if behavior.origin not in urls:
            continue
        where = ("distributions", i, "behaviors", j, "origin_request")
        if behavior.origin_request in FORWARDS_HOST:
            yield (
                where,
                f"{behavior.origin_request} forwards the viewer's Host, and a function URL answers only to its own "
                "(CloudFront signs for it): use all_viewer_except_host",
            )
        elif behavior.methods == "all" and behavior.origin_request is not OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST:
            yield (
                where,
                "with `methods: all`, POST and PUT reach a function URL behind OAC only with x-amz-content-sha256 "
                "(the SHA-256 of the body, which clients send): forward it with `origin_request: "
                "all_viewer_except_host`",
            )


def shared_urls(spec: Spec) -> Iterator[Problem]:
    """Two origins that would each create the URL of one function (or alias): a function has one URL."""
    owners: dict[tuple[str | None, str | None], str] = {}
    for i, dist in enumerate(spec.distributions):
        for j, origin in enumerate(dist.origins):
            if (
                not isinstance(origin, LambdaUrlOrigin)
                or origin.function.create_demo
                or origin.function.url != "create"
            ):
                continue
            key = (origin.function.name, origin.function.qualifier)
            if key in owners:
                yield (
                    ("distributions", i, "origins", j, "function", "url"),
                    f"the URL of {origin.function.name} is already created by origin '{owners[key]}', and a function "
                    "(or alias) has one URL: set `url: existing` here",
                )
            owners.setdefault(key, f"{dist.name}/{origin.id}")


def _alb(
    base: tuple[str | int, ...], region: str, origin: AlbListenerHeaderOrigin | AlbWafHeaderOrigin
) -> Iterator[Problem]:
    lb = origin.load_balancer
    where = (*base, "load_balancer")
    if lb.arn is None:
        for field in ("security_group_id", "listener"):
            if getattr(lb, field) is not None:
                yield (*where, field), f"{field} is for an existing ALB (`arn`); cfgen creates this one's: remove it"
        if origin.network is None:
            yield (
                (*base, "type"),
                "the ALB cfgen creates needs `network: {vpc_id: vpc-..., subnets: [subnet-..., subnet-...]}` "
                "(public subnets in two or more Availability Zones), or give an existing ALB's `load_balancer.arn`",
            )
        elif len(set(origin.network.subnets)) < 2:
            yield (
                (*base, "network", "subnets"),
                "an Application Load Balancer needs subnets in at least two Availability Zones: list two or more "
                "distinct subnets",
            )
        if origin.certificate is None:
            yield (
                (*base, "type"),
                "the ALB cfgen creates listens on HTTPS only, which needs a certificate for origin_domain: add "
                "`certificate: {arn: arn:aws:acm:REGION:...:certificate/..., domains: [...]}`",
            )
    else:
        if origin.network is not None:
            yield (*base, "network"), "network is for an ALB cfgen creates; an existing ALB has its own: remove it"
        for field in _CREATED_ONLY:
            if field in lb.model_fields_set:
                yield (*where, field), f"{field} configures an ALB cfgen creates; set it on the existing one yourself"
        if lb.security_group_id is None:
            yield (
                where,
                "an existing ALB needs `security_group_id: sg-...`: its security group, where cfgen adds the rule "
                "from CloudFront's prefix list",
            )
        if lb.listener is not None:
            yield from listener_of(where, lb.arn, lb.listener)
        elif isinstance(origin, AlbListenerHeaderOrigin):
            yield (
                where,
                "an existing ALB needs `listener: {arn: <its HTTPS listener>, target_group_arn: ...}`: cfgen adds the "
                "rule that forwards only requests with the X-Origin-Verify secret CloudFront sends",
            )
    if origin.certificate is not None:
        yield from covered(base, origin.origin_domain, origin.certificate.domains, "certificate")
    for path, arn in ((("load_balancer", "arn"), lb.arn), (("certificate", "arn"), _arn(origin))):
        if arn is not None and arn.split(":")[3] != region:
            yield (
                (*base, *path),
                f"{arn.split(':')[3]} is not the spec's region {region}: the ALB and its certificate must be in the "
                "origins' region",
            )
    if prefix_list_of(origin, region) is None:
        yield (
            (*base, "type"),
            f"cfgen knows no id of {CLOUDFRONT_PREFIX_LIST} in {region}: add `cloudfront_prefix_list_id: pl-...` "
            f"(aws ec2 describe-managed-prefix-lists --region {region} "
            f"--filters Name=prefix-list-name,Values={CLOUDFRONT_PREFIX_LIST})",
        )


def _waf(base: tuple[str | int, ...], origin: AlbWafHeaderOrigin) -> Iterator[Problem]:
    """What only waf_header asks of an ALB: no listener of an existing one, and its web ACL replaced knowingly."""
    lb = origin.load_balancer
    if lb.arn is None:
        if origin.replace_web_acl:
            yield (
                (*base, "replace_web_acl"),
                "replace_web_acl is for an existing ALB (`load_balancer.arn`); the ALB cfgen creates has no other web "
                "ACL: remove it",
            )
        return
    if lb.listener is not None:
        yield (
            (*base, "load_balancer", "listener"),
            "waf_header changes no listener of an existing ALB: the web ACL covers all of them; remove `listener`",
        )
    if not origin.replace_web_acl:
        yield (
            (*base, "load_balancer", "arn"),
            "an ALB takes one web ACL, so cfgen's replaces any web ACL this ALB has now, with its rules: move them to "
            "the distribution's web_acl_arn, then set `replace_web_acl: true` to say so",
        )


def _arn(origin: AlbListenerHeaderOrigin | AlbWafHeaderOrigin) -> str | None:
    return origin.certificate.arn if origin.certificate is not None else None
