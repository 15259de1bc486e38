"""Lambda entry point: one sync of the IP target group with the VPC endpoint's ENI IPs.

Run on an EventBridge schedule (modules/ip-target-sync), one run at a time
(reserved concurrency 1). Environment:

- ``VPC_ENDPOINT_ID``: the execute-api interface endpoint, ``vpce-...``
- ``TARGET_GROUP_ARN``: the IP target group behind the internal ALB
- ``TARGET_PORT``: port of the registered targets (default 443)
- ``MISSING_RUNS_BEFORE_DEREGISTER``: consecutive runs an IP must be missing
  from the endpoint before its target is deregistered (default 3)

Every run reads first (target group, its tags, the endpoint, its ENIs) and
writes only what differs, in an order that a failure at any point leaves safe
(see ``_plan.Plan``). A failed run raises, so the function's Errors metric
counts it; the next run starts over from what AWS says.
"""

from __future__ import annotations

import ipaddress
import json
import os
import sys
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ._plan import TAG_PREFIX, Plan, StateError, Target, decode_state, encode_state, plan

__all__ = ["Settings", "SyncError", "handler", "make_clients", "sync"]

# Standard mode retries throttling and transient errors with exponential
# backoff and jitter; five attempts fit well inside the function's timeout.
# Adaptive mode's client-side rate limiter pays off for long-lived clients
# making many calls, not for six calls a minute.
MAX_ATTEMPTS = 5
BOTO_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
    connect_timeout=5,
    read_timeout=15,
    user_agent_extra="cfgen-target-sync",
)

# Targets in these states are on their way out of the group: a desired IP in
# one of them is registered again.
_LEAVING_STATES = frozenset({"draining"})


class SyncError(Exception):
    """A run that could not complete; raised so the Lambda reports an error."""


@dataclass(frozen=True)
class Settings:
    vpc_endpoint_id: str
    target_group_arn: str
    target_port: int = 443
    missing_runs_before_deregister: int = 3

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ) if env is None else env
        missing = [name for name in ("VPC_ENDPOINT_ID", "TARGET_GROUP_ARN") if not env.get(name)]
        if missing:
            raise SyncError(f"environment variable(s) {', '.join(missing)} not set")
        port = _int_env(env, "TARGET_PORT", 443)
        runs = _int_env(env, "MISSING_RUNS_BEFORE_DEREGISTER", 3)
        if not 1 <= port <= 65535:
            raise SyncError(f"TARGET_PORT={port} is not a port (1-65535)")
        if runs < 1:
            raise SyncError(f"MISSING_RUNS_BEFORE_DEREGISTER={runs} must be at least 1")
        return cls(env["VPC_ENDPOINT_ID"], env["TARGET_GROUP_ARN"], port, runs)


