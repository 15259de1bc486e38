"""The target sync Lambda against a real moto server on loopback, and its reproducible zip.

The world (VPC, subnets, execute-api interface endpoint with its ENIs, IP
target group) is built with boto3 through the server's HTTP API, and the
function talks to it over HTTP with botocore's retry machinery in the loop.
"""

from __future__ import annotations

import io
import json
import os
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tests.lambdas._runtime import run_zipped

from cfgen._resources import lambdas_dir
from cfgen.artifacts import lambda_zip
from cfgen.errors import RenderError

sys.path.insert(0, str(lambdas_dir()))
from target_sync import _plan, handler

REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's default account
WRITES = {"RegisterTargets", "DeregisterTargets", "AddTags", "RemoveTags"}
STATE_KEY = "cfgen:target-sync:443"


# ---------------------------------------------------------------------------
# The world (the moto server and aws_env are in conftest.py)
# ---------------------------------------------------------------------------


@dataclass
class World:
    ec2: Any
    elbv2: Any
    vpc_id: str
    subnet_ids: list[str]
    endpoint_id: str
    tg_arn: str
    calls: list[str] = field(default_factory=list)  # API calls, one per operation (not per retry)
    sends: list[str] = field(default_factory=list)  # HTTP attempts, retries included

    def settings(self, **overrides: Any) -> handler.Settings:
        values: dict[str, Any] = {"vpc_endpoint_id": self.endpoint_id, "target_group_arn": self.tg_arn, **overrides}
        return handler.Settings(**values)

    def run(self, **overrides: Any) -> dict[str, Any]:
        return handler.sync(self.settings(**overrides), self.ec2, self.elbv2)

    def writes(self) -> list[str]:
        return [name for name in self.calls if name in WRITES]

    def endpoint_ips(self) -> set[str]:
        eni_ids = self.ec2.describe_vpc_endpoints(VpcEndpointIds=[self.endpoint_id])["VpcEndpoints"][0][
            "NetworkInterfaceIds"
        ]
        if not eni_ids:
            return set()
        enis = self.ec2.describe_network_interfaces(Filters=[{"Name": "network-interface-id", "Values": eni_ids}])[
            "NetworkInterfaces"
        ]
        return {eni["PrivateIpAddress"] for eni in enis}

    def endpoint_eni_ids(self) -> list[str]:
        return list(
            self.ec2.describe_vpc_endpoints(VpcEndpointIds=[self.endpoint_id])["VpcEndpoints"][0]["NetworkInterfaceIds"]
        )

    def targets(self) -> set[str]:
        health = self.elbv2.describe_target_health(TargetGroupArn=self.tg_arn)["TargetHealthDescriptions"]
        return {d["Target"]["Id"] for d in health}

    def state(self) -> str | None:
        tags = self.elbv2.describe_tags(ResourceArns=[self.tg_arn])["TagDescriptions"][0]["Tags"]
        return {t["Key"]: t["Value"] for t in tags}.get(STATE_KEY)

    def replace_endpoint_enis(self, eni_ids: list[str]) -> None:
        # AWS replaces an endpoint's ENIs when its subnets change, and the new
        # ENIs carry new IPs. moto's ModifyVpcEndpoint only edits the subnet
        # list, and no API sets an endpoint's NetworkInterfaceIds, so the
        # test rewires that list in the in-process moto backend: the ENIs are
        # real (created through the API), only the endpoint -> ENI link is set
        # by hand, and the function still reads it through DescribeVpcEndpoints.
        from moto.ec2.models import ec2_backends

        ec2_backends[ACCOUNT][REGION].vpc_end_points[self.endpoint_id].network_interface_ids = list(eni_ids)

    def new_eni(self, subnet_index: int) -> tuple[str, str]:
        eni = self.ec2.create_network_interface(SubnetId=self.subnet_ids[subnet_index])["NetworkInterface"]
        return eni["NetworkInterfaceId"], eni["PrivateIpAddress"]


def _record(world: World) -> None:
    def on_call(event_name: str, **_: Any) -> None:
        world.calls.append(event_name.rsplit(".", 1)[-1])

    def on_send(event_name: str, **_: Any) -> None:
        world.sends.append(event_name.rsplit(".", 1)[-1])

    for client in (world.ec2, world.elbv2):
        client.meta.events.register("before-call", on_call)
        client.meta.events.register("before-send", on_send)


