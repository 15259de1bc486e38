"""`cfgen validate` semantics: every bad input is one located line that names the fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from tests.conftest import MINIMAL_SPEC, REPO

from cfgen.errors import SpecError
from cfgen.spec import json_schema, load_spec
from cfgen.spec.models import protection_modes


def errors_of(path: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    lines = str(caught.value).splitlines()
    assert all(line.startswith(f"{path}:") and ": error: " in line for line in lines), lines
    return [line.removeprefix(f"{path}:") for line in lines]


def test_minimal_spec_is_valid(write_spec: Callable[[str], Path]) -> None:
    loaded = load_spec(write_spec(MINIMAL_SPEC))
    origin = loaded.spec.distributions[0].origins[0]
    assert (origin.type, origin.protection, origin.bucket.create) == ("s3", "oac", True)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "    default_root_object",
            "    default_root_objekt",
            "6:5: error: distributions.0.default_root_objekt: "
            "unknown key 'default_root_objekt'; did you mean 'default_root_object'?",
            id="unknown-key",
        ),
        pytest.param(
            "{name: shop-assets-test}",
            "{name: Shop_Assets}",
            "10:24: error: distributions.0.origins.0.bucket.name: bucket name 'Shop_Assets' may hold only lowercase",
            id="bucket-name-chars",
        ),
        pytest.param(
            "{name: shop-assets-test}",
            "{name: ab}",
            "bucket name 'ab' has 2 characters; S3 allows 3 to 63",
            id="bucket-name-short",
        ),
        pytest.param(
            "{name: shop-assets-test}",
            "{name: 192.168.1.10}",
            "formatted as an IP address",
            id="bucket-name-ip",
        ),
        pytest.param(
            "{name: shop-assets-test}",
            "{name: xn--shop}",
            "reserved prefix 'xn--'",
            id="bucket-name-prefix",
        ),
        pytest.param(
            "type: s3",
            "type: s4",
            "9:15: error: distributions.0.origins.0.type: unknown origin type 's4'",
            id="unknown-type",
        ),
        pytest.param("region: eu-west-1", "region: 42", "3:9: error: region: ", id="wrong-type"),
        pytest.param(
            "version: 1",
            "version: 2",
            "1:10: error: version: 2 is not allowed; expected 1",
            id="version",
        ),
        pytest.param(
            "{path: default, origin: assets}",
            "{path: default, origin: asets}",
            "12:33: error: distributions.0.behaviors.0.origin: unknown origin 'asets'; did you mean 'assets'?",
            id="unknown-origin",
        ),
        pytest.param(
            "{path: default, origin: assets}",
            "{path: /img/*, origin: assets}",
            "error: distributions.0.behaviors: no default behavior: add `- {path: default, origin: assets}`",
            id="no-default-behavior",
        ),
        pytest.param(
            "project: shop",
            "project: Shop",
            "2:10: error: project: 'Shop' is not a name of lowercase letters",
            id="name",
        ),
        pytest.param(
            "    origins:",
            "    aliases: [www.example.com]\n    origins:",
            "aliases need a viewer_certificate",
            id="aliases-without-certificate",
        ),
    ],
)
def test_bad_spec_gives_located_line(write_spec: Callable[[str], Path], old: str, new: str, expected: str) -> None:
    assert old in MINIMAL_SPEC
    lines = errors_of(write_spec(MINIMAL_SPEC.replace(old, new, 1)))
    assert any(expected in line for line in lines), lines


def test_duplicate_origin_ids_and_buckets(write_spec: Callable[[str], Path]) -> None:
    spec = MINIMAL_SPEC.replace(
        "    behaviors:",
        "      - id: assets\n        type: s3\n        bucket: {name: shop-assets-test}\n    behaviors:",
    )
    lines = errors_of(write_spec(spec))
    assert any("11:13: error: distributions.0.origins.1.id: duplicate origin id 'assets'" in line for line in lines)
    assert any("bucket 'shop-assets-test' is already the origin 'web/assets'" in line for line in lines)


def test_every_problem_is_reported_not_only_the_first(write_spec: Callable[[str], Path]) -> None:
    spec = MINIMAL_SPEC.replace("eu-west-1", "mars").replace("shop-assets-test", "UPPER")
    assert len(errors_of(write_spec(spec))) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "1:1: error: the spec is empty"),
        ("version: 1\nproject: [x\n", "3:1: error: malformed YAML"),
        (
            "version: 1\nversion: 1\n",
            "2:1: error: version: duplicate key 'version' (first on line 1)",
        ),
        ("- a\n- b\n", "error: expected a mapping of `key: value` lines, got a list"),
        ("version: 1\n\tproject: x\n", "error: malformed YAML"),
    ],
)
def test_malformed_yaml(write_spec: Callable[[str], Path], text: str, expected: str) -> None:
    lines = errors_of(write_spec(text))
    assert any(expected in line for line in lines), lines


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    assert errors_of(tmp_path / "nope.yaml") == ["1:1: error: no such file; check the path"]


def test_kms_needs_exactly_one_source(write_spec: Callable[[str], Path]) -> None:
    spec = MINIMAL_SPEC.replace("{name: shop-assets-test}", "{name: shop-assets-test}\n        kms: {}")
    assert any("set exactly one of `create: true` or `key_arn" in line for line in errors_of(write_spec(spec)))


def test_committed_schema_is_current() -> None:
    committed = (REPO / "schema" / "cfgen-spec.schema.json").read_text(encoding="utf-8")
    assert committed == json_schema(), "schema is stale: run `cfgen schema > schema/cfgen-spec.schema.json`"


def test_oai_is_valid_with_a_located_warning_naming_oac(write_spec: Callable[[str], Path]) -> None:
    path = write_spec(MINIMAL_SPEC.replace("        type: s3\n", "        type: s3\n        protection: oai\n", 1))
    loaded = load_spec(path)
    assert loaded.spec.distributions[0].origins[0].protection == "oai"
    [warning] = [str(w) for w in loaded.warnings]
    assert warning.startswith(f"{path}:10:21: warning: distributions.0.origins.0.protection: ")
    assert "use `protection: oac`" in warning.lower() and "oai_to_oac" in warning
    assert "any distribution of this AWS account can be given the same OAI" in warning


@pytest.mark.parametrize("protection", ["oac", "oai_to_oac"])
def test_oac_and_migration_give_no_warning(write_spec: Callable[[str], Path], protection: str) -> None:
    spec = MINIMAL_SPEC.replace("        type: s3\n", f"        type: s3\n        protection: {protection}\n", 1)
    assert load_spec(write_spec(spec)).warnings == []


def test_oai_with_kms_is_refused(write_spec: Callable[[str], Path]) -> None:
    spec = MINIMAL_SPEC.replace("        type: s3\n", "        type: s3\n        protection: oai\n", 1).replace(
        "{name: shop-assets-test}", "{name: shop-assets-test}\n        kms: {create: true}"
    )
    assert any("cannot read SSE-KMS objects" in line for line in errors_of(write_spec(spec)))


def test_unknown_s3_protection_lists_the_three_modes(write_spec: Callable[[str], Path]) -> None:
    spec = MINIMAL_SPEC.replace("        type: s3\n", "        type: s3\n        protection: oia\n", 1)
    lines = errors_of(write_spec(spec))
    assert any("'oia' is not allowed; expected 'oac', 'oai' or 'oai_to_oac'" in line for line in lines), lines


READER = "arn:aws:iam::111111111111:role/backup"


@pytest.mark.parametrize(
    ("readers", "expected"),
    [
        pytest.param(
            "[arn:aws:iam::111111111111:role/*]",
            "11:26: error: distributions.0.origins.0.direct_readers.0: "
            "'arn:aws:iam::111111111111:role/*' has a wildcard",
            id="wildcard",
        ),
        pytest.param(
            "[arn:aws:sts::111111111111:assumed-role/backup/session-1]",
            "is a role session; the bucket policy compares aws:PrincipalArn, which is the role's ARN",
            id="session",
        ),
        pytest.param(
            "[arn:aws:iam::111111111111:root]",
            "is not the ARN of an IAM role or user",
            id="root",
        ),
        pytest.param(
            f"[{READER}, {READER}]",
            f"distributions.0.origins.0.direct_readers.1: duplicate direct reader '{READER}'",
            id="twice",
        ),
    ],
)
def test_direct_readers_are_roles_or_users_by_arn(
    write_spec: Callable[[str], Path], readers: str, expected: str
) -> None:
    spec = MINIMAL_SPEC.replace(
        "{name: shop-assets-test}\n", f"{{name: shop-assets-test}}\n        direct_readers: {readers}\n"
    )
    lines = errors_of(write_spec(spec))
    assert any(expected in line for line in lines), lines


def test_direct_readers_of_a_website_origin(write_spec: Callable[[str], Path]) -> None:
    spec = MINIMAL_SPEC.replace("type: s3\n", "type: s3_website\n").replace(
        "{name: shop-assets-test}\n", f"{{name: shop-assets-test}}\n        direct_readers: [{READER}]\n"
    )
    assert load_spec(write_spec(spec)).spec.distributions[0].origins[0].direct_readers == [READER]


@pytest.mark.parametrize(
    ("bucket", "expected"),
    [
        pytest.param(
            "{name: shop-assets-test, create: false, noncurrent_version_expiration_days: 30}",
            "10:17: error: distributions.0.origins.0.bucket: noncurrent_version_expiration_days applies to a "
            "bucket cfgen creates",
            id="adopted",
        ),
        pytest.param(
            "{name: shop-assets-test, noncurrent_version_expiration_days: 0}",
            "10:78: error: distributions.0.origins.0.bucket.noncurrent_version_expiration_days: "
            "expected a number of at least 1, got 0",
            id="zero-days",
        ),
    ],
)
def test_lifecycle_days_are_for_created_buckets_only(
    write_spec: Callable[[str], Path], bucket: str, expected: str
) -> None:
    lines = errors_of(write_spec(MINIMAL_SPEC.replace("{name: shop-assets-test}", bucket)))
    assert any(expected in line for line in lines), lines


ALLOWLIST_CASES = sorted(p for p in (REPO / "examples").glob("*/spec.yaml"))


@pytest.mark.parametrize("example", ALLOWLIST_CASES, ids=[p.parent.name for p in ALLOWLIST_CASES])
def test_an_ip_allowlist_is_refused_with_the_modes_that_work(example: Path, tmp_path: Path) -> None:
    """Every origin type: one located line per origin that says why and names the type's own modes."""
    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    origins = [o for d in data["distributions"] for o in d["origins"]]
    for origin in origins:
        origin["protection"] = "ip_allowlist"
    path = tmp_path / "spec.yaml"
    text = yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    lines = errors_of(path)
    assert len(lines) == len(origins), lines
    rows = [n + 1 for n, line in enumerate(text.splitlines()) if line.strip() == "protection: ip_allowlist"]
    for line, origin, row in zip(lines, origins, rows, strict=True):
        assert line.startswith(f"{row}:"), line
        assert "ip_allowlist is refused" in line and "every CloudFront distribution, anyone's" in line, line
        assert line.endswith(f"use one of: {', '.join(protection_modes(origin['type']))}"), line


