"""The plan walker the canary tests rely on finds a secret wherever it sits unmarked."""

from __future__ import annotations

from typing import Any

import pytest
from tests.plan._sensitive import unmarked

SECRET = "canary-0123456789"


def plan_with(**parts: Any) -> dict[str, Any]:
    return {"format_version": "1.2", **parts}


def test_marked_values_are_not_leaks() -> None:
    plan = plan_with(
        variables={"s": {"value": SECRET}},
        configuration={"root_module": {"variables": {"s": {"sensitive": True}}}},
        resource_changes=[
            {
                "address": "a.b",
                "change": {"after": {"x": [{"v": SECRET}], "y": "ok"}, "after_sensitive": {"x": [{"v": True}]}},
            }
        ],
        output_changes={"o": {"after": SECRET, "after_sensitive": True}},
        planned_values={
            "outputs": {"o": {"sensitive": True, "value": SECRET}},
            "root_module": {
                "child_modules": [
                    {"resources": [{"address": "m.a.b", "values": {"p": SECRET}, "sensitive_values": {"p": True}}]}
                ]
            },
        },
    )
    assert unmarked(plan, [SECRET]) == []


@pytest.mark.parametrize(
    ("parts", "where"),
    [
        ({"variables": {"s": {"value": SECRET}}}, "variables.s.value"),
        (
            {"resource_changes": [{"address": "a.b", "change": {"after": {"json": SECRET}, "after_sensitive": {}}}]},
            "resource_changes[0](a.b).after.json",
        ),
        (
            {
                "resource_changes": [
                    {"address": "a.b", "change": {"after": {"l": ["x", SECRET]}, "after_sensitive": {"l": [True]}}}
                ]
            },
            "resource_changes[0](a.b).after.l[1]",
        ),
        ({"output_changes": {"o": {"after": SECRET, "after_sensitive": False}}}, "output_changes.o.after"),
        (
            {
                "prior_state": {
                    "values": {
                        "root_module": {
                            "resources": [
                                {"address": "data.x.y", "values": {"json": f"a {SECRET} b"}, "sensitive_values": {}}
                            ]
                        }
                    }
                }
            },
            "prior_state.data.x.y.json",
        ),
        (
            {"configuration": {"root_module": {"resources": [{"expressions": {"v": {"constant_value": SECRET}}}]}}},
            "configuration.root_module.resources[0].expressions.v.constant_value",
        ),
    ],
    ids=["variable", "attribute", "list-item", "output", "data-source", "literal"],
)
def test_every_unmarked_place_is_found(parts: dict[str, Any], where: str) -> None:
    assert unmarked(plan_with(**parts), [SECRET]) == [where]
