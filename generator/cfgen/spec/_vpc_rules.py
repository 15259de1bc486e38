"""AWS rules for VPC origins that the provider only rejects at apply (or that fail later still).

Each yields ``(path, message)`` like ``_rules``; paths are relative to the spec root.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from .managed_policies import OriginRequestPolicy
from .models import Spec
from .vpc_origins import (
    AdoptedListener,
    AlbOrigin,
    ApiGatewayPrivateOrigin,
    Ec2Origin,
    Network,
    NlbOrigin,
    domain_covered,
)

Problem = tuple[tuple[str | int, ...], str]


def check(spec: Spec, i: int) -> Iterator[Problem]:
    """Problems of the VPC origins of distribution ``i``."""
    for j, origin in enumerate(spec.distributions[i].origins):
        base: tuple[str | int, ...] = ("distributions", i, "origins", j)
        if isinstance(origin, AlbOrigin | NlbOrigin | Ec2Origin | ApiGatewayPrivateOrigin):
            yield from _subnets(base, origin.network)
            yield from _region(base, spec.region, origin)
        if isinstance(origin, AlbOrigin | NlbOrigin):
            yield from _load_balancer(base, origin)
        if isinstance(origin, AlbOrigin | NlbOrigin | Ec2Origin) and origin.certificate is not None:
            yield from covered(base, origin.origin_domain, origin.certificate.domains, "certificate")
        if isinstance(origin, ApiGatewayPrivateOrigin):
            yield from _private_api(base, origin)
    private_apis = {o.id for o in spec.distributions[i].origins if isinstance(o, ApiGatewayPrivateOrigin)}
    for j, behavior in enumerate(spec.distributions[i].behaviors):
        if behavior.origin in private_apis and behavior.origin_request is OriginRequestPolicy.ALL_VIEWER:
            yield (
                ("distributions", i, "behaviors", j, "origin_request"),
                "all_viewer forwards the viewer's Host, which the ALB certificate and the execute-api endpoint "
                "do not answer for: use all_viewer_except_host",
            )


def _subnets(base: tuple[str | int, ...], network: Network) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for k, subnet in enumerate(network.subnets):
        if subnet.id in seen:
            yield (*base, "network", "subnets", k, "id"), f"subnet {subnet.id} is listed twice; list each subnet once"
        seen.setdefault(subnet.id, k)
    nets = [(k, ipaddress.IPv4Network(s.cidr)) for k, s in enumerate(network.subnets)]
    for k, net in nets:
        for m, other in nets[:k]:
            if net.overlaps(other):
                yield (
                    (*base, "network", "subnets", k, "cidr"),
                    f"{net} overlaps subnet {m} ({other}); subnets of one VPC never overlap: check the CIDRs",
                )


def _region(base: tuple[str | int, ...], region: str, origin: object) -> Iterator[Problem]:
    arns: list[tuple[tuple[str | int, ...], str | None]] = []
    if isinstance(origin, AlbOrigin | NlbOrigin):
        arns.append((("load_balancer", "arn"), origin.load_balancer.arn))
    if isinstance(origin, AlbOrigin | NlbOrigin | Ec2Origin) and origin.certificate is not None:
        arns.append((("certificate", "arn"), origin.certificate.arn))
    if isinstance(origin, Ec2Origin):
        arns.append((("instance", "arn"), origin.instance.arn))
    if isinstance(origin, ApiGatewayPrivateOrigin):
        arns.append((("alb_certificate", "arn"), origin.alb_certificate.arn))
        arns.append((("api", "access_log_group_arn"), origin.api.access_log_group_arn))
    for path, arn in arns:
        if arn is not None and arn.split(":")[3] != region:
            yield (
                (*base, *path),
                f"{arn.split(':')[3]} is not the spec's region {region}: the origin, its load balancer and "
                "its certificate must be in the origins' region",
            )


def _load_balancer(base: tuple[str | int, ...], origin: AlbOrigin | NlbOrigin) -> Iterator[Problem]:
    lb = origin.load_balancer
    if lb.arn is not None:
        kind = "app" if isinstance(origin, AlbOrigin) else "net"
        if f":loadbalancer/{kind}/" not in lb.arn:
            yield (
                (*base, "load_balancer", "arn"),
                f"type {origin.type} needs a loadbalancer/{kind}/ ARN; this is another kind of load balancer",
            )
        yield from _adopted_listener(base, origin)
        for field in ("ssl_policy", "access_logs"):
            if field in lb.model_fields_set:
                yield (
                    (*base, "load_balancer", field),
                    f"{field} configures a load balancer cfgen creates; set it on the existing one yourself",
                )
        return
    if lb.listener is not None:
        yield (
            (*base, "load_balancer", "listener"),
            "listener names a listener of an existing load balancer (`arn`); cfgen creates this one's: remove it",
        )
    listener = "HTTPS" if isinstance(origin, AlbOrigin) else "TLS"
    if origin.certificate is None:
        yield (
            (*base, "type"),
            f"the {origin.type} cfgen creates has an HTTPS-only VPC origin and a {listener} listener, which needs "
            "a certificate: add `certificate: {arn: arn:aws:acm:REGION:...:certificate/..., domains: [...]}`",
        )
    if isinstance(origin, AlbOrigin) and len(origin.network.subnets) < 2:
        yield (
            (*base, "network", "subnets"),
            "an Application Load Balancer needs subnets in at least two Availability Zones: list two or more subnets",
        )
    protocol = origin.load_balancer.target_protocol
    allowed = ("HTTPS", "HTTP") if isinstance(origin, AlbOrigin) else ("TLS", "TCP")
    if protocol is not None and protocol not in allowed:
        yield (
            (*base, "load_balancer", "target_protocol"),
            f"{protocol} is not a target protocol of an {origin.type}; use {' or '.join(allowed)}",
        )


def _adopted_listener(base: tuple[str | int, ...], origin: AlbOrigin | NlbOrigin) -> Iterator[Problem]:
    lb, where = origin.load_balancer, (*base, "load_balancer")
    if isinstance(origin, NlbOrigin):
        if lb.listener is not None:
            yield (*where, "listener"), "an NLB cannot check a header, so cfgen adds no rule to it: remove listener"
        return
    if lb.listener is None:
        yield (
            where,
            "an existing ALB needs `listener: {arn: <its HTTPS listener>, target_group_arn: ...}`: cfgen adds the "
            "rule that forwards only requests with the X-Origin-Verify secret CloudFront sends, or any VPC origin "
            "of the account would reach it",
        )
        return
    assert lb.arn is not None
    yield from listener_of(where, lb.arn, lb.listener)


def listener_of(where: tuple[str | int, ...], lb_arn: str, listener: AdoptedListener) -> Iterator[Problem]:
    """Why ``listener`` (under ``where``) is not a listener and target group of the load balancer ``lb_arn``."""
    owner = listener.arn.replace(":listener/", ":loadbalancer/", 1).rsplit("/", 1)[0]
    if owner != lb_arn:
        yield (*where, "listener", "arn"), f"this listener belongs to {owner}, not to load_balancer.arn {lb_arn}"
    for field, arn in (("arn", listener.arn), ("target_group_arn", listener.target_group_arn)):
        if arn.split(":")[3:5] != lb_arn.split(":")[3:5]:
            yield (
                (*where, "listener", field),
                "not in the load balancer's region and account: name the ALB's own listener and target group",
            )


def covered(base: tuple[str | int, ...], domain: str, names: list[str], where: str) -> Iterator[Problem]:
    if not domain_covered(domain, names):
        yield (
            (*base, "origin_domain"),
            f"{domain} is not covered by the {where} ({', '.join(names)}): CloudFront would fail the TLS "
            f"handshake with 502; use a name on the certificate or add one to {where}.domains (and to the certificate)",
        )


def _private_api(base: tuple[str | int, ...], origin: ApiGatewayPrivateOrigin) -> Iterator[Problem]:
    yield from covered(base, origin.origin_domain, origin.alb_certificate.domains, "alb_certificate")
    if len(origin.network.subnets) < 2:
        yield (
            (*base, "network", "subnets"),
            "the internal ALB of the chain needs subnets in at least two Availability Zones: list two or more subnets",
        )
    if origin.target_sync != "static_ips":
        return
    cidrs = {s.id: ipaddress.IPv4Network(s.cidr) for s in origin.network.subnets}
    given: set[str] = set()
    for k, fixed in enumerate(origin.static_ips):
        path = (*base, "static_ips", k)
        if fixed.subnet in given:
            yield (*path, "subnet"), f"a second IP for {fixed.subnet}; an endpoint has one IP per subnet"
        given.add(fixed.subnet)
        net = cidrs.get(fixed.subnet)
        if net is None:
            yield (*path, "subnet"), f"{fixed.subnet} is not in network.subnets; use one of: {', '.join(cidrs)}"
            continue
        ip = ipaddress.IPv4Address(fixed.ip)
        if ip not in net:
            yield (*path, "ip"), f"{ip} is outside {fixed.subnet} ({net}); pick an address inside the subnet"
        elif int(ip) - int(net.network_address) < 4 or ip == net.broadcast_address:
            yield (
                (*path, "ip"),
                f"{ip} is reserved by AWS in {net} (the first four addresses and the last); pick another",
            )
    missing = [s for s in cidrs if s not in given]
    if missing:
        yield (
            (*base, "static_ips"),
            f"target_sync static_ips needs one `{{subnet, ip}}` per subnet; missing: {', '.join(missing)}",
        )


def shared_apis(spec: Spec) -> Iterator[Problem]:
    """A REST API named by two origins: each origin writes the API's resource policy, and the two would fight."""
    owners: dict[str, str] = {}
    for i, dist in enumerate(spec.distributions):
        for j, origin in enumerate(dist.origins):
            if not isinstance(origin, ApiGatewayPrivateOrigin) or origin.api.rest_api_id is None:
                continue
            api = origin.api.rest_api_id
            if api in owners:
                yield (
                    ("distributions", i, "origins", j, "api", "rest_api_id"),
                    f"API {api} is already the origin '{owners[api]}'; an API has one resource policy and each origin "
                    "writes its own, so two would overwrite each other: give each origin its own API",
                )
            owners.setdefault(api, f"{dist.name}/{origin.id}")
