"""Rendering the distribution-wide parts: key groups, functions, strict headers, origin groups, Route 53."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from tests.unit.conftest import EDGE_SPEC

from cfgen import _service
from cfgen.render import render
from cfgen.spec import load_spec


@pytest.fixture
def rendered_edge(edge_spec: Callable[[str], Path]) -> dict[str, str | bytes]:
    return render(load_spec(edge_spec(EDGE_SPEC))).files


def test_public_key_is_copied_in_canonical_pem_and_read_with_file(
    edge_spec: Callable[[str], Path],
    rsa_2048: rsa.RSAPrivateKey,
) -> None:
    spec = edge_spec(EDGE_SPEC)
    # PKCS#1 "RSA PUBLIC KEY" in, SubjectPublicKeyInfo out: what CloudFront expects.
    (spec.parent / "keys" / "k1.pub.pem").write_bytes(
        rsa_2048.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
    )
    files = render(load_spec(spec)).files
    pem = files["keys/web-k1.pub.pem"]
    assert isinstance(pem, str) and pem.startswith("-----BEGIN PUBLIC KEY-----\n") and pem.endswith("\n")
    main = files["main.tf"]
    assert isinstance(main, str)
    assert 'encoded_key = file("${path.module}/keys/web-k1.pub.pem")' in main
    assert 'resource "aws_cloudfront_key_group" "web_readers"' in main
    assert "items   = [aws_cloudfront_public_key.web_k1.id]" in main
    assert "trusted_key_groups         = [aws_cloudfront_key_group.web_readers.id]" in main
    assert 'output "web_k1_public_key_id"' in str(files["outputs.tf"])


def test_function_code_is_copied_and_associated(rendered_edge: dict[str, str | bytes]) -> None:
    assert rendered_edge["functions/web-rewrite.js"] == "function handler(event) { return event.request; }\n"
    main = str(rendered_edge["main.tf"])
    assert 'runtime = "cloudfront-js-2.0"' in main
    assert 'code    = file("${path.module}/functions/web-rewrite.js")' in main
    assert 'event_type   = "viewer-request"' in main
    assert "function_arn = aws_cloudfront_function.web_rewrite.arn" in main


def test_origin_group_reaches_the_module_and_lifts_the_failover_skip(rendered_edge: dict[str, str | bytes]) -> None:
    main = str(rendered_edge["main.tf"])
    assert 'primary_origin_id   = "blue"' in main and 'secondary_origin_id = "green"' in main
    assert 'target_origin_id           = "site"' in main
    assert "CKV_AWS_310" not in main


def test_strict_headers_policy_and_route53_records(edge_spec: Callable[[str], Path]) -> None:
    spec = EDGE_SPEC.replace(
        "    default_root_object: index.html\n",
        "    default_root_object: index.html\n"
        "    aliases: [www.example.com]\n"
        "    viewer_certificate:\n"
        "      acm_certificate_arn: arn:aws:acm:us-east-1:111111111111:certificate/"
        "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0\n"
        "    route53: {zone_id: Z0123456789ABC}\n",
    ).replace("viewer_request: rewrite}", "viewer_request: rewrite, response_headers: strict}")
    main = str(render(load_spec(edge_spec(spec))).files["main.tf"])
    assert "response_headers_policy_id = aws_cloudfront_response_headers_policy.web_strict.id" in main
    for line in (
        "access_control_max_age_sec = 63072000",
        "preload                    = true",
        'frame_option = "DENY"',
        'referrer_policy = "strict-origin-when-cross-origin"',
        "content_security_policy = \"default-src 'self';",
    ):
        assert line in main
    assert 'resource "aws_route53_record" "web_alias_a"' in main
    assert 'resource "aws_route53_record" "web_alias_aaaa"' in main
    assert "zone_id                = module.web.hosted_zone_id" in main
    ipv4_only = spec.replace("    route53:", "    ipv6: false\n    route53:")
    no_ipv6 = str(render(load_spec(edge_spec(ipv4_only))).files["main.tf"])
    assert "web_alias_a" in no_ipv6 and "web_alias_aaaa" not in no_ipv6


def test_signed_behaviors_are_recorded_in_the_manifest(edge_spec: Callable[[str], Path]) -> None:
    loaded = load_spec(edge_spec(EDGE_SPEC))
    extra = _service._manifest_extra(loaded, render(loaded))
    assert extra["distributions"] == [
        {
            "distribution": "web",
            "module": "web",
            "signed_behaviors": [{"path": "/private/*", "key_groups": ["aws_cloudfront_key_group.web_readers"]}],
            "ordered_paths": ["/private/*"],
        }
    ]


def test_edge_render_is_fmt_clean(rendered_edge: dict[str, str | bytes], tmp_path: Path) -> None:
    import shutil
    import subprocess

    terraform = shutil.which("terraform") or shutil.which("tofu")
    if terraform is None:
        pytest.skip("needs terraform or tofu on PATH")
    for name in ("main.tf", "outputs.tf"):
        (tmp_path / name).write_text(str(rendered_edge[name]))
    result = subprocess.run([terraform, "fmt", "-check", "-no-color", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
