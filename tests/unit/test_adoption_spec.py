"""`cfgen validate` on adopted resources: a policy cfgen would replace is named, kept, or said to be none."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES, MINIMAL_SPEC

from cfgen.errors import SpecError
from cfgen.spec import _policies, load_spec

ADOPTED = MINIMAL_SPEC.replace("{name: shop-assets-test}", "{name: shop-assets-test, create: false, POLICY}")
WEBSITE = ADOPTED.replace("type: s3", "type: s3_website")
API = """\
version: 1
project: shop
region: eu-west-1
distributions:
  - name: api
    origins:
      - id: orders
        type: api_gateway
        protection: private_vpc_origin
        api: {rest_api_id: a1b2c3d4e5, POLICY}
        network:
          vpc_id: vpc-0a1b2c3d4e5f60718
          subnets:
            - {id: subnet-0a1b2c3d4e5f60711, cidr: 10.20.1.0/24}
            - {id: subnet-0a1b2c3d4e5f60722, cidr: 10.20.2.0/24}
        origin_domain: api-origin.example.com
        alb_certificate:
          arn: arn:aws:acm:eu-west-1:111111111111:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b
          domains: ["*.example.com"]
    behaviors:
      - {path: default, origin: orders, cache: disabled, origin_request: all_viewer_except_host}
"""
# A public REST API whose resource policy cfgen writes (resource_policy, iam_sigv4).
PUBLIC_API = """\
version: 1
project: shop
region: eu-west-1
distributions:
  - name: api
    origins:
      - id: orders
        type: api_gateway
        protection: MODE
        api: {rest_api_id: a1b2c3d4e5, POLICY}
    behaviors:
      - {path: default, origin: orders, cache: disabled, origin_request: all_viewer_except_host, methods: all}
