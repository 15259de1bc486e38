"""Advice on a valid spec: choices that work but that cfgen recommends against.

Each warning yields ``(path, message)`` like a rule; the loader locates it
and keeps it on :class:`~cfgen.spec.LoadedSpec` instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterator

from ._routes import verify_target
from .api_gateway import ApiGatewayApiKeyOrigin
from .models import S3Origin, Spec
from .vpc_origins import Ec2Origin, NlbOrigin

Warning_ = tuple[tuple[str | int, ...], str]


def check(spec: Spec) -> Iterator[Warning_]:
    """Every warning of ``spec``, in document order."""
    for i, dist in enumerate(spec.distributions):
        for j, origin in enumerate(dist.origins):
            if isinstance(origin, S3Origin) and origin.protection == "oai":
                yield (
                    ("distributions", i, "origins", j, "protection"),
                    "Origin Access Identity is legacy: any distribution of this AWS account can be given the "
                    "same OAI and read the bucket, while OAC names this distribution. Use `protection: oac` "
                    "(Origin Access Control, which also signs PUT/POST and reads SSE-KMS objects); "
                    "`protection: oai_to_oac` migrates an existing OAI origin without an outage",
                )
            if isinstance(origin, S3Origin):
                yield from _s3_verify_path(spec, i, j)
            if isinstance(origin, NlbOrigin | Ec2Origin):
                what = "an NLB" if isinstance(origin, NlbOrigin) else "an instance"
                yield (
                    ("distributions", i, "origins", j, "type"),
                    f"{what} cannot check a secret header, so any VPC origin of this account (another "
                    "distribution's) reaches it: CloudFront-VPCOrigins-Service-SG admits them all. Make the origin "
                    "check a secret or client certificate itself, or deny cloudfront:CreateVpcOrigin by SCP to all "
                    "but this pipeline; `type: alb` checks the header for you",
                )
            if isinstance(origin, ApiGatewayApiKeyOrigin) and origin.api.rest_api_id is not None:
                yield (
                    ("distributions", i, "origins", j, "api", "rest_api_id"),
                    "an existing API's methods are not in the plan: cfgen cannot prove that each requires a key, "
                    "and one without api_key_required answers anyone (its own usage plans' keys open it too). "
                    "`protection: waf_header` guards every method of the stage without a redeploy",
                )
            if isinstance(origin, Ec2Origin) and not origin.instance.keep_security_groups:
                yield (
                    ("distributions", i, "origins", j, "instance"),
                    "cfgen's security group will be this interface's only one, and EC2 keeps at least one group on an "
                    "interface: `terraform destroy` cannot detach it and stops there, leaving the instance behind "
                    "cfgen's group. Before a destroy, attach a group of yours to the interface (one without ingress "
                    "rules keeps it closed)",
                )


def _s3_verify_path(spec: Spec, i: int, j: int) -> Iterator[Warning_]:
    """A verify path that names no object: S3 refuses it exactly as it refuses a request it denies."""
    dist = spec.distributions[i]
    origin = dist.origins[j]
    target = verify_target(dist, origin)
    if target.path is None or not target.direct_path.endswith("/"):
        return
    field = "verify_path" if origin.verify_path is not None else "id"
    yield (
        ("distributions", i, "origins", j, field),
        f"`cfgen verify` requests {target.path} through the distribution, which names no object of the bucket, "
        "and S3 answers 403 to a key that does not exist (or to the bucket's listing) just as it answers a refused "
        "request, so verify would report the distribution's path refused: set verify_path to an object that exists, "
        f"such as {target.path.rstrip('/')}/index.html"
        + (", or the distribution's default_root_object" if target.path == "/" else ""),
    )
