"""The result of one proof or check, as every report format sees it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Finding"]


@dataclass(frozen=True)
class Finding:
    """One proof or checkov check evaluated on one resource.

    ``origin`` is ``"<distribution>/<origin id>"`` when the finding belongs to
    one origin of the spec, else ``None`` (distribution-wide, or a resource of
    a hand-edited tree cfgen cannot attribute). ``paths`` are the keys of the
    paths to that origin a proof closes, from its pattern's threat model.
    """

    source: str  # "proof" or "checkov"
    check_id: str
    title: str
    passed: bool
    address: str
    origin: str | None = None
    message: str = ""
    file: str = ""
    paths: tuple[str, ...] = ()
