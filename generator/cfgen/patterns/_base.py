"""What every pattern (origin type x protection mode) provides."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._hcl import Attr, Ref
from ._probes import Probe, check_probes
from ._threats import OriginDetails, ThreatModel

if TYPE_CHECKING:
    from ..harness.plan import PlanView
    from ..harness.results import Finding
    from ..spec import Distribution, Spec
    from ..spec.models import Origin
    from ._secret import SecretCall

__all__ = [
    "PROVIDER_REGIONS",
    "KeptPolicy",
    "ModuleCall",
    "OriginBinding",
    "OriginView",
    "Pattern",
    "RootVariable",
    "adopted_moves",
    "module_name",
]


@dataclass(frozen=True)
class OriginBinding:
    """Where one origin of the spec lives in the rendered root module.

    Recorded in the manifest, so that ``cfgen test --dir`` on a tree (maybe
    hand-edited since) knows what each module call must prove.
    """

    distribution: str
    origin: str
    pattern: str
    module: str
    distribution_module: str

    @property
    def label(self) -> str:
        return f"{self.distribution}/{self.origin}"

    def as_dict(self) -> dict[str, str]:
        return {
            "distribution": self.distribution,
            "origin": self.origin,
            "pattern": self.pattern,
            "module": self.module,
            "distribution_module": self.distribution_module,
        }


@dataclass(frozen=True)
class RootVariable:
    """A variable a pattern adds to the root module (a secret, most often).

    Sensitive variables without a default are how secrets reach the plan:
    never through the spec or a generated file.
    """

    name: str
    description: str
    type: str = "string"
    sensitive: bool = False
    default: Any = None
    has_default: bool = False


# The aws provider aliases a module call may ask for, and the region the root gives each.
PROVIDER_REGIONS = {"us_east_1": "us-east-1"}


@dataclass(frozen=True)
class ModuleCall:
    """One more module call of an origin, for patterns built from several modules (one per concern)."""

    name: str  # the call's name in the root module; starts with the origin's module name
    source: str  # the module's folder under modules/
    comment: str  # one line above the call: what it is for
    inputs: Sequence[Attr]
    checkov_skips: Sequence[tuple[str, str]] = ()
    provider: str = ""  # an aws provider alias of the root (a key of PROVIDER_REGIONS) the call gets as its aws
    # The call that writes the adopted resource's policy: it gets the origin's kept statements (kept_policy_json).
    keeps_policy: bool = False

    def __post_init__(self) -> None:
        if self.provider and self.provider not in PROVIDER_REGIONS:
            raise ValueError(f"module call {self.name}: no provider alias {self.provider!r} in PROVIDER_REGIONS")


@dataclass(frozen=True)
class KeptPolicy:
    """The statements of an adopted resource's policy before cfgen, which its module keeps in the one it writes."""

    file: str  # as the spec names it (current_policy), relative to the spec's folder
    document: str  # the JSON document the module merges (kept_policy_json)


@dataclass(frozen=True)
class OriginView:
    """What an origin's template needs: its module call and what it gives the distribution."""

    module: str
    inputs: Sequence[Attr]
    distribution_origin: Any  # the value of this origin's entry in the distribution's `origins`
    checkov_skips: Sequence[tuple[str, str]] = ()
    outputs: Sequence[tuple[str, str, str]] = ()  # (name, expression, description)
    variables: Sequence[RootVariable] = ()
    secrets: Sequence[SecretCall] = ()  # origin-secret module calls, rendered before the origin's module
    files: Mapping[str, str | bytes] = field(default_factory=dict)  # built artifacts, by path
    modules: Sequence[str] = ()  # modules this origin needs beyond its pattern's, vendored by render
    # Tag key prefixes the provider must ignore: tags a function cfgen ships writes at run time.
    ignore_tag_prefixes: Sequence[str] = ()
    # The origin's direct endpoints as HCL URLs, by their key in _probes.ENDPOINTS: output for `cfgen verify`.
    endpoints: Mapping[str, Any] = field(default_factory=dict)
    # Module calls of a pattern made of several modules, in order (rendered by templates/api_gateway).
    calls: Sequence[ModuleCall] = ()
    # A Lambda@Edge version every behavior that targets this origin runs on origin requests (with the body).
    origin_request_lambda: Ref | None = None
    # Set by render from the spec's current_policy file (a pattern's view does not read files).
    kept_policy: KeptPolicy | None = None
    # `moved` blocks (from, to): state of an older render, moved to where this one keeps it.
    moved: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class Pattern:
    """One origin type with one protection mode: its wiring and its proofs."""

    origin_type: str
    protection: str
    summary: str
    template: str
    modules: tuple[str, ...]
    view: Callable[[Spec, Distribution, Origin], OriginView]
    prove: Callable[[PlanView, OriginBinding], list[Finding]]
    # Every path to the origin and what closes it (see _threats), and what one spec adds to that.
    threats: ThreatModel
    details: Callable[[Spec, Distribution, Origin], OriginDetails]
    # What `cfgen verify` requests after apply, each naming the path of `threats` it tests (see _probes).
    probes: tuple[Probe, ...]

    def __post_init__(self) -> None:
        check_probes(self.threats, self.probes)

    @property
    def key(self) -> str:
        return f"{self.origin_type}/{self.protection}"


def module_name(distribution: str, origin: str | None = None) -> str:
    """The root module's name for a distribution, or for one of its origins.

    Spec names hold no underscore, so ``_`` keeps the two parts apart.
    """
    return distribution if origin is None else f"{distribution}_{origin}"


def adopted_moves(module: str, addresses: Sequence[str]) -> list[tuple[str, str]]:
    """``moved`` blocks from where renders before the ``adopted`` resources kept an adopted resource's settings.

    Those renders wrote them as ``TYPE.this`` (or ``TYPE.this[0]``) for a
    created and an adopted resource alike; the module now keeps an adopted
    one's in ``TYPE.adopted[0]``, which destroy leaves alone. Without the move,
    Terraform would destroy the old address (taking the setting off the
    resource) and create the new one. On a fresh state the blocks move nothing.
    """
    return [(f"module.{module}.{a}", f"module.{module}.{a.split('.')[0]}.adopted[0]") for a in addresses]
