"""An S3 origin's origin_path reaches the distribution: CloudFront serves that folder of the bucket."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from tests.plan._plans import Planner, plan_spec

from cfgen import _service

pytestmark = pytest.mark.plan

SPEC = """\
version: 1
project: shop
region: eu-west-1
distributions:
  - name: web
    default_root_object: index.html
    origins:
      - id: assets
        type: s3
        bucket: {name: shop-assets-test}
        origin_path: /site
    behaviors:
      - {path: default, origin: assets}
"""


def test_the_folder_the_spec_names_is_the_origin_path_cloudfront_uses(tmp_path: Path, planner: Planner) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(textwrap.dedent(SPEC))
    plan, rendered = plan_spec(spec, tmp_path, planner)
    distribution = next(c for c in plan["resource_changes"] if c["type"] == "aws_cloudfront_distribution")
    (origin,) = distribution["change"]["after"]["origin"]
    assert origin["origin_path"] == "/site"
    assert all(f.passed for f in _service.prove(plan, rendered.bindings))
