"""What every pattern (origin type x protection mode) provides."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._hcl import Attr
from ._probes import Probe, check_probes
from ._threats import OriginDetails, ThreatModel

if TYPE_CHECKING:
    from ..harness.plan import PlanView
    from ..harness.results import Finding
    from ..spec import Distribution, Spec
    from ..spec.models import Origin
    from ._secret import SecretCall

__all__ = ["OriginBinding", "OriginView", "Pattern", "RootVariable", "module_name"]


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
