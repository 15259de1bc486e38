"""Advice on a valid spec: choices that work but that cfgen recommends against.

Each warning yields ``(path, message)`` like a rule; the loader locates it
and keeps it on :class:`~cfgen.spec.LoadedSpec` instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterator

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
            if isinstance(origin, NlbOrigin | Ec2Origin):
                what = "an NLB" if isinstance(origin, NlbOrigin) else "an instance"
                yield (
                    ("distributions", i, "origins", j, "type"),
                    f"{what} cannot check a secret header, so any VPC origin of this account (another "
                    "distribution's) reaches it: CloudFront-VPCOrigins-Service-SG admits them all. Make the origin "
                    "check a secret or client certificate itself, or deny cloudfront:CreateVpcOrigin by SCP to all "
                    "but this pipeline; `type: alb` checks the header for you",
                )
            if isinstance(origin, Ec2Origin) and not origin.instance.keep_security_groups:
                yield (
                    ("distributions", i, "origins", j, "instance"),
                    "cfgen's security group will be this interface's only one, and EC2 keeps at least one group on an "
                    "interface: `terraform destroy` cannot detach it and stops there, leaving the instance behind "
                    "cfgen's group. Before a destroy, attach a group of yours to the interface (one without ingress "
                    "rules keeps it closed)",
                )