def _mappings(node: object, where: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], dict[str, object]]]:
    """Every mapping under ``node`` (itself excluded), with where it is."""
    found: list[tuple[tuple[str | int, ...], dict[str, object]]] = []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in children:
        if isinstance(child, dict):
            found.append(((*where, key), child))
        found += _mappings(child, (*where, key))
    return found


@pytest.mark.parametrize("example", ALLOWLIST_CASES, ids=[p.parent.name for p in ALLOWLIST_CASES])
def test_an_unknown_key_anywhere_in_an_origin_lists_the_keys_its_mapping_takes(example: Path, tmp_path: Path) -> None:
    """The hint is resolved through the origin's type and protection, at every depth (it once came out empty)."""
    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    for i, dist in enumerate(data["distributions"]):
        for where, mapping in _mappings(dist["origins"], ("distributions", i, "origins")):
            known = [k for k in mapping if k != "bogus_key"]
            mapping["bogus_key"] = 1
            path = tmp_path / "spec.yaml"
            path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
            with pytest.raises(SpecError) as caught:
                load_spec(path)
            dotted = ".".join(map(str, (*where, "bogus_key")))
            (line,) = [x for x in str(caught.value).splitlines() if f"{dotted}: unknown key" in x]
            allowed = line.partition("; allowed keys: ")[2].split(", ")
            assert set(known) <= set(allowed), line
            del mapping["bogus_key"]