def _int_env(env: dict[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise SyncError(f"{name}={text!r} is not an integer") from None


def log(level: str, action: str, **fields: Any) -> None:
    """One JSON object per line on stdout, which Lambda sends to the function's log group."""
    print(json.dumps({"level": level, "action": action, **fields}, sort_keys=False, default=str), file=sys.stdout)


def make_clients(settings: Settings, **kwargs: Any) -> tuple[Any, Any]:
    """The (ec2, elbv2) clients with the retry configuration of the function.

    They talk to the target group's region (read from its ARN): the endpoint
    is in the same VPC, and so in the same region, whatever the function's.
    """
    region = _arn_region(settings.target_group_arn)
    if region:
        kwargs.setdefault("region_name", region)
    return (
        boto3.client("ec2", config=BOTO_CONFIG, **kwargs),
        boto3.client("elbv2", config=BOTO_CONFIG, **kwargs),
    )


def _arn_region(arn: str) -> str | None:
    parts = arn.split(":")
    if len(parts) > 5 and parts[0] == "arn" and parts[3]:
        return parts[3]
    return None


_clients: tuple[Any, Any] | None = None


def handler(event: dict[str, Any] | None = None, context: Any = None) -> dict[str, Any]:
    """Lambda handler: sync once, return a summary, raise on failure."""
    global _clients
    settings = Settings.from_env()
    if _clients is None:
        # Built once per execution environment and reused by warm starts.
        _clients = make_clients(settings)
    ec2, elbv2 = _clients
    return sync(settings, ec2, elbv2)


def sync(settings: Settings, ec2: Any, elbv2: Any) -> dict[str, Any]:
    """One run. Returns what it did; raises :class:`SyncError` when it could not finish."""
    tg = settings.target_group_arn
    try:
        registered = _registered_targets(elbv2, tg)
        tags = _target_group_tags(elbv2, tg)
        ips, missing_enis = _endpoint_ips(ec2, settings.vpc_endpoint_id)
    except (ClientError, BotoCoreError, SyncError) as exc:
        log("error", "read_failed", target_group=tg, vpc_endpoint=settings.vpc_endpoint_id, error=_describe(exc))
        raise SyncError(f"reading the target group or the endpoint failed, nothing changed: {_describe(exc)}") from exc

    for eni in missing_enis:
        log("warning", "eni_not_found", vpc_endpoint=settings.vpc_endpoint_id, network_interface=eni)
    if not ips:
        # Never empty the group: an endpoint that shows no IP is being
        # replaced, deleted or misread, and the old targets are all we have.
        log("error", "no_endpoint_ips", vpc_endpoint=settings.vpc_endpoint_id, target_group=tg)
        raise SyncError(f"endpoint {settings.vpc_endpoint_id} has no ENI IPs; the target group was left as it is")

    desired = {Target(ip, settings.target_port) for ip in ips}
    try:
        state = decode_state(tags)
        decision = plan(desired, registered, state, settings.missing_runs_before_deregister)
        # Both states must fit their tags before the first write.
        encode_state(decision.claim_state)
    except StateError as exc:
        log("error", "bad_state", target_group=tg, error=str(exc))
        raise SyncError(str(exc)) from exc
    for target, count in sorted(decision.missing.items()):
        if target not in decision.deregister:
            log(
                "info",
                "missing",
                target_group=tg,
                ip=target.ip,
                port=target.port,
                missing_runs=count,
                deregister_after=settings.missing_runs_before_deregister,
            )

    try:
        _apply(elbv2, tg, tags, decision)
    except (ClientError, BotoCoreError, StateError) as exc:
        log("error", "write_failed", target_group=tg, error=_describe(exc))
        raise SyncError(f"updating target group {tg} failed part-way (safe to rerun): {_describe(exc)}") from exc

    summary = {
        "registered": [t.ip for t in decision.register],
        "deregistered": [t.ip for t in decision.deregister],
        "managed": sorted(t.ip for t in decision.final_state),
        "foreign": sorted(f"{t.ip}:{t.port}" for t in decision.foreign),
        "endpoint_ips": sorted(ips),
    }
    log(
        "info",
        "synced" if decision.changes_targets else "unchanged",
        target_group=tg,
        vpc_endpoint=settings.vpc_endpoint_id,
        **summary,
    )
    return summary


def _apply(elbv2: Any, tg: str, tags: dict[str, str], decision: Plan) -> None:
    state_tags = {k: v for k, v in tags.items() if k.startswith(TAG_PREFIX)}
    # 1. Claim new targets (and count missing ones) before registering.
    state_tags = _write_state(elbv2, tg, state_tags, decision.claim_state)
    # 2. Register before anything leaves, so a failure here deregisters nothing.
    if decision.register:
        elbv2.register_targets(TargetGroupArn=tg, Targets=[t.as_api() for t in decision.register])
        for target in decision.register:
            log("info", "register", target_group=tg, ip=target.ip, port=target.port)
    # 3. Deregister targets missing for long enough, then forget them.
    if decision.deregister:
        elbv2.deregister_targets(TargetGroupArn=tg, Targets=[t.as_api() for t in decision.deregister])
        for target in decision.deregister:
            log(
                "info",
                "deregister",
                target_group=tg,
                ip=target.ip,
                port=target.port,
                missing_runs=decision.missing.get(target),
            )
    _write_state(elbv2, tg, state_tags, decision.final_state)


def _write_state(elbv2: Any, tg: str, current: dict[str, str], state: dict[Target, int]) -> dict[str, str]:
    """Make the state tags equal ``state`` (no call when they already do); return them."""
    wanted = encode_state(state)
    changed = {k: v for k, v in wanted.items() if current.get(k) != v}
    stale = sorted(set(current) - set(wanted))
    if changed:
        elbv2.add_tags(ResourceArns=[tg], Tags=[{"Key": k, "Value": v} for k, v in sorted(changed.items())])
        for key, value in sorted(changed.items()):
            log("info", "write_state", target_group=tg, tag=key, value=value)
    if stale:
        elbv2.remove_tags(ResourceArns=[tg], TagKeys=stale)
        for key in stale:
            log("info", "remove_state", target_group=tg, tag=key)
    return wanted


def _registered_targets(elbv2: Any, tg: str) -> set[Target]:
    # Raises TargetGroupNotFound for a wrong ARN: the run stops before any write.
    response = elbv2.describe_target_health(TargetGroupArn=tg)
    targets: set[Target] = set()
    for description in response.get("TargetHealthDescriptions", []):
        state = description.get("TargetHealth", {}).get("State")
        if state in _LEAVING_STATES:
            continue
        target = description["Target"]
        targets.add(Target(_normal_ip(target["Id"]), int(target["Port"])))
    return targets


def _target_group_tags(elbv2: Any, tg: str) -> dict[str, str]:
    response = elbv2.describe_tags(ResourceArns=[tg])
    for description in response.get("TagDescriptions", []):
        if description.get("ResourceArn") == tg:
            return {tag["Key"]: tag.get("Value", "") for tag in description.get("Tags", [])}
    return {}


def _endpoint_ips(ec2: Any, endpoint_id: str) -> tuple[set[str], list[str]]:
    """Private IPv4 addresses of the endpoint's ENIs, and the ENI ids it lists that do not exist."""
    endpoints = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id]).get("VpcEndpoints", [])
    if not endpoints:
        raise SyncError(f"VPC endpoint {endpoint_id} not found")
    eni_ids = sorted(set(endpoints[0].get("NetworkInterfaceIds", [])))
    if not eni_ids:
        return set(), []
    # A filter, not NetworkInterfaceIds=: the latter fails the whole call with
    # InvalidNetworkInterfaceID.NotFound when one ENI is gone (being replaced),
    # and the IPs of the others are exactly what the group still needs.
    ips: set[str] = set()
    found: set[str] = set()
    paginator = ec2.get_paginator("describe_network_interfaces")
    for page in paginator.paginate(Filters=[{"Name": "network-interface-id", "Values": eni_ids}]):
        for eni in page.get("NetworkInterfaces", []):
            found.add(eni["NetworkInterfaceId"])
            addresses = [a.get("PrivateIpAddress") for a in eni.get("PrivateIpAddresses", [])]
            addresses.append(eni.get("PrivateIpAddress"))
            ips.update(_normal_ip(a) for a in addresses if a)
    return ips, [eni for eni in eni_ids if eni not in found]


def _normal_ip(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        operation = getattr(exc, "operation_name", "?")
        return f"{operation}: {error.get('Code', '?')}: {error.get('Message', '')}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"
