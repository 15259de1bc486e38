"""Every path to every origin of a spec, from the patterns' threat models. Pure: writes nothing.

``cfgen explain`` prints, for each origin, the request path it allows, every
other path with the proofs that close it or why it stays open, the secrets
involved and where their values live, the fixed monthly cost of the
protection and what the user must still do. The same explanations are kept in
the manifest of a render, so ``cfgen explain --dir`` (and ``cfgen verify``)
read a tree without its spec. ``patterns_markdown`` is README's patterns table,
made from the same declarations.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import UsageError
from .patterns import PATTERNS, pattern_for
from .patterns._threats import NAMES, WHEN, AccessPath, Adoption, Cost, SecretUse, paths_for
from .spec import LoadedSpec

__all__ = [
    "FORMATS",
    "OriginExplanation",
    "explain",
    "from_manifest",
    "patterns_markdown",
    "render_explanation",
]

FORMATS = ("text", "mermaid", "json")


@dataclass(frozen=True)
class OriginExplanation:
    """The paths to one origin and what holds each of them."""

    distribution: str
    origin: str
    pattern: str
    request_path: tuple[str, ...]
    paths: tuple[AccessPath, ...]
    secrets: tuple[SecretUse, ...] = ()
    costs: tuple[Cost, ...] = ()
    todo: tuple[str, ...] = ()
    adopted: tuple[Adoption, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.distribution}/{self.origin}"

    @property
    def monthly_fixed_usd(self) -> float:
        return round(sum((c.usd for c in self.costs), 0.0), 2)

    def as_dict(self) -> dict[str, Any]:
        """The documented JSON shape of one origin (see README, `cfgen explain --format json`)."""
        return {
            "distribution": self.distribution,
            "origin": self.origin,
            "pattern": self.pattern,
            "request_path": list(self.request_path),
            "paths": [
                {"key": p.key, "name": p.name, "status": p.status, "proofs": list(p.proofs), "note": p.note}
                for p in self.paths
            ],
            "secrets": [{"name": s.name, "source": s.source, "lives_in": list(s.lives_in)} for s in self.secrets],
            "monthly_fixed_usd": self.monthly_fixed_usd,
            "costs": [{"item": c.item, "usd": c.usd} for c in self.costs],
            "todo": list(self.todo),
            "adopted": [
                {"resource": a.resource, "changes": list(a.changes), "on_destroy": a.on_destroy, "kept": list(a.kept)}
                for a in self.adopted
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OriginExplanation:
        """Read one origin back from a manifest; raises ValueError on anything but that shape."""
        try:
            pattern = _string(data["pattern"])
            if pattern not in PATTERNS:
                raise ValueError(f"unknown pattern {pattern!r}")
            return cls(
                distribution=_string(data["distribution"]),
                origin=_string(data["origin"]),
                pattern=pattern,
                request_path=tuple(_string(h) for h in _list(data["request_path"])),
                paths=tuple(
                    AccessPath(
                        key=_string(p["key"]),
                        name=_string(p["name"]),
                        status=_status(p["status"]),
                        proofs=tuple(_string(x) for x in _list(p["proofs"])),
                        note=_string(p["note"]),
                    )
                    for p in _list(data["paths"])
                ),
                secrets=tuple(
                    SecretUse(_string(s["name"]), _string(s["source"]), tuple(_string(x) for x in _list(s["lives_in"])))
                    for s in _list(data["secrets"])
                ),
                costs=tuple(Cost(_string(c["item"]), _number(c["usd"])) for c in _list(data["costs"])),
                todo=tuple(_string(t) for t in _list(data["todo"])),
                # Absent from the manifests of renders before adoption was explained.
                adopted=tuple(
                    Adoption(
                        resource=_string(a["resource"]),
                        changes=tuple(_string(c) for c in _list(a["changes"])),
                        on_destroy=_string(a["on_destroy"]),
                        kept=tuple(_string(k) for k in _list(a["kept"])),
                    )
                    for a in _list(data.get("adopted", []))
                ),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"missing or malformed field {exc}") from None


def explain(loaded: LoadedSpec) -> list[OriginExplanation]:
    """Every origin of ``loaded``, with its paths as its pattern declares them."""
    spec = loaded.spec
    out = []
    for dist in spec.distributions:
        for origin in dist.origins:
            pattern = pattern_for(origin.type, origin.protection)
            details = pattern.details(spec, dist, origin)
            out.append(
                OriginExplanation(
                    distribution=dist.name,
                    origin=origin.id,
                    pattern=pattern.key,
                    request_path=details.hops or pattern.threats.hops,
                    paths=tuple(paths_for(pattern.threats, details)),
                    secrets=details.secrets,
                    costs=details.costs,
                    todo=details.todo,
                    adopted=details.adopted,
                )
            )
    return out


def from_manifest(items: Any, where: str) -> list[OriginExplanation]:
    """The explanations a render kept in its manifest (``where`` names the file in errors)."""
    if not isinstance(items, list):
        raise UsageError(f"{where} holds no explanation of its origins; render it again with this cfgen")
    try:
        return [OriginExplanation.from_dict(item) for item in items]
    except ValueError as exc:
        raise UsageError(f"{where}: the explanation of an origin is not readable ({exc}); render it again") from None


def render_explanation(explanations: list[OriginExplanation], fmt: str, *, width: int = 80) -> str:
    """``explanations`` as ``text`` (``width`` columns), ``mermaid`` or ``json``."""
    if fmt == "text":
        return _text(explanations, width)
    if fmt == "mermaid":
        return _mermaid(explanations)
    if fmt == "json":
        document = {"origins": [e.as_dict() for e in explanations]}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    raise UsageError(f"unknown explain format {fmt!r}: choose one of {', '.join(FORMATS)}")


# -- text ----------------------------------------------------------------------


def _text(explanations: list[OriginExplanation], width: int) -> str:
    blocks = [_origin_text(e, width) for e in explanations]
    return "\n".join(blocks)


def _wrapped(text: str, width: int, first: str, rest: str) -> list[str]:
    lines = textwrap.wrap(
        text, width, initial_indent=first, subsequent_indent=rest, break_long_words=False, break_on_hyphens=False
    )
    return lines or [first.rstrip()]


_PAD = " " * 12


def _origin_text(e: OriginExplanation, width: int) -> str:
    """One origin, in columns a 80-column terminal shows without wrapping."""
    lines = [f"{e.label} ({e.pattern})"]
    lines += _wrapped(" -> ".join(e.request_path), width, "  request   ", _PAD)
    for p in e.paths:
        lines += _wrapped(p.name, width, f"  {p.status:<9} ", _PAD)
        if p.proofs:
            lines += _wrapped("proofs: " + ", ".join(p.proofs), width, _PAD, _PAD + "        ")
        if p.note:
            lines += _wrapped(p.note, width, _PAD, _PAD)
    for s in e.secrets:
        lines += _wrapped(f"{s.name}, from {s.source}; never in the spec or the render.", width, "  secret    ", _PAD)
        lines += _wrapped("lives in: " + "; ".join(s.lives_in) + ".", width, _PAD, _PAD)
    if not e.secrets:
        lines.append("  secret    none")
    cost = f"${e.monthly_fixed_usd:.2f} a month"
    if e.costs:
        cost += ": " + "; ".join(f"{c.item} ${c.usd:.2f}" for c in e.costs)
    lines += _wrapped(cost, width, "  cost      ", _PAD)
    for item in e.todo:
        lines += _wrapped(item, width, "  to do     ", _PAD)
    for a in e.adopted:
        lines += _wrapped(f"{a.resource}, which cfgen does not create:", width, "  adopted   ", _PAD)
        for change in a.changes:
            lines += _wrapped(change, width, _PAD + "- ", _PAD + "  ")
        lines += _wrapped(a.on_destroy, width, "  destroy   ", _PAD)
    return "\n".join(lines) + "\n"


# -- mermaid -------------------------------------------------------------------

_ARROW = {"closed": "--x", "residual": "-.->"}


def _mermaid(explanations: list[OriginExplanation]) -> str:
    """One ``flowchart`` per distribution: the allowed path solid, closed ones crossed, residual ones dotted."""
    by_distribution: dict[str, list[OriginExplanation]] = {}
    for e in explanations:
        by_distribution.setdefault(e.distribution, []).append(e)
    charts = []
    for distribution, members in by_distribution.items():
        lines = [
            "```mermaid",
            "flowchart LR",
            '  viewer(["viewer"])',
            f'  dist["CloudFront distribution {_label(distribution)}"]',
        ]
        lines.append("  viewer --> dist")
        for n, e in enumerate(members):
            node = f"o{n}"
            hops = e.request_path[2:-1]
            lines.append(f'  {node}[("{_label(e.request_path[-1])}")]')
            via = f'|"{_label(" -> ".join(hops))}"|' if hops else ""
            lines.append(f"  dist ==>{via} {node}")
            for m, p in enumerate(x for x in e.paths if x.status != "allowed"):
                source = f"{node}p{m}"
                lines.append(f'  {source}["{_label(p.name)}"]')
                label = p.status + (": " + ", ".join(p.proofs) if p.status == "closed" else "")
                lines.append(f'  {source} {_ARROW[p.status]}|"{_label(label)}"| {node}')
        lines.append("```")
        charts.append("\n".join(lines))
    return "\n\n".join(charts) + "\n"


def _label(text: str) -> str:
    """Text safe inside a quoted Mermaid label."""
    return text.replace('"', "#quot;").replace("\n", " ")


# -- README's patterns table -----------------------------------------------------


def patterns_markdown() -> str:
    """README's patterns table: one row per path of every pattern, from the declarations."""
    rows = ["| pattern | path | status | closed by / why it stays open |", "|---|---|---|---|"]
    for key, pattern in PATTERNS.items():
        for p in pattern.threats.paths:
            if p.key == "admins":
                continue  # the same for every pattern: said once under the table
            name = p.name + (f" ({WHEN[p.when]})" if p.when else "")
            said = ", ".join(f"`{x}`" for x in p.proofs)
            if p.note:
                said = f"{said}: {p.note}" if said else p.note
            rows.append(f"| `{key}` | {_cell(name)} | {p.status} | {_cell(said)} |")
    rows.append("")
    rows.append(f"Every pattern also has the path no render closes, _{NAMES['admins']}_: {_ADMINS_NOTE}")
    return "\n".join(rows) + "\n"


_ADMINS_NOTE = (
    "whoever may change the policies, groups or distribution, or apply this Terraform, can reopen any path; "
    "`cfgen explain` names what each origin's are."
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# -- manifest reading ----------------------------------------------------------


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _list(value: Any) -> Iterable[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return float(value)


def _status(value: Any) -> Any:
    if value not in ("allowed", "closed", "residual"):
        raise TypeError(f"unknown path status {value!r}")
    return value
