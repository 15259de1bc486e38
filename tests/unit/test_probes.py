"""What each pattern declares for `cfgen verify`: probes of paths its threat model has, endpoints its view outputs."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import EXAMPLES

from cfgen.patterns import PATTERNS, pattern_for
from cfgen.patterns._probes import DISTRIBUTION, ENDPOINTS, Probe, check_probes, probe
from cfgen.patterns._threats import ThreatModel, path
from cfgen.render import render
from cfgen.spec import load_spec

CASES = sorted(p.parent for p in EXAMPLES.glob("*/spec.yaml"))


def test_declarations_name_paths_of_their_threat_model() -> None:
    for key, pattern in PATTERNS.items():
        paths = {p.key for p in pattern.threats.paths}
        assert pattern.probes[0] == DISTRIBUTION, key
        assert {p.path for p in pattern.probes} <= paths, key
        assert all(p.endpoint in ENDPOINTS for p in pattern.probes), key


@pytest.mark.parametrize(
    ("probes", "message"),
    [
        ((probe("internet", "s3_rest"),), "exactly one probe through its distribution"),
        ((DISTRIBUTION, DISTRIBUTION), "exactly one probe through its distribution"),
        ((DISTRIBUTION, probe("vpc_hosts", "origin_domain")), "paths the threat model does not declare"),
        ((DISTRIBUTION, probe("internet", "s3_rest"), probe("internet", "s3_rest")), "declared twice"),
    ],
)
def test_a_bad_declaration_fails_when_the_registry_loads(probes: tuple[Probe, ...], message: str) -> None:
    threats = ThreatModel(
        hops=("viewer", "origin"),
        paths=(path("distribution", "allowed"), path("internet", "closed", ("P",))),
    )
    with pytest.raises(ValueError, match=message):
        check_probes(threats, probes)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nowhere", "s3_rest"), "unknown path"),
        (("internet", "ftp_site"), "unknown endpoint"),
        (("internet", "distribution"), "only it"),
    ],
)
def test_a_probe_names_known_paths_and_endpoints(args: tuple[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        probe(*args)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_origin_outputs_the_endpoints_its_pattern_probes(case: Path) -> None:
    spec = load_spec(case / "spec.yaml").spec
    for dist in spec.distributions:
        for origin in dist.origins:
            pattern = pattern_for(origin.type, origin.protection)
            view = pattern.view(spec, dist, origin)
            given = {"distribution", *view.endpoints}
            required = {p.endpoint for p in pattern.probes if not p.optional}
            assert required <= given <= {p.endpoint for p in pattern.probes}, f"{dist.name}/{origin.id}"


def test_the_endpoints_output_of_an_example() -> None:
    """The value render puts in `cfgen_endpoints`: the distribution's URL first, then the origin's."""
    rendered = render(load_spec(EXAMPLES / "s3-oac-basic" / "spec.yaml"))
    outputs = rendered.files["outputs.tf"]
    assert isinstance(outputs, str)
    assert '"site/assets" = {' in outputs
    assert 'distribution = "https://${module.site.domain_name}"' in outputs
    assert 's3_rest      = "https://demo-site-assets-example.s3.${var.region}.amazonaws.com"' in outputs
