"""The result of one proof or check, as every report format sees it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Finding", "Result"]

Result = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class Finding:
    """One proof or checkov check evaluated on one resource.

    ``origin`` is ``"<distribution>/<origin id>"`` when the finding belongs to
    one origin of the spec, else ``None`` (distribution-wide, or a resource of
    a hand-edited tree cfgen cannot attribute). ``paths`` are the keys of the
    paths to that origin a proof closes, from its pattern's threat model.

    ``skipped`` marks a check the tree suppresses on purpose (checkov's
    ``#checkov:skip=ID:reason``); ``message`` is then the reason. A skipped
    check does not fail the run, so it is also ``passed``: ``passed`` is False
    for a failure only.
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
    skipped: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "paths", tuple(self.paths))  # from JSON (a report, a worker) it is a list
        if self.skipped and not self.passed:
            raise ValueError(f"{self.check_id} {self.address}: a skipped finding cannot have failed")

    @property
    def result(self) -> Result:
        """``"failed"``, ``"skipped"`` or ``"passed"``: the three states every report shows apart."""
        if not self.passed:
            return "failed"
        return "skipped" if self.skipped else "passed"
