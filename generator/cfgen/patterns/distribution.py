"""Distribution-wide proofs: what holds for a distribution as a whole, not for one origin.

Each proof is a function of the plan and a :class:`DistributionBinding`
(recorded in the manifest like the origins' bindings, so ``cfgen test --dir``
knows what to prove on a tree without its spec). The registry
:data:`DISTRIBUTION_PROOFS` is explicit, in report order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..harness.plan import Const, PlanView, Resource, Sym, Value
from ..harness.results import Finding
from ..harness.tree import RootModule, reference

__all__ = ["DISTRIBUTION_PROOFS", "DistributionBinding", "SignedBehavior", "prove_signed_behaviors"]


@dataclass(frozen=True)
class SignedBehavior:
    """A behavior that serves only signed requests: its path and the key groups it trusts."""

    path: str  # a path pattern, or "default"
    key_groups: list[str]  # root-module addresses: aws_cloudfront_key_group.<label>

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "key_groups": list(self.key_groups)}


@dataclass(frozen=True)
class DistributionBinding:
    """Where a distribution lives in the root module, and what it must prove."""

    distribution: str
    module: str
    signed_behaviors: list[SignedBehavior] = field(default_factory=list)
    ordered_paths: list[str] = field(default_factory=list)  # every ordered behavior's path, in the spec's order

    def as_dict(self) -> dict[str, Any]:
        return {
            "distribution": self.distribution,
            "module": self.module,
            "signed_behaviors": [s.as_dict() for s in self.signed_behaviors],
            "ordered_paths": list(self.ordered_paths),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DistributionBinding:
        paths = data.get("ordered_paths", [])
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise TypeError("ordered_paths must be a list of path patterns")
        return cls(
            distribution=data["distribution"],
            module=data["module"],
            signed_behaviors=[SignedBehavior(**s) for s in data.get("signed_behaviors", [])],
            ordered_paths=paths,
        )


SIGNED = "CFG_SIGNED_BEHAVIOR"
SIGNED_TITLE = "signed behavior: the path trusts exactly its key groups, whose keys are in the plan"
_KEY_GROUP = "aws_cloudfront_key_group."


def prove_signed_behaviors(plan: PlanView, binding: DistributionBinding, root: RootModule) -> list[Finding]:
    """For each signed behavior: its path, and only its path, trusts exactly this spec's key groups.

    The key group IDs are known only after apply, so the planned behavior shows
    how many groups it trusts, and the root module's HCL shows which (the
    plan's configuration lists one module argument's references as one flat
    list, which cannot tell one behavior's groups from another's). Every key
    group must be in the plan with a public key, and no behavior the spec does
    not have may come before a signed one (a narrower path would serve part of
    it unsigned).
    """
    distribution = plan.one((binding.module,), "aws_cloudfront_distribution")
    findings = []
    for signed in binding.signed_behaviors:
        address = distribution.address if distribution else f"module.{binding.module}"
        problem = (
            _signed_problem(plan, binding, signed, distribution, root)
            if distribution
            else "the distribution is not in the plan"
        )
        findings.append(
            Finding(
                source="proof",
                check_id=SIGNED,
                title=f"{SIGNED_TITLE} ({signed.path})",
                passed=not problem,
                address=address,
                origin=None,
                message=problem,
            )
        )
    return findings


def _signed_problem(
    plan: PlanView, binding: DistributionBinding, signed: SignedBehavior, dist: Resource, root: RootModule
) -> str:
    where = "the default behavior" if signed.path == "default" else f"behavior {signed.path}"
    planned = _planned_behavior(dist, signed.path)
    if planned is None:
        return f"{where} is not in the planned distribution"
    values, unknown = planned
    trusted = values.get("trusted_key_groups") or []
    unknown_ids = unknown.get("trusted_key_groups")
    count = len(unknown_ids) if isinstance(unknown_ids, list) else len(trusted)
    if unknown_ids is True:
        count = len(signed.key_groups)  # the whole list unknown: its references decide below
    if count == 0:
        return f"{where} trusts no key group: anyone can fetch it without a signed URL or cookie"
    if count != len(signed.key_groups):
        return f"{where} trusts {count} key groups; the spec names {len(signed.key_groups)}"
    known = [t for t in trusted if isinstance(t, str) and t]
    expected = {_id_of(plan, group) for group in signed.key_groups}
    strangers = [t for t in known if t not in expected]
    if strangers:
        return f"{where} trusts key group {', '.join(strangers)}, which is not one the spec names"
    shadow = _shadowing(dist, binding, signed.path)
    if shadow:
        return shadow
    written, problem = _written_key_groups(root, binding, signed.path)
    if problem:
        return f"{where}: {problem}"
    if sorted(written) != sorted(signed.key_groups):
        return (
            f"{where} trusts {', '.join(sorted(written)) or 'nothing'}; the spec names {', '.join(signed.key_groups)}"
        )
    for group in signed.key_groups:
        problem = _key_group_problem(plan, group)
        if problem:
            return problem
    return ""


def _shadowing(dist: Resource, binding: DistributionBinding, path: str) -> str:
    """A planned ordered behavior the spec lacks, matched before the signed one, serves part of it unsigned."""
    if path == "default" or not binding.ordered_paths:
        return ""
    planned = [str(b.get("path_pattern")) for b in dist.values.get("ordered_cache_behavior") or []]
    before = planned[: planned.index(path)] if path in planned else planned
    extra = [p for p in before if p not in binding.ordered_paths]
    if extra:
        return f"behavior {', '.join(extra)} is not in the spec and comes before {path}: it may serve it unsigned"
    return ""


def _written_key_groups(root: RootModule, binding: DistributionBinding, path: str) -> tuple[list[str], str]:
    """The key groups the root module's HCL gives the behavior for ``path``, or why they cannot be told."""
    if binding.module not in root.module_calls:
        unreadable = f" ({', '.join(root.unreadable)} did not parse)" if root.unreadable else ""
        return [], f'cannot find module "{binding.module}" in the root module{unreadable}'
    if path == "default":
        behavior = root.argument(binding.module, "default_cache_behavior")
    else:
        behaviors = root.argument(binding.module, "ordered_cache_behaviors")
        if not isinstance(behaviors, list):
            return [], "ordered_cache_behaviors is not a literal list, so which groups each path trusts cannot be told"
        matches = [b for b in behaviors if isinstance(b, dict) and b.get("path_pattern") == path]
        if len(matches) != 1:
            return [], f"{len(matches)} ordered behaviors are written with path_pattern {path!r}"
        behavior = matches[0]
    if not isinstance(behavior, dict):
        return [], "the behavior is not a literal object, so the groups it trusts cannot be told"
    written = behavior.get("trusted_key_groups") or []
    if not isinstance(written, list):
        return [], "trusted_key_groups is not a literal list of key group references"
    groups = []
    for value in written:
        ref = reference(value)
        if ref is None or not ref.startswith(_KEY_GROUP) or not ref.endswith(".id"):
            return [], f"trusted_key_groups holds {value!r}, not a reference to a key group's id"
        groups.append(ref.removesuffix(".id"))
    return groups, ""


