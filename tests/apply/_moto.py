"""A moto server on loopback, and a root module applied against it.

moto stands in for S3, CloudFront, KMS, IAM and STS. The render under test is
copied into the test's own folder, and only that copy gets the provider
override that points every endpoint at moto (as the offline harness does for
its plans): nothing of the test reaches the rendered production files.

Known moto gaps (not cfgen's): no VPC origins, no OAIs, no response-headers
policies; key groups cannot be deleted; a few distribution fields come back
incomplete, so a second plan after apply is not empty.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfgen.harness import _terraform

OVERRIDE_FILE = "cfgen_moto_override.tf"
REGION = "eu-west-1"
_SERVICES = ("s3", "s3control", "cloudfront", "kms", "iam", "sts")


@dataclass
class Moto:
    """A running moto server, and boto3 clients of it."""

    process: subprocess.Popen[bytes]
    endpoint: str

    @classmethod
    def start(cls, log: Path) -> Moto:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        server = cls(process, f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{server.endpoint}/moto-api/", timeout=2)
                return server
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    server.stop()
                    raise RuntimeError(f"moto did not start; see {log}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop the server this test started (by its process, never by name)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


def override_text(endpoint: str) -> str:
    """The provider override of the copy: moto's endpoints, its fixed credentials, no account lookups."""
    endpoints = "".join(f'    {name:<10} = "{endpoint}"\n' for name in _SERVICES)
    return (
        "# Written by cfgen's apply tests into their copy only: every call goes to moto on loopback.\n"
        'provider "aws" {\n'
        '  access_key                  = "testing"\n'
        '  secret_key                  = "testing"\n'
        "  skip_credentials_validation = true\n"
        "  skip_requesting_account_id  = true\n"
        "  skip_metadata_api_check     = true\n"
        "  skip_region_validation      = true\n"
        "  s3_use_path_style           = true\n"
        "\n"
        "  endpoints {\n"
        f"{endpoints}"
        "  }\n"
        "}\n"
    )


@dataclass
class Applied:
    """A copy of a render, initialised against the provider mirror, that runs terraform commands."""

    module_dir: Path
    binary: str
    env: dict[str, str]

    @classmethod
    def copy_of(cls, tree: Path, work: Path, moto: Moto, mirror: Path) -> Applied:
        module_dir = work / "module"
        _terraform.copy_tree(tree, module_dir)
        (module_dir / OVERRIDE_FILE).write_text(override_text(moto.endpoint), encoding="utf-8")
        (work / "cli.tfrc").write_text(_terraform.cli_config_text(mirror), encoding="utf-8")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))},
            "TF_CLI_CONFIG_FILE": str(work / "cli.tfrc"),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        applied = cls(module_dir, _terraform.find_binary(None), env)
        applied.run("init", "-no-color")
        return applied

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [self.binary, f"-chdir={self.module_dir}", *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=900,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done
