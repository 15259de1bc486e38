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

    def as_dict(self) -> dict[str, Any]:
        return {
            "distribution": self.distribution,
            "module": self.module,
            "signed_behaviors": [s.as_dict() for s in self.signed_behaviors],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DistributionBinding:
        return cls(
            distribution=data["distribution"],
            module=data["module"],
            signed_behaviors=[SignedBehavior(**s) for s in data.get("signed_behaviors", [])],
        )


SIGNED = "CFG_SIGNED_BEHAVIOR"
SIGNED_TITLE = "signed behavior: the path trusts exactly its key groups, whose keys are in the plan"


def prove_signed_behaviors(plan: PlanView, binding: DistributionBinding) -> list[Finding]:
    """For each signed behavior: the planned behavior for its path trusts exactly this spec's key groups.

    The key group IDs are known only after apply, so the planned behavior shows
    how many groups it trusts, and the module call's configuration shows which:
    every key group it references (followed with :meth:`PlanView.resolve`)
    must be one the spec names, each in the plan with at least one public key.
    """
    distribution = plan.one((binding.module,), "aws_cloudfront_distribution")
    findings = []
    for signed in binding.signed_behaviors:
        address = distribution.address if distribution else f"module.{binding.module}"
        problem = (
            _signed_problem(plan, binding, signed, distribution)
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


def _signed_problem(plan: PlanView, binding: DistributionBinding, signed: SignedBehavior, dist: Resource) -> str:
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
    referenced = _referenced_key_groups(plan, binding, signed.path)
    if referenced is None:
        return f"cannot tell from the configuration which key groups {where} trusts"
    wanted = set(signed.key_groups)
    missing = sorted(wanted - referenced)
    if missing:
        return f"{where} does not reference {', '.join(missing)} from the configuration"
    others = sorted(referenced - wanted)
    if others and signed.path == "default":
        return f"{where} also references {', '.join(others)}"
    for group in signed.key_groups:
        problem = _key_group_problem(plan, group)
        if problem:
            return problem
    return ""


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


def _referenced_key_groups(plan: PlanView, binding: DistributionBinding, path: str) -> set[str] | None:
    """Key groups the module call's behaviors input references, resolved through the configuration."""
    root = plan.module_config(()) or {}
    call = root.get("module_calls", {}).get(binding.module)
    if call is None:
        return None
    name = "default_cache_behavior" if path == "default" else "ordered_cache_behaviors"
    expression = call.get("expressions", {}).get(name)
    if expression is None:
        return set()
    values: list[Value] = plan.values_of((), expression) if "references" in expression else []
    return {
        v.address
        for v in values
        if isinstance(v, Sym) and v.address.startswith("aws_cloudfront_key_group.") and v.attribute == "id"
    }


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


DISTRIBUTION_PROOFS: list[Callable[[PlanView, DistributionBinding], list[Finding]]] = [prove_signed_behaviors]
