"""Plan several rendered trees in one init and one plan: each tree is a child module of one root.

A rendered tree is a root module (provider block, variables with defaults,
sensitive variables without). As a child it keeps its provider block, which
Terraform allows for a module called without count, for_each or depends_on.
Each child gets the offline override cfgen test writes (mock credentials,
stand-ins for secrets read from AWS), and the root passes placeholders for
its required sensitive variables: what `cfgen test --offline` does, once for
all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cfgen import write
from cfgen.harness import _terraform

Plan = dict[str, Any]


def batch_root(trees: dict[str, dict[str, str | bytes]], root: Path) -> None:
    """Write each render in ``trees`` (name -> files) as ``root/name`` and a root module calling them all."""
    calls = []
    for name, files in sorted(trees.items()):
        child = root / name
        # A child's path.root is the batch root: its artifacts (Lambda zips) are under its own folder.
        files = {
            path: text.replace("${path.root}/", f"${{path.root}}/{name}/") if isinstance(text, str) else text
            for path, text in files.items()
        }
        write.write(child, files, {"origins": []})
        secrets = _terraform.OfflineSecrets.of(child, {})
        override = _terraform.offline_override_text(_terraform.aws_provider_aliases(child), secrets)
        (child / _terraform.OFFLINE_OVERRIDE_FILE).write_text(override, encoding="utf-8")
        if secrets.modules:
            (child / _terraform.OFFLINE_SECRETS_FILE).write_text(secrets.variables_text(), encoding="utf-8")
        inputs = "".join(
            f"  {variable} = {_hcl_string(_terraform.placeholder(variable))}\n" for variable in secrets.tf_vars()
        )
        calls.append(f'module "{name}" {{\n  source = "./{name}"\n{inputs}}}\n')
    (root / "main.tf").write_text("\n".join(calls), encoding="utf-8")


def plan_batch(root: Path, work: Path, mirror: Path) -> Plan:
    """One offline init and plan of ``root``."""
    return _terraform.plan_tree(
        root, binary=_terraform.find_binary(None), plugin_mirror=mirror, offline=True, work_dir=work
    )


def _hcl_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
