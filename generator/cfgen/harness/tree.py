"""The root module's HCL as written, for the few proofs a plan JSON cannot answer.

A plan's configuration lists the references of a module argument as one flat
list: for ``ordered_cache_behaviors = [{...}, {...}]`` it cannot say which
behavior names which key group. The HCL can, as long as the argument is a
literal list of objects; when it is not (a local, a function), a proof that
needs it says it cannot tell, and fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["RootModule", "reference"]

_REFERENCE = re.compile(r"^\$\{([A-Za-z_][\w.\-\[\]\"]*)\}$")


@dataclass(frozen=True)
class RootModule:
    """The module calls of a root module's ``*.tf`` files, argument by argument as written."""

    module_calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    unreadable: tuple[str, ...] = ()  # files the HCL parser could not read

    @classmethod
    def read(cls, tree: Path) -> RootModule:
        import hcl2

        calls: dict[str, dict[str, Any]] = {}
        unreadable = []
        for tf_file in sorted(tree.glob("*.tf")):
            try:
                parsed = hcl2.loads(  # type: ignore[attr-defined]
                    tf_file.read_text(encoding="utf-8")
                )
            except Exception:  # lark raises its own hierarchy for every parse failure
                unreadable.append(tf_file.name)
                continue
            for block in parsed.get("module", []):
                for name, body in block.items():
                    calls[name] = {k: _unwrap(v) for k, v in body.items() if not k.startswith("__")}
        return cls(module_calls=calls, unreadable=tuple(unreadable))

    def argument(self, module: str, name: str) -> Any:
        """The argument ``name`` of ``module "<module>"`` as written (None when absent)."""
        return self.module_calls.get(module, {}).get(name)


def reference(value: Any) -> str | None:
    """``aws_x.y.id`` for a value written as that bare reference, else None (a literal, a call, a template)."""
    if isinstance(value, str):
        found = _REFERENCE.match(value)
        if found:
            return found.group(1)
    return None


def _unwrap(value: Any) -> Any:
    # python-hcl2 wraps every attribute's value in a one-item list.
    return value[0] if isinstance(value, list) and len(value) == 1 else value
