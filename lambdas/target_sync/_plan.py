"""The decision of one run, without AWS: what to register, deregister and remember.

State lives in one tag per port on the target group itself::

    cfgen:target-sync:443 = "10.0.1.17=0 10.0.2.40=2"

Each entry is a target this function registered (and so may deregister), with
the number of consecutive runs it has been missing from the endpoint. A target
that is not in the tag was registered by someone else and is never touched.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Set
from dataclasses import dataclass, field

__all__ = [
    "TAG_PREFIX",
    "TAG_VALUE_MAX",
    "Plan",
    "StateError",
    "Target",
    "decode_state",
    "encode_state",
    "plan",
    "state_tag_key",
]

# The IAM policy of modules/ip-target-sync allows AddTags/RemoveTags only for
# keys with this prefix (aws:TagKeys): keep the two in step.
TAG_PREFIX = "cfgen:target-sync:"
# ELBv2 tag values hold at most 256 characters of letters, digits, spaces and
# + - = . _ : / @ (no commas), hence "ip=count" pairs separated by spaces.
TAG_VALUE_MAX = 256


class StateError(Exception):
    """The state tag cannot be read or written as it stands."""


@dataclass(frozen=True, order=True)
class Target:
    ip: str
    port: int

    def as_api(self) -> dict[str, str | int]:
        return {"Id": self.ip, "Port": self.port}


def state_tag_key(port: int) -> str:
    return f"{TAG_PREFIX}{port}"


def decode_state(tags: Mapping[str, str]) -> dict[Target, int]:
    """Managed targets and their missing-run counts, from all the target group's tags."""
    state: dict[Target, int] = {}
    for key, value in tags.items():
        if not key.startswith(TAG_PREFIX):
            continue
        port_text = key[len(TAG_PREFIX) :]
        try:
            port = int(port_text)
            for entry in value.split():
                ip, _, count = entry.partition("=")
                state[Target(str(ipaddress.ip_address(ip)), port)] = max(0, int(count))
        except ValueError as exc:
            # A hand-edited tag: refuse to guess which targets are ours.
            raise StateError(f"state tag {key}={value!r} is not 'IP=COUNT ...': fix or delete it ({exc})") from exc
    return state


def encode_state(state: Mapping[Target, int]) -> dict[str, str]:
    """Tag key -> value for every port that has managed targets (sorted, so equal state gives equal tags)."""
    by_port: dict[int, list[str]] = {}
    for target in sorted(state, key=lambda t: (t.port, ipaddress.ip_address(t.ip))):
        by_port.setdefault(target.port, []).append(f"{target.ip}={state[target]}")
    tags = {state_tag_key(port): " ".join(entries) for port, entries in by_port.items()}
    for key, value in tags.items():
        if len(value) > TAG_VALUE_MAX:
            raise StateError(
                f"state tag {key} would hold {len(value)} characters, more than ELBv2's {TAG_VALUE_MAX}: "
                "too many endpoint IPs for one target group"
            )
    return tags


@dataclass(frozen=True)
class Plan:
    """Writes of one run, in the order the handler performs them.

    ``claim_state`` is written before anything is registered, so a run that
    dies after registering never leaves a registered target unclaimed (which
    would make it look foreign, and never be cleaned up). ``final_state``
    drops the deregistered targets and is written after they are gone, so a
    run that dies in between retries the deregistration next time.
    """

    register: tuple[Target, ...] = ()
    deregister: tuple[Target, ...] = ()
    claim_state: dict[Target, int] = field(default_factory=dict)
    final_state: dict[Target, int] = field(default_factory=dict)
    foreign: tuple[Target, ...] = ()
    missing: dict[Target, int] = field(default_factory=dict)

    @property
    def changes_targets(self) -> bool:
        return bool(self.register or self.deregister)


def plan(
    desired: Set[Target],
    registered: Set[Target],
    state: Mapping[Target, int],
    missing_runs_before_deregister: int,
) -> Plan:
    """Decide one run.

    - ``desired``: endpoint IPs at the function's port; must not be empty
      (the caller refuses to act on an empty endpoint).
    - ``registered``: targets now in the group (not draining).
    - ``state``: managed targets and their missing-run counts.
    """
    if not desired:
        raise ValueError("plan() needs at least one desired target: an empty endpoint changes nothing")
    if missing_runs_before_deregister < 1:
        raise ValueError("missing_runs_before_deregister must be at least 1")

    managed = set(state)
    # Someone else's target stays theirs, even when it is an endpoint IP.
    foreign = tuple(sorted(registered - managed))
    register = tuple(sorted(t for t in desired if t not in registered))

    claim: dict[Target, int] = {}
    for target in desired:
        if target in managed or target not in registered:
            claim[target] = 0
    deregister: list[Target] = []
    missing: dict[Target, int] = {}
    for target in managed - desired:
        if target not in registered:
            # Gone already (deregistered by hand, or a crash after the
            # deregistration): forget it without a write to the group.
            continue
        count = state[target] + 1
        missing[target] = count
        claim[target] = count
        if count >= missing_runs_before_deregister:
            deregister.append(target)

    final = {t: c for t, c in claim.items() if t not in deregister}
    # Never empty the group: every desired target is registered by now, so
    # this only trips on a bug in the lines above.
    remaining = (registered | set(register)) - set(deregister)
    if not remaining & desired:
        raise AssertionError("refusing a plan that leaves no endpoint IP registered")
    return Plan(
        register=register,
        deregister=tuple(sorted(deregister)),
        claim_state=claim,
        final_state=final,
        foreign=foreign,
        missing=missing,
    )
