"""What ``cfgen verify`` requests for a pattern after apply, as data next to its threat model.

A pattern declares, beside its ``THREATS``, the requests that show from
outside that its origin answers only through its distribution: one through the
distribution (:data:`DISTRIBUTION`, which must get the origin's answer) and one
for each direct endpoint the origin has (which must be refused or get no
answer), each naming the path of the threat model it tests, so that ``explain``'s
paths and ``verify``'s probes are the same paths.

Adding a pattern's probes is two declarations:

1. ``probes=`` in its :class:`~cfgen.patterns.Pattern`: :data:`DISTRIBUTION`
   and ``probe(path_key, endpoint_key)`` for each direct endpoint (with
   ``wrong_header=`` for a request that carries a deliberately wrong secret;
   ``optional=True`` when only some specs output the endpoint). A new endpoint
   key goes into :data:`ENDPOINTS` with the words a report shows.
2. ``endpoints=`` in the ``OriginView`` its ``view`` returns: for each
   endpoint key, the HCL of the URL at which the origin serves what the
   distribution's ``/`` reaches (the origin's path included), built with
   :func:`cfgen._hcl.template`. The root module outputs them all, with each
   distribution's URL, as ``cfgen_endpoints``; nothing secret goes there.

``Pattern`` checks the first when the registry loads; a test renders every
example and checks that the two agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ._threats import NAMES, ThreatModel

__all__ = ["ALWAYS_ANSWER", "DISTRIBUTION", "ENDPOINTS", "Expect", "Probe", "check_probes", "probe"]

Expect = Literal["served", "refused"]

# Every endpoint an origin may have, by the key it has in the output `cfgen_endpoints`: the same words for
# the same endpoint in every pattern.
ENDPOINTS = {
    "distribution": "the distribution's domain name",
    "s3_rest": "S3 REST endpoint, virtual-hosted style",
    "s3_rest_path": "S3 REST endpoint, path style",
    "s3_website": "S3 website endpoint",
    "execute_api": "the API's execute-api URL",
    "load_balancer": "the load balancer's DNS name",
    "origin_domain": "the origin's domain name",
    "function_url": "the Lambda function URL",
}
# Endpoints of AWS services that answer every request from the internet. When one gives no answer, verify
# could not test it from where it runs (no network, a proxy in the way): that is not the endpoint refusing.
ALWAYS_ANSWER = frozenset({"distribution", "s3_rest", "s3_rest_path", "s3_website", "execute_api", "function_url"})


@dataclass(frozen=True)
class Probe:
    """One request ``verify`` sends for every origin of a pattern.

    ``path`` is the key of the threat model's path it tests; ``endpoint`` the
    key of the URL it requests in the origin's entry of ``cfgen_endpoints``.
    Through the distribution, the origin's answer is expected; anywhere else,
    a refusal (401/403) or no answer at all. ``wrong_header`` names a header
    sent with a value ``verify`` generates (a secret it never knows), so the
    probe shows that a wrong secret is refused too.
    """

    path: str
    endpoint: str
    wrong_header: str = ""
    optional: bool = False

    def __post_init__(self) -> None:
        if self.path not in NAMES:
            raise ValueError(f"probe of unknown path {self.path!r}; paths are the keys of NAMES")
        if self.endpoint not in ENDPOINTS:
            raise ValueError(f"probe of unknown endpoint {self.endpoint!r}; add it to ENDPOINTS")
        if (self.path == "distribution") != (self.endpoint == "distribution"):
            raise ValueError("the path 'distribution' is probed through the distribution, and only it")

    @property
    def expect(self) -> Expect:
        return "served" if self.path == "distribution" else "refused"

    @property
    def what(self) -> str:
        """What was tried, in a report's words."""
        words = ENDPOINTS[self.endpoint]
        return f"{words}, with a wrong {self.wrong_header}" if self.wrong_header else words


def probe(path: str, endpoint: str, *, wrong_header: str = "", optional: bool = False) -> Probe:
    """A direct probe of ``endpoint`` that tests the path ``path`` of the threat model."""
    return Probe(path, endpoint, wrong_header, optional)


DISTRIBUTION = Probe("distribution", "distribution")


def check_probes(threats: ThreatModel, probes: Sequence[Probe]) -> None:
    """Raise ValueError unless ``probes`` fit ``threats``: one through the distribution, paths it declares."""
    if [p for p in probes if p.path == "distribution"] != [DISTRIBUTION]:
        raise ValueError("a pattern has exactly one probe through its distribution: DISTRIBUTION")
    keys = {p.key for p in threats.paths}
    unknown = sorted({p.path for p in probes} - keys)
    if unknown:
        raise ValueError(f"probes of paths the threat model does not declare: {unknown}")
    requests = [(p.endpoint, p.wrong_header) for p in probes]
    if len(requests) != len(set(requests)):
        raise ValueError(f"the same request is declared twice: {requests}")
