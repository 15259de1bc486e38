"""Where a secret sits in a plan JSON without a sensitive mark.

Terraform's ``show -json`` prints sensitive values in clear and says beside
them which are sensitive (``after_sensitive``, ``sensitive_values``, an
output's ``sensitive``, a variable's declaration). A secret that shows up
anywhere else, or under a mark that is not ``true``, is printed by ``plan``,
``show`` and ``state show`` too: that is a leak.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

Plan = dict[str, Any]


def unmarked(plan: Plan, secrets: Iterable[str]) -> list[str]:
    """JSON paths of every value holding one of ``secrets`` that the plan does not mark sensitive."""
    needles = [s for s in secrets if s]
    assert needles, "give the secrets to look for"
    found: list[str] = []
    covered: set[int] = set()  # ids of the value trees read beside their marks

    def beside(where: str, value: Any, marks: Any) -> None:
        covered.add(id(value))
        found.extend(_unmarked(where, value, marks, needles))

    variables = plan.get("configuration", {}).get("root_module", {}).get("variables", {})
    for name, variable in plan.get("variables", {}).items():
        beside(f"variables.{name}", variable, {"value": bool(variables.get(name, {}).get("sensitive"))})
    for i, change in enumerate(plan.get("resource_changes", [])):
        body = change.get("change", {})
        for side in ("before", "after"):
            beside(
                f"resource_changes[{i}]({change.get('address')}).{side}", body.get(side), body.get(f"{side}_sensitive")
            )
    for name, change in plan.get("output_changes", {}).items():
        for side in ("before", "after"):
            beside(f"output_changes.{name}.{side}", change.get(side), change.get(f"{side}_sensitive"))
    for top in ("planned_values", "prior_state"):
        values = plan.get(top, {})
        values = values.get("values", {}) if top == "prior_state" else values
        for name, output in values.get("outputs", {}).items():
            beside(f"{top}.outputs.{name}", output, {"value": bool(output.get("sensitive"))})
        for resource in _resources(values.get("root_module", {})):
            beside(f"{top}.{resource.get('address')}", resource.get("values"), resource.get("sensitive_values"))
    # Everything not read beside a mark (configuration literals, checks, ...) is unmarked wherever it holds one.
    found.extend(_anywhere("", plan, needles, covered))
    return found


def _unmarked(where: str, value: Any, marks: Any, needles: list[str]) -> Iterator[str]:
    if marks is True:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _unmarked(f"{where}.{key}", item, marks.get(key) if isinstance(marks, dict) else None, needles)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            mark = marks[i] if isinstance(marks, list) and i < len(marks) else None
            yield from _unmarked(f"{where}[{i}]", item, mark, needles)
    elif isinstance(value, str) and any(n in value for n in needles):
        yield where


def _anywhere(where: str, value: Any, needles: list[str], covered: set[int]) -> Iterator[str]:
    if id(value) in covered:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _anywhere(f"{where}.{key}" if where else str(key), item, needles, covered)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _anywhere(f"{where}[{i}]", item, needles, covered)
    elif isinstance(value, str) and any(n in value for n in needles):
        yield where


def _resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _resources(child)