def _planned_behavior(dist: Resource, path: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    if path == "default":
        values = (dist.values.get("default_cache_behavior") or [None])[0]
        unknown = (dist.unknown.get("default_cache_behavior") or [{}])[0]
        return (values, unknown if isinstance(unknown, dict) else {}) if values else None
    behaviors = dist.values.get("ordered_cache_behavior") or []
    unknowns = dist.unknown.get("ordered_cache_behavior") or []
    for i, behavior in enumerate(behaviors):
        if behavior.get("path_pattern") == path:
            unknown = unknowns[i] if i < len(unknowns) and isinstance(unknowns[i], dict) else {}
            return behavior, unknown
    return None


def _id_of(plan: PlanView, address: str) -> str:
    found = [r for r in plan.resources(module=(), type="aws_cloudfront_key_group") if r.config_address == address]
    if found and found[0].known("id"):
        return str(found[0].values["id"])
    return f"<{address}.id>"


def _key_group_problem(plan: PlanView, address: str) -> str:
    found = [r for r in plan.resources(module=(), type="aws_cloudfront_key_group") if r.config_address == address]
    if not found:
        return f"{address} is not in the plan"
    group = found[0]
    config = plan.resource_config((), address) or {}
    items: list[Value] = plan.values_of((), config.get("expressions", {}).get("items"))
    keys = [v for v in items if isinstance(v, Sym) and v.address.startswith("aws_cloudfront_public_key.")]
    known = [v for v in items if isinstance(v, Const)]
    if not keys and not known and not group.values.get("items"):
        return f"{address} holds no public key"
    for key in keys:
        resource = next(
            (r for r in plan.resources(module=(), type="aws_cloudfront_public_key") if r.config_address == key.address),
            None,
        )
        if resource is None:
            return f"{address} names {key.address}, which is not in the plan"
        if not str(resource.values.get("encoded_key", "")).startswith("-----BEGIN PUBLIC KEY-----"):
            return f"{key.address} has no PEM public key at plan time"
    return ""


DISTRIBUTION_PROOFS: list[Callable[[PlanView, DistributionBinding, RootModule], list[Finding]]] = [
    prove_signed_behaviors
]