"""
REFERER_API = PUBLIC_API.replace("MODE", "resource_policy")
SIGNED_API = PUBLIC_API.replace("MODE", "iam_sigv4")
KEEP = {
    "Sid": "DenyUnencryptedUploads",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:PutObject",
    "Resource": "arn:aws:s3:::shop-assets-test/*",
    "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}},
}


def errors_of(path: Path) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    lines = str(caught.value).splitlines()
    assert all(line.startswith(f"{path}:") and ": error: " in line for line in lines), lines
    return [line.removeprefix(f"{path}:") for line in lines]


def policy_file(folder: Path, statements: object, name: str = "policy.json") -> str:
    (folder / name).write_text(json.dumps({"Version": "2012-10-17", "Statement": statements}), encoding="utf-8")
    return name


@pytest.mark.parametrize(
    ("spec", "where", "command"),
    [
        (ADOPTED, "10:17: error: distributions.0.origins.0.bucket", "aws s3api get-bucket-policy --bucket"),
        (WEBSITE, "10:17: error: distributions.0.origins.0.bucket", "aws s3api get-bucket-policy --bucket"),
        (API, "10:14: error: distributions.0.origins.0.api", "aws apigateway get-rest-api --rest-api-id a1b2c3d4e5"),
        (REFERER_API, "10:14: error: distributions.0.origins.0.api", "get-rest-api --rest-api-id a1b2c3d4e5 --query"),
        (SIGNED_API, "10:14: error: distributions.0.origins.0.api", "get-rest-api --rest-api-id a1b2c3d4e5 --query"),
    ],
    ids=["s3", "s3_website", "api_gateway", "resource_policy", "iam_sigv4"],
)
def test_adoption_without_current_policy_is_refused_with_the_command_that_saves_it(
    write_spec: Callable[[str], Path], spec: str, where: str, command: str
) -> None:
    (error,) = errors_of(write_spec(spec.replace(", POLICY", "")))
    assert error.startswith(where), error
    assert command in error and "current_policy: none" in error


@pytest.mark.parametrize(
    "spec",
    [
        MINIMAL_SPEC.replace("{name: shop-assets-test}", "{name: shop-assets-test, current_policy: none}"),
        API.replace("rest_api_id: a1b2c3d4e5, POLICY", "create_demo: true, current_policy: none"),
        REFERER_API.replace("rest_api_id: a1b2c3d4e5, POLICY", "create_demo: true, current_policy: none"),
        SIGNED_API.replace("rest_api_id: a1b2c3d4e5, POLICY", "create_demo: true, current_policy: none"),
    ],
    ids=["created-bucket", "demo-api", "demo-referer-api", "demo-signed-api"],
)
def test_current_policy_of_something_cfgen_creates_is_refused(write_spec: Callable[[str], Path], spec: str) -> None:
    (error,) = errors_of(write_spec(spec))
    assert "current_policy" in error and "remove current_policy" in error, error


@pytest.mark.parametrize(
    "spec",
    [ADOPTED, WEBSITE, API, REFERER_API, SIGNED_API],
    ids=["s3", "s3_website", "api_gateway", "resource_policy", "iam_sigv4"],
)
def test_current_policy_none_is_valid(write_spec: Callable[[str], Path], spec: str) -> None:
    load_spec(write_spec(spec.replace("POLICY", "current_policy: none")))


def test_kept_statements_are_read_from_every_form_the_clis_print(tmp_path: Path) -> None:
    document = {"Version": "2012-10-17", "Statement": [KEEP]}
    text = json.dumps(document)
    forms = {
        "plain.json": text,
        "wrapped.json": json.dumps({"Policy": text}),  # get-bucket-policy without --query
        "escaped.json": text.replace('"', '\\"').replace("/", "\\/"),  # get-rest-api --query policy
        "single.json": json.dumps({"Version": "2012-10-17", "Statement": KEEP}),
    }
    for name, content in forms.items():
        (tmp_path / name).write_text(content + "\n", encoding="utf-8")
        kept = _policies.kept_policy(tmp_path, name, _policies.RESERVED_SIDS["s3"])
        assert json.loads(kept) == document, name


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (
            [KEEP, {**KEEP, "Sid": "DenyInsecureTransport"}],
            "statement 2 of 'policy.json' has Sid 'DenyInsecureTransport', which a statement cfgen writes has too",
        ),
        ([KEEP, KEEP], "statements 1 and 2 of 'policy.json' have the same Sid 'DenyUnencryptedUploads'"),
        ([{**KEEP, "Effect": "Permit"}], "statement 1 of 'policy.json' has Effect \"Permit\"; use Allow or Deny"),
        ([], "has no Statement"),
        (["s3:GetObject"], "statement 1 of 'policy.json' is not a JSON object"),
        ([{**KEEP, "Sid": 7}], "has a Sid that is not text"),
    ],
    ids=["cfgen-sid", "duplicate-sid", "effect", "empty", "not-object", "sid-type"],
)
def test_a_policy_file_the_merge_would_change_or_aws_refuse_is_one_located_line(
    write_spec: Callable[[str], Path], tmp_path: Path, statements: object, expected: str
) -> None:
    name = policy_file(tmp_path, statements)
    (error,) = errors_of(write_spec(ADOPTED.replace("POLICY", f"current_policy: {name}")))
    assert error.startswith("10:73: error: distributions.0.origins.0.bucket.current_policy: "), error
    assert expected in error


@pytest.mark.parametrize(
    ("spec", "sid"),
    [
        (WEBSITE, "AllowGetObjectWithSecretReferer"),
        (API, "DenyInvokeFromElsewhere"),
        (REFERER_API, "AllowInvoke"),
        (SIGNED_API, "DenyInvokeByAnyoneElse"),
    ],
    ids=["s3_website", "api_gateway", "resource_policy", "iam_sigv4"],
)
def test_each_origin_type_reserves_the_sids_its_module_writes(
    write_spec: Callable[[str], Path], tmp_path: Path, spec: str, sid: str
) -> None:
    name = policy_file(tmp_path, [{**KEEP, "Sid": sid}])
    (error,) = errors_of(write_spec(spec.replace("POLICY", f"current_policy: {name}")))
    assert f"Sid '{sid}', which a statement cfgen writes has too" in error


def _deep(folder: Path) -> str:
    (folder / "deep.json").write_text("[" * 19000, encoding="utf-8")
    return "deep.json"


def _large(folder: Path) -> str:
    return policy_file(folder, [{**KEEP, "Sid": f"S{n}"} for n in range(200)], "large.json")


def _outside(folder: Path) -> str:
    (folder.parent / "elsewhere.json").write_text(json.dumps({"Statement": [KEEP]}), encoding="utf-8")
    return "../elsewhere.json"


def _fifo(folder: Path) -> str:
    os.mkfifo(folder / "pipe.json")
    return "pipe.json"


def _version(folder: Path) -> str:
    (folder / "v.json").write_text(json.dumps({"Version": "2020-01-01", "Statement": [KEEP]}), encoding="utf-8")
    return "v.json"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (_deep, "'deep.json' is not a JSON policy document"),
        (_large, "'large.json' is over 20 KB"),
        (_outside, "resolves outside the spec's folder"),
        (_fifo, "'pipe.json' is a FIFO"),
        (_version, 'has Version "2020-01-01"'),
    ],
    ids=["nested", "large", "outside", "fifo", "version"],
)
def test_a_policy_file_is_read_like_every_file_a_spec_names(
    write_spec: Callable[[str], Path], tmp_path: Path, make: Callable[[Path], str], expected: str
) -> None:
    spec_dir = tmp_path / "specs"
    spec_dir.mkdir()
    name = make(spec_dir)
    spec = spec_dir / "spec.yaml"
    spec.write_text(ADOPTED.replace("POLICY", f"current_policy: {name}"), encoding="utf-8")
    (error,) = errors_of(spec)
    assert "bucket.current_policy: " in error and expected in error, error


def test_a_key_cfgen_creates_is_refused_on_an_adopted_bucket(write_spec: Callable[[str], Path]) -> None:
    spec = ADOPTED.replace("POLICY", "current_policy: none").replace(
        "bucket: {", "kms: {create: true}\n        bucket: {"
    )
    (error,) = errors_of(write_spec(spec))
    assert "distributions.0.origins.0: kms: {create: true} makes cfgen's key the adopted bucket's default" in error
    assert "kms: {key_arn:" in error


def test_current_policy_is_refused_where_cfgen_does_not_write_the_apis_policy(
    write_spec: Callable[[str], Path],
) -> None:
    spec = PUBLIC_API.replace("MODE", "api_key").replace("POLICY", "current_policy: none")
    (error,) = errors_of(write_spec(spec))
    assert error.startswith("10:40: error: distributions.0.origins.0.api.current_policy: unknown key"), error


MODULES = EXAMPLES.parent / "modules"
# Where each module writes the statements whose Sids a kept policy may not use.
MODULE_SIDS = {
    "s3": "s3-origin",
    "s3_website": "s3-website-origin",
    "api_gateway/private_vpc_origin": "private-api-origin",
    "api_gateway/resource_policy": "api-gateway-policy",
    "api_gateway/iam_sigv4": "api-gateway-policy",
}


@pytest.mark.parametrize("key", list(_policies.RESERVED_SIDS))
def test_the_reserved_sids_are_the_ones_each_module_writes(key: str) -> None:
    main = (MODULES / MODULE_SIDS[key] / "main.tf").read_text(encoding="utf-8")
    written = set(re.findall(r'\b[Ss]id\s+=\s+"([A-Za-z0-9]+)"', main))
    # A subset: the modules write other policies too (a key's, an endpoint's), whose Sids a kept one may use.
    assert set(_policies.RESERVED_SIDS[key]) <= written
