"""The threat model of a pattern, as data: every way a request could reach an origin.

Each pattern declares, once, the paths by which a request could reach its
origin and, for each, either the proofs that close it (check IDs that ``cfgen
test`` runs for that origin) or why it stays open. ``cfgen test`` files each
proof under the paths it closes, ``cfgen explain`` prints the paths of every
origin of a spec, and README's patterns table is generated from the same
declarations, so the three cannot drift apart.

A declaration is static (a :class:`ThreatModel` per pattern). What depends on
one spec (a key the spec adds, an adopted resource, the secrets' sources, the
fixed cost, what the user must still do) comes from the pattern's
``details`` function as an :class:`OriginDetails`; it may switch conditional
paths on and add to their notes, never invent a path or a proof.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

__all__ = [
    "NAMES",
    "WHEN",
    "AccessPath",
    "Adoption",
    "Cost",
    "OriginDetails",
    "SecretUse",
    "Status",
    "ThreatModel",
    "admins",
    "kept_on_destroy",
    "path",
    "paths_for",
]

Status = Literal["allowed", "closed", "residual"]


@dataclass(frozen=True)
class AccessPath:
    """One way a request could reach an origin, and what the render does about it.

    ``key`` is stable (reports, ``explain --format json`` and ``verify`` name
    paths by it); ``name`` is the words a reader sees. A ``closed`` path names
    the proofs that close it; a ``residual`` one says in ``note`` why it stays
    open and what would close it (and may name proofs that narrow it); the
    ``allowed`` path may name proofs that it works as intended. ``when`` names a condition of the origin
    (``"kms"``, ``"adopted"``) without which the path does not exist.
    """

    key: str
    name: str
    status: Status
    proofs: tuple[str, ...] = ()
    note: str = ""
    when: str = ""

    def __post_init__(self) -> None:
        if self.when and self.when not in WHEN:
            raise ValueError(f"path {self.key!r}: unknown condition {self.when!r}; add it to WHEN")
        if self.status == "closed" and not self.proofs:
            raise ValueError(f"path {self.key!r} is closed but names no proof")
        if self.status == "residual" and not self.note:
            raise ValueError(f"path {self.key!r} is residual but says nothing of why")


@dataclass(frozen=True)
class ThreatModel:
    """A pattern's declaration: the request path it allows, and every other path."""

    hops: tuple[str, ...]  # the allowed request path, from the viewer to the origin
    paths: tuple[AccessPath, ...]

    def __post_init__(self) -> None:
        allowed = [p for p in self.paths if p.status == "allowed"]
        if len(allowed) != 1 or allowed[0].when:
            raise ValueError("a threat model has exactly one allowed path, unconditional")
        # A key may have variants for exclusive conditions (a key cfgen creates, or one it does not own).
        variants = [(p.key, p.when) for p in self.paths]
        if len(variants) != len(set(variants)):
            raise ValueError(f"duplicate paths in {variants}")

    @property
    def proofs(self) -> frozenset[str]:
        """Every check ID this declaration names."""
        return frozenset(proof for path in self.paths for proof in path.proofs)

    def paths_closed_by(self, check_id: str) -> tuple[str, ...]:
        """Keys of the paths that ``check_id`` closes (in declaration order; variants once)."""
        return tuple(dict.fromkeys(p.key for p in self.paths if check_id in p.proofs))


@dataclass(frozen=True)
class SecretUse:
    """A secret the protection depends on, and every place its value lives."""

    name: str  # what it is, e.g. "Referer secret"
    source: str  # where cfgen reads it: variable, Secrets Manager, SSM
    lives_in: tuple[str, ...]  # never the spec; state, plan files, CloudFront's configuration, ...


@dataclass(frozen=True)
class Cost:
    """A fixed monthly cost of the protection (list price, before requests)."""

    item: str
    usd: float


@dataclass(frozen=True)
class Adoption:
    """What a render changes on a resource the spec adopts, and what ``terraform destroy`` then does to it.

    Destroying a render never leaves an adopted resource less protected than
    it was: what cfgen writes on it is either removed with nothing of the
    owner's (a rule or group attachment cfgen added) or kept on destroy
    (``kept``: state addresses Terraform refuses to destroy, released with
    ``terraform state rm``).
    """

    resource: str  # e.g. "bucket shop-media"
    changes: tuple[str, ...]  # one sentence per setting cfgen writes on it
    on_destroy: str
    kept: tuple[str, ...] = ()


