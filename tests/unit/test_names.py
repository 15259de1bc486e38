"""Derived names: validate checks each against its AWS limit, and render uses the very names validate checked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES
from tests.unit.test_spec import errors_of

from cfgen.render import render
from cfgen.spec import _names as names
from cfgen.spec import load_spec

EC2 = (EXAMPLES / "ec2-vpc-origin" / "spec.yaml").read_text()
API = (EXAMPLES / "private-api-vpc-origin" / "spec.yaml").read_text()
PROJECT_LINE = EC2.splitlines().index("project: shop") + 1
FUNCTION_SPEC = """\
version: 1
project: PROJECT
region: eu-west-1
distributions:
  - name: DIST
    functions:
      - {name: FUNCTION, code: fn.js}
    origins:
      - id: ORIGIN
        type: s3
        bucket: {name: shop-assets-test}
    behaviors:
      - {path: default, origin: ORIGIN, viewer_request: FUNCTION, response_headers: strict}
"""


def named(project: str, dist: str, origin: str) -> str:
    """The EC2 example with these names."""
    return (
        EC2.replace("project: shop", f"project: {project}")
        .replace("name: legacy", f"name: {dist}")
        .replace("id: server", f"id: {origin}")
        .replace("origin: server", f"origin: {origin}")
    )


def sized(total: int) -> tuple[str, str, str]:
    """Project, distribution and origin names (24 at most each) whose project-dist-origin has ``total`` characters."""
    rest = total - 2
    parts = [min(24, rest - 2 * 1)]
    parts.append(min(24, rest - parts[0] - 1))
    parts.append(rest - parts[0] - parts[1])
    assert all(1 <= p <= 24 for p in parts), parts
    return tuple("abc"[i] * n for i, n in enumerate(parts))  # type: ignore[return-value]


@pytest.mark.parametrize("total", [56, 60, 64])
def test_a_vpc_origin_name_the_module_would_push_past_64_is_refused(
    write_spec: Callable[[str], Path], total: int
) -> None:
    project, dist, origin = sized(total)
    lines = errors_of(write_spec(named(project, dist, origin)))
    expected = (
        f"error: distributions.0.origins.0.id: the VPC origin name '{project}-{dist}-{origin}' + 9 characters the "
        f"module appends has {total + 9} characters; AWS allows 64: shorten the project, the distribution name or "
        f"this name by {total + 9 - 64}"
    )
    assert any(expected in line for line in lines), lines


def test_a_vpc_origin_name_of_55_is_accepted_and_rendered_as_checked(write_spec: Callable[[str], Path]) -> None:
    project, dist, origin = sized(55)
    loaded = load_spec(write_spec(named(project, dist, origin)))
    main = render(loaded).files["main.tf"]
    assert isinstance(main, str)
    assert f'"{names.VPC_ORIGIN.name(project, dist, origin)}"' in main


def test_a_sync_function_name_over_64_is_refused(write_spec: Callable[[str], Path]) -> None:
    spec = API.replace("target_sync: static_ips", "target_sync: lambda").replace(
        "        static_ips:\n          - {subnet: subnet-0a1b2c3d4e5f60711, ip: 10.20.1.10}\n"
        "          - {subnet: subnet-0a1b2c3d4e5f60722, ip: 10.20.2.10}\n",
        "",
    )
    project, dist, origin = sized(60)
    spec = spec.replace("project: shop", f"project: {project}").replace("name: api", f"name: {dist}")
    spec = spec.replace("id: orders", f"id: {origin}").replace("origin: orders", f"origin: {origin}")
    lines = errors_of(write_spec(spec))
    expected = (
        f"error: distributions.0.origins.0.id: the Lambda function, IAM role and EventBridge rule name "
        f"'{project}-{dist}-{origin}-sync' has 65 characters; AWS allows 64: shorten the project, the distribution "
        "name or this name by 1"
    )
    assert any(expected in line for line in lines), lines


@pytest.mark.parametrize(
    ("rule", "path"),
    [(names.FUNCTION, "distributions.0.functions.0.name"), (names.OAC, "distributions.0.origins.0.id")],
)
def test_distribution_and_origin_names_over_64_are_refused(
    write_spec: Callable[[str], Path], rule: names.NameRule, path: str
) -> None:
    spec = FUNCTION_SPEC.replace("PROJECT", "p" * 24).replace("DIST", "d" * 24)
    spec = spec.replace("FUNCTION", "f" * 24).replace("ORIGIN", "o" * 24)
    (write_spec(spec).parent / "fn.js").write_text("function handler(event) { return event.request; }\n")
    lines = errors_of(write_spec(spec))
    name = rule.name("p" * 24, "d" * 24, ("f" if rule is names.FUNCTION else "o") * 24)
    assert any(f"{path}: the {rule.resources} name '{name}' has 74 characters; AWS allows 64" in line for line in lines)


def test_every_name_render_gives_is_the_one_validate_checked(write_spec: Callable[[str], Path]) -> None:
    spec = FUNCTION_SPEC.replace("PROJECT", "shop").replace("DIST", "web")
    spec = spec.replace("FUNCTION", "rewrite").replace("ORIGIN", "assets")
    path = write_spec(spec)
    (path.parent / "fn.js").write_text("function handler(event) { return event.request; }\n")
    main = render(load_spec(path)).files["main.tf"]
    assert isinstance(main, str)
    for rule, item in [(names.FUNCTION, ("rewrite",)), (names.OAC, ("assets",)), (names.STRICT_HEADERS, ())]:
        assert f'"{rule.name("shop", "web", *item)}"' in main, rule


def test_the_sync_function_is_named_from_the_table(write_spec: Callable[[str], Path]) -> None:
    spec = API.replace("target_sync: static_ips", "target_sync: lambda").replace(
        "        static_ips:\n          - {subnet: subnet-0a1b2c3d4e5f60711, ip: 10.20.1.10}\n"
        "          - {subnet: subnet-0a1b2c3d4e5f60722, ip: 10.20.2.10}\n",
        "",
    )
    main = render(load_spec(write_spec(spec))).files["main.tf"]
    assert isinstance(main, str)
    assert f'"{names.SYNC.name("shop", "api", "orders")}"' in main


def test_a_project_that_makes_security_groups_start_with_sg_is_refused(write_spec: Callable[[str], Path]) -> None:
    lines = errors_of(write_spec(named("sg", "legacy", "server")))
    assert lines == [
        f"{PROJECT_LINE}:10: error: project: the security group name prefix 'sg-legacy-server-vpce-' starts "
        "with 'sg-', which AWS refuses: rename the project"
    ]
