"""Specs that validated and then failed at plan (hashicorp/aws 5.100.0) or at apply: now refused at validate.

Regression tests of issue 8. Derived names are in test_names.py; strings that
gave invalid HCL in test_hcl_strings.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES, MINIMAL_SPEC
from tests.unit.test_spec import errors_of

from cfgen.spec import load_spec

ALB = (EXAMPLES / "alb-vpc-origin" / "spec.yaml").read_text()
API = (EXAMPLES / "private-api-vpc-origin" / "spec.yaml").read_text()
CERT = "arn:aws:acm:us-east-1:111111111111:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"


def _errors(write_spec: Callable[[str], Path], text: str) -> list[str]:
    return errors_of(write_spec(text))


@pytest.mark.parametrize("version", ["TLSv1.2_2025", "TLSv1.3_2025"])
def test_tls_policies_the_provider_does_not_know_are_refused(write_spec: Callable[[str], Path], version: str) -> None:
    spec = MINIMAL_SPEC.replace(
        "    default_root_object: index.html\n",
        "    default_root_object: index.html\n    aliases: [www.example.com]\n"
        f"    viewer_certificate: {{acm_certificate_arn: '{CERT}', minimum_protocol_version: {version}}}\n",
    )
    [line] = _errors(write_spec, spec)
    assert line.endswith(
        f"distributions.0.viewer_certificate.minimum_protocol_version: {version} is a CloudFront policy that "
        "hashicorp/aws 5.100.0 (the provider version cfgen renders for and tests with) refuses at plan; it needs a "
        "provider release that lists it. Use TLSv1.2_2021"
    )


@pytest.mark.parametrize(
    ("cidr", "expected"),
    [
        ("10.20.2.7", "'10.20.2.7' is not an IPv4 CIDR written as address/prefix length, e.g. 10.0.1.0/24"),
        (
            "10.20.2.0/255.255.255.0",
            "'10.20.2.0/255.255.255.0' is not an IPv4 CIDR written as address/prefix length, e.g. 10.0.1.0/24",
        ),
        ("10.16.0.0/12", "subnet CIDR 10.16.0.0/12 has a /12 prefix; AWS subnets are /16 to /28"),
        ("10.20.2.0/29", "subnet CIDR 10.20.2.0/29 has a /29 prefix; AWS subnets are /16 to /28"),
    ],
)
def test_cidrs_aws_would_refuse(write_spec: Callable[[str], Path], cidr: str, expected: str) -> None:
    lines = _errors(write_spec, ALB.replace("10.20.2.0/24", cidr))
    assert any(line.endswith(f"distributions.0.origins.0.network.subnets.1.cidr: {expected}") for line in lines), lines


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ("{aws:team: x}", "tags.aws:team: tag key 'aws:team' starts with aws:, which AWS keeps for its own tags"),
        ("{AWS:team: x}", "tags.AWS:team: tag key 'AWS:team' starts with aws:"),
        ("{" + "k" * 129 + ": x}", "tag key has 129 characters; AWS allows 128"),
        ("{team: " + "v" * 257 + "}", "tags.team: the value of tag 'team' has 257 characters; AWS allows 256"),
        ("{'a#b': x}", "tags.a#b: tag key 'a#b' holds '#'; AWS tags take letters, digits, spaces and _.:/=+-@ only"),
        ("{'${x}': x}", "tags.${x}: tag key '${x}' holds '$'; AWS tags take letters, digits, spaces and _.:/=+-@ only"),
        ('{team: "a\\tb"}', "tags.team: tag value 'a\\tb' holds '\\t'"),
        ("{" + ", ".join(f"t{i}: x" for i in range(50)) + "}", "tags: 50 tags; AWS allows 50 on a resource"),
    ],
)
def test_tags_aws_would_refuse(write_spec: Callable[[str], Path], tags: str, expected: str) -> None:
    lines = _errors(write_spec, MINIMAL_SPEC + f"tags: {tags}\n")
    assert any(expected in line for line in lines), lines


def test_tags_of_any_script_with_aws_symbols_are_fine(write_spec: Callable[[str], Path]) -> None:
    spec = MINIMAL_SPEC + "tags: {'équipe': 'web 2', 'cost-center/a.b:c=d+e@f_g': 'Ünïcode 数字'}\n"
    assert load_spec(write_spec(spec)).spec.tags["équipe"] == "web 2"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/" + "a" * 255, "has 256 characters; at most 255 are allowed"),
        ("/a b", "'/a b' is not a URL path such as /site"),
        ("/a/", "'/a/' is not a URL path such as /site"),
        ("a", "'a' is not a URL path such as /site"),
        ('"/a\\bb"', "is not a URL path such as /site"),
    ],
)
def test_origin_paths_cloudfront_would_refuse(write_spec: Callable[[str], Path], path: str, expected: str) -> None:
    spec = ALB.replace("        origin_domain:", f"        origin_path: {path}\n        origin_domain:")
    lines = _errors(write_spec, spec)
    assert any("distributions.0.origins.0.origin_path: " in line and expected in line for line in lines), lines


def test_an_origin_path_cloudfront_takes_is_accepted(write_spec: Callable[[str], Path]) -> None:
    spec = ALB.replace("        origin_domain:", "        origin_path: /v1/app_%20~x\n        origin_domain:")
    assert load_spec(write_spec(spec)).spec.distributions[0].origins[0].origin_path == "/v1/app_%20~x"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    default_root_object: index.html",
            '    comment: "a\\bb"',
            "distributions.0.comment: holds the control character U+0008; AWS takes printable text here: remove it",
        ),
        (
            "default_root_object: index.html",
            'default_root_object: "index\\f.html"',
            "distributions.0.default_root_object: 'index\\x0c.html' is not an object name such as index.html",
        ),
        (
            "default_root_object: index.html",
            "default_root_object: my index.html",
            "'my index.html' is not an object name such as index.html: letters, digits and _-.*$/~\"'@:+& only",
        ),
    ],
)
def test_free_text_aws_would_refuse(write_spec: Callable[[str], Path], old: str, new: str, expected: str) -> None:
    assert old in MINIMAL_SPEC
    lines = _errors(write_spec, MINIMAL_SPEC.replace(old, new))
    assert any(expected in line for line in lines), lines


def test_a_website_document_with_a_control_character_is_refused(write_spec: Callable[[str], Path]) -> None:
    spec = (EXAMPLES / "s3-website" / "spec.yaml").read_text()
    assert "index_document: index.html" in spec
    lines = _errors(write_spec, spec.replace("index_document: index.html", 'index_document: "index\\b.html"'))
    assert any("index_document: 'index\\x08.html' is not an object name without / or control" in x for x in lines)


def test_one_rest_api_in_two_origins_is_refused(write_spec: Callable[[str], Path]) -> None:
    spec = re.sub(r"api: \{create_demo: true[^\n]*\}", "api: {rest_api_id: a1b2c3d4e5, current_policy: none}", API)
    assert "rest_api_id" in spec
    distribution = spec[spec.index("  - name: api") :].replace("name: api", "name: api2")
    lines = _errors(write_spec, spec + distribution)
    assert any(
        "distributions.1.origins.0.api.rest_api_id: API a1b2c3d4e5 is already the origin 'api/orders'; an API has "
        "one resource policy" in line
        for line in lines
    ), lines