def kept_on_destroy(what: str, kept: Sequence[str]) -> str:
    """What destroy does to settings a module keeps on an adopted resource (``prevent_destroy``)."""
    addresses = " ".join(f"'{a}'" for a in kept)
    return (
        f"Kept: `terraform destroy` stops before it removes anything while they are in the state. To take the "
        f"render down, first `terraform state rm {addresses}`; destroy then removes the rest and the {what} keeps "
        "them as they are."
    )


@dataclass(frozen=True)
class OriginDetails:
    """What one spec adds to its pattern's declaration for one origin."""

    hops: tuple[str, ...] = ()  # the request path with the spec's names; the pattern's when empty
    conditions: frozenset[str] = frozenset()  # which `when` conditions hold
    notes: dict[str, str] = field(default_factory=dict)  # path key -> a spec-specific sentence
    secrets: tuple[SecretUse, ...] = ()
    costs: tuple[Cost, ...] = ()
    todo: tuple[str, ...] = ()
    adopted: tuple[Adoption, ...] = ()  # what the render changes on resources the spec adopts


def paths_for(model: ThreatModel, details: OriginDetails) -> list[AccessPath]:
    """The paths of one origin: the declaration's, conditional ones only when they hold."""
    unknown = set(details.notes) - {p.key for p in model.paths}
    if unknown:
        raise ValueError(f"notes for paths the declaration does not have: {sorted(unknown)}")
    out: list[AccessPath] = []
    for path in model.paths:
        if path.when and path.when not in details.conditions:
            continue
        if any(p.key == path.key for p in out):
            raise ValueError(f"two variants of path {path.key!r} hold at once: {sorted(details.conditions)}")
        extra = details.notes.get(path.key)
        # Resolved for this origin: the condition held, so the path is simply one of its paths.
        out.append(replace(path, note=f"{path.note} {extra}".strip() if extra else path.note, when=""))
    return out


# Every path a pattern may declare, by key: the same words for the same way in
# every pattern, so that reports, explain, verify and README agree on them.
NAMES = {
    "distribution": "through its own distribution",
    "other_distribution": "through another CloudFront distribution (any account)",
    "internet": "directly from the internet",
    "account_principals": "principals of this account (IAM, presigned URLs)",
    "kms_decrypt": "principals allowed to decrypt with the bucket's KMS key",
    "vpc_hosts": "hosts inside the VPC",
    "vpc_targets": "hosts inside the VPC, straight to the load balancer's targets",
    "other_vpc_origin": "another VPC origin of this account",
    "other_api": "another private API of this account, through this chain",
    "other_api_keys": "callers holding another API key valid on this stage",
    "other_stages": "another stage of the same API",
    "account_distribution": "another CloudFront distribution of this account",
    "secret_holders": "whoever holds the shared secret",
    "role_holders": "principals of this account who can run code as the signing role",
    "admins": "people who can change this configuration",
}


# The conditions a path may depend on, in the words README and explain show.
WHEN = {
    "kms_created": "with a KMS key cfgen creates",
    "kms_external": "with a KMS key cfgen does not own",
    "adopted": "when the origin is adopted",
    "created_load_balancer": "when cfgen creates the load balancer",
    "instance_only_group": "when the instance keeps no security group but cfgen's",
    "instance_other_groups": "when the instance keeps other security groups",
    "demo_api": "with the demo API cfgen creates",
    "demo_function": "with the demo function cfgen creates",
    "existing_function": "with a function cfgen does not own",
}


def path(key: str, status: Status, proofs: Sequence[str] = (), note: str = "", when: str = "") -> AccessPath:
    """The path ``key`` of :data:`NAMES`, with what this pattern does about it."""
    return AccessPath(key, NAMES[key], status, tuple(proofs), note, when)


def admins(controls: Sequence[str], also: str = "") -> AccessPath:
    """The path every origin shares: people who may change what closes the others (``also``: what else they may do)."""
    return path(
        "admins",
        "residual",
        note=(
            f"Anyone allowed to change {', '.join(controls)} or to apply this Terraform can reopen any path. "
            f"{also + ' ' if also else ''}Narrow it with least-privilege IAM and SCPs; `cfgen test` on every change "
            "and `cfgen verify` after apply catch a reopened path."
        ),
    )