def _build(subnets: int = 2, endpoint_subnets: int = 2) -> World:
    settings = handler.Settings("vpce-unset", f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/x/0")
    ec2, elbv2 = handler.make_clients(settings)
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{i + 1}.0/24", AvailabilityZone=f"{REGION}{'abc'[i]}")[
            "Subnet"
        ]["SubnetId"]
        for i in range(subnets)
    ]
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc_id,
        ServiceName=f"com.amazonaws.{REGION}.execute-api",
        VpcEndpointType="Interface",
        SubnetIds=subnet_ids[:endpoint_subnets],
        PrivateDnsEnabled=True,
    )["VpcEndpoint"]
    tg_arn = elbv2.create_target_group(
        Name="shop-api",
        Protocol="HTTPS",
        Port=443,
        VpcId=vpc_id,
        TargetType="ip",
        HealthCheckProtocol="HTTPS",
        Matcher={"HttpCode": "200,403"},
        Tags=[{"Key": "team", "Value": "web"}],
    )["TargetGroups"][0]["TargetGroupArn"]
    world = World(ec2, elbv2, vpc_id, subnet_ids, endpoint["VpcEndpointId"], tg_arn)
    _record(world)
    return world


@pytest.fixture
def world(aws_env: str) -> World:
    return _build(subnets=3, endpoint_subnets=2)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def throttle(client: Any, operation: str, times: int) -> Callable[[], int]:
    """Answer the next ``times`` HTTP attempts of ``operation`` with a 400 Throttling, as AWS does.

    The fake response replaces the HTTP send, so botocore's retry handler
    sees exactly what a throttled API returns (query-protocol error XML).
    Returns a function giving how many attempts were throttled.
    """
    from botocore.awsrequest import AWSResponse

    count = {"n": 0}
    body = (
        b'<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">'
        b"<Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
        b"<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    )

    def on_send(event_name: str, request: Any, **_: Any) -> AWSResponse | None:
        if not event_name.endswith("." + operation) or count["n"] >= times:
            return None
        count["n"] += 1
        return AWSResponse(request.url, 400, {"Content-Type": "text/xml"}, _Raw(body))

    client.meta.events.register("before-send", on_send)
    return lambda: count["n"]


# ---------------------------------------------------------------------------
# Sync behaviour
# ---------------------------------------------------------------------------


def test_first_run_registers_every_endpoint_ip(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    ips = world.endpoint_ips()
    assert len(ips) == 2

    summary = world.run()

    assert world.targets() == ips
    assert set(summary["registered"]) == ips
    assert summary["deregistered"] == []
    assert world.state() == " ".join(f"{ip}=0" for ip in sorted(ips, key=lambda ip: tuple(map(int, ip.split(".")))))
    # Claimed before registered: a crash in between never leaves an unclaimed target.
    assert world.writes() == ["AddTags", "RegisterTargets"]
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["action"] for line in lines] == ["write_state", "register", "register", "synced"]
    assert all(line["level"] == "info" for line in lines)


def test_second_run_makes_no_write_call(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.run()
    world.calls.clear()
    capsys.readouterr()

    summary = world.run()

    assert world.writes() == []
    assert summary["registered"] == summary["deregistered"] == []
    assert [json.loads(line)["action"] for line in capsys.readouterr().out.splitlines()] == ["unchanged"]


def test_changed_ip_is_registered_at_once_and_the_old_one_leaves_after_n_missing_runs(world: World) -> None:
    world.run()
    old_eni, keep_eni = world.endpoint_eni_ids()
    old_ip = next(iter(world.ec2.describe_network_interfaces(NetworkInterfaceIds=[old_eni])["NetworkInterfaces"]))[
        "PrivateIpAddress"
    ]
    new_eni, new_ip = world.new_eni(2)
    world.replace_endpoint_enis([keep_eni, new_eni])

    # Runs 1 and 2 of 3: the new IP is in from the first, the old one stays.
    summary = world.run(missing_runs_before_deregister=3)
    assert summary["registered"] == [new_ip]
    assert old_ip in world.targets() and new_ip in world.targets()
    assert f"{old_ip}=1" in (world.state() or "")
    world.run(missing_runs_before_deregister=3)
    assert old_ip in world.targets()
    assert f"{old_ip}=2" in (world.state() or "")

    # Run 3: missing three runs in a row, deregistered and forgotten.
    world.calls.clear()
    summary = world.run(missing_runs_before_deregister=3)
    assert summary["deregistered"] == [old_ip]
    assert world.targets() == world.endpoint_ips()
    assert old_ip not in (world.state() or "")
    assert world.writes() == ["AddTags", "DeregisterTargets", "AddTags"]

    world.calls.clear()
    world.run(missing_runs_before_deregister=3)
    assert world.writes() == []


def test_an_ip_that_comes_back_resets_its_missing_count(world: World) -> None:
    world.run()
    eni_a, eni_b = world.endpoint_eni_ids()
    world.replace_endpoint_enis([eni_a])
    world.run()
    world.run()
    world.replace_endpoint_enis([eni_a, eni_b])

    world.run()

    assert world.targets() == world.endpoint_ips()
    assert "=1" not in (world.state() or "") and "=2" not in (world.state() or "")
    world.replace_endpoint_enis([eni_a])
    world.run()
    world.run()
    assert len(world.targets()) == 2, "the count started again from zero"


def test_missing_eni_neither_crashes_nor_empties_the_group(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.run()
    before = world.targets()
    gone, _ = world.endpoint_eni_ids()
    world.ec2.delete_network_interface(NetworkInterfaceId=gone)
    assert gone in world.endpoint_eni_ids(), "the endpoint still lists the deleted ENI"
    capsys.readouterr()

    for _ in range(5):
        world.run(missing_runs_before_deregister=3)

    log = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {
        "level": "warning",
        "action": "eni_not_found",
        "vpc_endpoint": world.endpoint_id,
        "network_interface": gone,
    } in log
    # The IP of the vanished ENI is missing like any other, and leaves after
    # three runs; the other one stays, so the group is never empty.
    assert world.targets() == world.endpoint_ips()
    assert len(world.targets()) == 1 and world.targets() < before


def test_endpoint_with_no_ip_changes_nothing(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    world.run()
    before, state = world.targets(), world.state()
    world.replace_endpoint_enis([])
    world.calls.clear()
    capsys.readouterr()

    for _ in range(4):
        with pytest.raises(handler.SyncError, match="no ENI IPs"):
            world.run(missing_runs_before_deregister=1)

    assert world.writes() == []
    assert world.targets() == before and world.state() == state
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["action"] == "no_endpoint_ips"


def test_an_endpoint_created_without_subnets_registers_nothing(aws_env: str) -> None:
    world = _build(subnets=1, endpoint_subnets=0)
    assert world.endpoint_eni_ids() == []

    with pytest.raises(handler.SyncError, match="no ENI IPs"):
        world.run()

    assert world.writes() == [] and world.targets() == set()


def test_targets_registered_by_someone_else_are_never_touched(world: World) -> None:
    endpoint_ip = sorted(world.endpoint_ips())[0]
    world.elbv2.register_targets(
        TargetGroupArn=world.tg_arn, Targets=[{"Id": "10.0.3.99", "Port": 443}, {"Id": endpoint_ip, "Port": 443}]
    )

    summary = world.run()
    assert endpoint_ip not in summary["registered"], "already there: registered by someone else, not claimed"
    assert summary["foreign"] == ["10.0.3.99:443", f"{endpoint_ip}:443"]
    assert endpoint_ip not in (world.state() or "") and "10.0.3.99" not in (world.state() or "")

    # Every endpoint IP changes and the old ones go missing for good.
    new_enis = [world.new_eni(2)[0], world.new_eni(2)[0]]
    world.replace_endpoint_enis(new_enis)
    for _ in range(4):
        world.run(missing_runs_before_deregister=2)

    assert {"10.0.3.99", endpoint_ip} <= world.targets()
    assert world.targets() == world.endpoint_ips() | {"10.0.3.99", endpoint_ip}


def test_a_managed_target_deregistered_by_hand_is_registered_again(world: World) -> None:
    world.run()
    ip = sorted(world.targets())[0]
    world.elbv2.deregister_targets(TargetGroupArn=world.tg_arn, Targets=[{"Id": ip, "Port": 443}])

    summary = world.run()

    assert summary["registered"] == [ip]
    assert world.targets() == world.endpoint_ips()


def test_unknown_target_group_fails_clearly_before_any_write(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    missing = world.tg_arn.rsplit("/", 1)[0] + "/ffffffffffffffff"

    with pytest.raises(handler.SyncError, match="TargetGroupNotFound"):
        world.run(target_group_arn=missing)

    assert world.writes() == []
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["action"] == "read_failed"


def test_unknown_endpoint_fails_clearly_before_any_write(world: World) -> None:
    world.run()
    world.calls.clear()

    with pytest.raises(handler.SyncError, match=r"InvalidVpcEndpointId\.NotFound"):
        world.run(vpc_endpoint_id="vpce-0000000000000dead")

    assert world.writes() == []
    assert world.targets() == world.endpoint_ips()


def test_hand_edited_state_tag_stops_the_run_before_any_write(world: World) -> None:
    world.elbv2.add_tags(ResourceArns=[world.tg_arn], Tags=[{"Key": STATE_KEY, "Value": "10.0.1.5=x"}])
    world.calls.clear()

    with pytest.raises(handler.SyncError, match="not 'IP=COUNT"):
        world.run()

    assert world.writes() == [] and world.targets() == set()


def test_throttled_calls_are_retried_and_the_run_succeeds(world: World) -> None:
    reads = throttle(world.elbv2, "DescribeTargetHealth", times=2)
    writes = throttle(world.elbv2, "RegisterTargets", times=3)

    summary = world.run()

    assert reads() == 2 and writes() == 3
    assert world.sends.count("RegisterTargets") == 4, "three throttled attempts, then the one that worked"
    assert world.calls.count("RegisterTargets") == 1
    assert set(summary["registered"]) == world.endpoint_ips() == world.targets()


def test_throttling_past_the_retries_fails_the_run_without_deregistering(world: World) -> None:
    world.run()
    keep_eni = world.endpoint_eni_ids()[1]
    old_ips = world.targets()
    new_eni, new_ip = world.new_eni(2)
    world.replace_endpoint_enis([keep_eni, new_eni])
    world.run(missing_runs_before_deregister=2)  # the old IP: missing once; new IP registered
    world.replace_endpoint_enis([keep_eni, world.new_eni(2)[0]])  # and a newer IP replaces that one
    newest_ip = world.endpoint_ips() - world.targets()
    assert len(newest_ip) == 1
    throttled = throttle(world.elbv2, "RegisterTargets", times=100)
    world.calls.clear()

    with pytest.raises(handler.SyncError, match="Throttling"):
        world.run(missing_runs_before_deregister=2)

    assert throttled() == handler.MAX_ATTEMPTS
    assert "DeregisterTargets" not in world.calls, "nothing leaves while the newcomer is not in"
    assert old_ips | {new_ip} <= world.targets()

    # The throttling ends: the next run finishes the job from what AWS says.
    world.elbv2 = handler.make_clients(world.settings())[1]
    _record(world)
    world.run(missing_runs_before_deregister=2)
    assert world.targets() == world.endpoint_ips()


def test_the_lambda_entry_point_reads_its_settings_from_the_environment(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handler, "_clients", None)
    monkeypatch.setenv("VPC_ENDPOINT_ID", world.endpoint_id)
    monkeypatch.setenv("TARGET_GROUP_ARN", world.tg_arn)
    monkeypatch.delenv("TARGET_PORT", raising=False)
    monkeypatch.delenv("MISSING_RUNS_BEFORE_DEREGISTER", raising=False)

    summary = handler.handler({"source": "aws.events"}, None)

    assert set(summary["registered"]) == world.endpoint_ips() == world.targets()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "VPC_ENDPOINT_ID, TARGET_GROUP_ARN not set"),
        ({"VPC_ENDPOINT_ID": "vpce-1", "TARGET_GROUP_ARN": "arn", "TARGET_PORT": "https"}, "not an integer"),
        ({"VPC_ENDPOINT_ID": "vpce-1", "TARGET_GROUP_ARN": "arn", "TARGET_PORT": "70000"}, "not a port"),
        ({"VPC_ENDPOINT_ID": "vpce-1", "TARGET_GROUP_ARN": "arn", "MISSING_RUNS_BEFORE_DEREGISTER": "0"}, "at least 1"),
    ],
)
def test_bad_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(handler.SyncError, match=message):
        handler.Settings.from_env(env)


# ---------------------------------------------------------------------------
# The decision without AWS (what moto cannot show: it keys targets by IP only)
# ---------------------------------------------------------------------------


def test_a_port_change_registers_the_new_port_and_retires_the_old_one() -> None:
    t = _plan.Target
    state = {t("10.0.1.5", 443): 0}

    decision = _plan.plan({t("10.0.1.5", 8443)}, {t("10.0.1.5", 443)}, state, 1)

    assert decision.register == (t("10.0.1.5", 8443),)
    assert decision.deregister == (t("10.0.1.5", 443),)
    assert _plan.encode_state(decision.final_state) == {"cfgen:target-sync:8443": "10.0.1.5=0"}


def test_state_round_trips_and_refuses_to_overflow_a_tag_value() -> None:
    t = _plan.Target
    state = {t("10.0.2.7", 443): 2, t("10.0.10.1", 443): 0, t("10.0.1.5", 8443): 1}
    tags = _plan.encode_state(state)
    assert tags == {"cfgen:target-sync:443": "10.0.2.7=2 10.0.10.1=0", "cfgen:target-sync:8443": "10.0.1.5=1"}
    assert _plan.decode_state({**tags, "team": "web"}) == state

    with pytest.raises(_plan.StateError, match="more than ELBv2's 256"):
        _plan.encode_state({t(f"10.0.{i}.{i}", 443): 0 for i in range(100, 120)})


# ---------------------------------------------------------------------------
# The deployment zip
# ---------------------------------------------------------------------------


def test_lambda_zip_is_byte_identical_across_calls_and_mtimes() -> None:
    first = lambda_zip("target_sync")
    source = lambdas_dir() / "target_sync" / "handler.py"
    stat = source.stat()
    try:
        os.utime(source, (stat.st_atime + 3600, stat.st_mtime + 3600))
        second = lambda_zip("target_sync")
    finally:
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert first == second == lambda_zip("target_sync")


def test_lambda_zip_layout_is_fixed() -> None:
    archive = zipfile.ZipFile(io.BytesIO(lambda_zip("target_sync")))
    infos = archive.infolist()
    names = [info.filename for info in infos]

    assert names == sorted(names)
    assert {"target_sync/__init__.py", "target_sync/handler.py", "target_sync/_plan.py"} <= set(names)
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}
    assert {info.compress_type for info in infos} == {zipfile.ZIP_DEFLATED}
    assert archive.read("target_sync/handler.py") == (lambdas_dir() / "target_sync" / "handler.py").read_bytes()


def test_lambda_zip_leaves_out_bytecode_hidden_files_and_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "fn"
    for name in (
        "app.py",
        "pkg/mod.py",
        "pkg/data.json",
        "__pycache__/app.cpython-312.pyc",
        "pkg/old.pyc",
        ".env",
        ".git/config",
        "pkg/__pycache__/mod.cpython-312.pyc",
    ):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(name)
    monkeypatch.setattr("cfgen.artifacts.lambdas_dir", lambda: tmp_path)

    names = zipfile.ZipFile(io.BytesIO(lambda_zip("fn"))).namelist()

    assert names == ["fn/app.py", "fn/pkg/data.json", "fn/pkg/mod.py"]


def test_the_zipped_handler_imports_and_syncs(world: World, tmp_path: Path) -> None:
    env = {"VPC_ENDPOINT_ID": world.endpoint_id, "TARGET_GROUP_ARN": world.tg_arn}

    (summary,) = run_zipped(lambda_zip("target_sync"), "target_sync.handler", [{}], env, tmp_path).answers

    assert set(summary["registered"]) == world.endpoint_ips() == world.targets()


def test_lambda_zip_refuses_an_unknown_function() -> None:
    with pytest.raises(RenderError, match="no Lambda source folder"):
        lambda_zip("no_such_function")
    with pytest.raises(RenderError, match="package name"):
        lambda_zip("../modules")
