"""Which path `cfgen verify` requests through the distribution for each origin, and what validate says of it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import EXAMPLES

from cfgen.errors import SpecError
from cfgen.spec import load_spec, verify_target
from cfgen.spec.models import origin_models

# A distribution with an origin per kind of behavior verify must route through.
ROUTES = """\
version: 1
project: shop
region: eu-west-1
distributions:
  - name: web
    default_root_object: index.html
    key_groups:
      - name: readers
        public_keys: [{name: k1, pem_file: k1.pub.pem}]
    origins:
      - {id: site, type: s3, bucket: {name: shop-site-test}}
      - {id: media, type: s3, bucket: {name: shop-media-test}}
      - {id: pics, type: s3, bucket: {name: shop-pics-test}}
      - {id: vault, type: s3, bucket: {name: shop-vault-test}}
      - {id: backup, type: s3, bucket: {name: shop-backup-test}}
    origin_groups:
      - {id: failover, primary: pics, secondary: backup}
    behaviors:
      - {path: /media/*, origin: media}
      - {path: "*.jpg", origin: failover, methods: read}
      - {path: /vault/*, origin: vault, trusted_key_groups: [readers]}
      - {path: default, origin: site}
"""


@pytest.fixture
def routes_spec(write_spec: Callable[[str], Path]) -> Callable[[str], Path]:
    key = (EXAMPLES / "signed-downloads" / "keys" / "k2026.pub.pem").read_text(encoding="utf-8")

    def _write(text: str = ROUTES) -> Path:
        spec = write_spec(text)
        (spec.parent / "k1.pub.pem").write_text(key, encoding="utf-8")
        return spec

    return _write


def test_each_origin_gets_a_path_its_own_behavior_serves(routes_spec: Callable[[str], Path]) -> None:
    dist = load_spec(routes_spec()).spec.distributions[0]
    targets = {o.id: verify_target(dist, o) for o in dist.origins}
    assert {k: (t.path, t.direct_path) for k, t in targets.items()} == {
        "site": ("/", "/index.html"),  # the default root object is what the origin is asked for
        "media": ("/media/", "/media/"),
        "pics": ("/.jpg", "/.jpg"),  # through the origin group, whose primary it is
        "vault": (None, "/"),
        "backup": (None, "/"),
    }
    assert "signed URL" in targets["vault"].note
    assert "secondary of origin group failover" in targets["backup"].note


@pytest.mark.parametrize(
    ("origin", "given", "message"),
    [
        ("media", "/index.html", "reaches origin 'site' (the default behavior is the first that matches it)"),
        ("site", "/media/a.png", "reaches origin 'media' (behavior '/media/*' is the first that matches it)"),
        ("vault", "/vault/a.pdf", "matches behavior '/vault/*', which needs a signed URL"),
        ("pics", "/media/a.jpg", "reaches origin 'media'"),  # the earlier behavior wins, as in CloudFront
    ],
)
def test_a_verify_path_that_reaches_another_origin_is_refused(
    routes_spec: Callable[[str], Path], origin: str, given: str, message: str
) -> None:
    text = ROUTES.replace(f"{{id: {origin}, type: s3,", f"{{id: {origin}, verify_path: '{given}', type: s3,")
    with pytest.raises(SpecError) as caught:
        load_spec(routes_spec(text))
    (problem,) = caught.value.problems
    assert problem.path.endswith(".verify_path") and message in problem.message


def test_a_verify_path_of_its_own_behavior_is_kept(routes_spec: Callable[[str], Path]) -> None:
    text = ROUTES.replace("{id: media, type: s3,", "{id: media, verify_path: /media/logo.png, type: s3,")
    loaded = load_spec(routes_spec(text))
    dist = loaded.spec.distributions[0]
    assert verify_target(dist, dist.origins[1]).path == "/media/logo.png"
    # An object, not a folder: the warning about S3's 403 for a missing key is gone.
    assert [w.path for w in loaded.warnings if "verify" in w.message] == []


def test_s3_warns_when_verify_would_ask_for_no_object(routes_spec: Callable[[str], Path]) -> None:
    warned = [w for w in load_spec(routes_spec()).warnings if "verify" in w.message]
    assert [w.path for w in warned] == ["distributions.0.origins.1.id"]  # media: /media/ is no object
    assert "set verify_path to an object that exists, such as /media/index.html" in warned[0].message


def test_every_origin_model_has_verify_path() -> None:
    """A new origin type must let the spec say what verify requests (see patterns/_probes.py)."""
    assert [m.__name__ for m in origin_models() if "verify_path" not in m.model_fields] == []
