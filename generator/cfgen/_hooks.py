"""The pre-commit hooks of ``.pre-commit-hooks.yaml``: many files in, one line per problem out.

pre-commit passes every staged file its ``files`` pattern matches:

``python -m cfgen._hooks validate SPEC...``
    ``cfgen validate`` on each spec; exit 2 if one is invalid.

``python -m cfgen._hooks render-check [--output DIR] FILE...``
    ``cfgen render SPEC -o DIR --check`` for each spec, and for the spec of
    each rendered file passed (so that a hand edit of the render is caught
    too); exit 1 if a render drifted, 2 if a spec is invalid or its render
    cannot be found. ``DIR`` is relative to the spec's folder; without it the
    render is the folder next to the spec whose ``.cfgen-manifest.json``
    names that spec (``cfgen render`` records it), and a rendered file's spec
    is the one its manifest names, next to the render's folder.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import _service, write
from .errors import CfgenError, SpecError, UsageError

__all__ = ["main"]

_USAGE = "usage: python -m cfgen._hooks {validate SPEC... | render-check [--output DIR] FILE...}"


def _say(line: str) -> None:
    print(line, file=sys.stderr)


def _error(exc: CfgenError) -> None:
    for line in str(exc).splitlines() or [type(exc).__name__]:
        _say(line if isinstance(exc, SpecError) else f"error: {line}")


def validate(specs: list[Path]) -> int:
    """Validate every spec; the worst exit code."""
    code = 0
    for spec in specs:
        try:
            loaded = _service.validate(spec)
        except CfgenError as exc:
            _error(exc)
            code = max(code, exc.exit_code)
            continue
        for warning in loaded.warnings:
            _say(str(warning))
    return code


def _manifest_spec(folder: Path) -> str | None:
    try:
        spec = json.loads((folder / write.MANIFEST).read_text(encoding="utf-8")).get("spec")
    except (OSError, ValueError, AttributeError):
        return None
    return spec if isinstance(spec, str) else None


def _render_of(spec: Path, output: str | None) -> Path:
    if output is not None:
        return spec.parent / output
    candidates = [spec.parent, *sorted(p for p in spec.parent.iterdir() if p.is_dir())]
    found = [folder for folder in candidates if _manifest_spec(folder) == spec.name]
    if len(found) != 1:
        what = "no folder" if not found else f"{len(found)} folders ({', '.join(f.name for f in found)})"
        raise UsageError(
            f"{spec}: {what} next to it holds a render of it (a {write.MANIFEST} naming {spec.name}); "
            f"run `cfgen render {spec} -o DIR` once, or give the hook `args: [--output, DIR]`"
        )
    return found[0]


def _spec_of(path: Path) -> Path | None:
    """The spec of ``path``: itself if YAML, else the one the manifest of its render names (or None)."""
    if path.suffix in (".yaml", ".yml"):
        return path
    for folder in path.parents:
        name = _manifest_spec(folder)
        if name is not None:
            # next to the render's folder, or in it when rendered with -o .
            inside = folder / name
            return inside if inside.is_file() else folder.parent / name
    return None


def render_check(files: list[Path], output: str | None) -> int:
    """``render --check`` for every spec among ``files`` or behind a rendered file; the worst exit code."""
    specs: dict[Path, None] = {}
    for path in files:
        spec = _spec_of(path)
        if spec is not None:
            specs[spec] = None
    code = 0
    for spec in specs:
        try:
            out = _render_of(spec, output)
            outcome = _service.render_spec(spec, out, check=True)
        except CfgenError as exc:
            _error(exc)
            code = max(code, exc.exit_code)
            continue
        if outcome.drift:
            for item in outcome.drift:
                _say(f"{out / item.path}: {item.kind}")
            _say(f"{len(outcome.drift)} file(s) differ; run `cfgen render {spec} -o {out}`")
            code = max(code, 1)
    return code


def main(argv: list[str] | None = None) -> int:
    """Run one hook on the files pre-commit passes; return its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("validate", "render-check"):
        _say(_USAGE)
        return 2
    command, rest = args[0], args[1:]
    output = None
    if command == "render-check" and rest[:1] == ["--output"]:
        if len(rest) < 2:
            _say(_USAGE)
            return 2
        output, rest = rest[1], rest[2:]
    files = [Path(name) for name in rest]
    return validate(files) if command == "validate" else render_check(files, output)


if __name__ == "__main__":
    sys.exit(main())
