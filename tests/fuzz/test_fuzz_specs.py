"""Property: every mutation of an example spec ends in exit 0 or 2, one located line per problem, in bounded time.

Each valid one renders to the same bytes twice; all valid renders pass one
batched ``terraform fmt -check``; a sample of them is planned offline in one
batch, so that "validate accepts => plan accepts" is tested, not assumed.

A few seconds by default. ``CFGEN_FUZZ_EXAMPLES=10000`` runs 10,000 mutated
specs; ``CFGEN_FUZZ_SEED`` picks another deterministic sequence.
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import pytest
from hypothesis import HealthCheck, given, seed, settings
from tests.fuzz._batch import batch_root, plan_batch
from tests.fuzz._mutate import mutated_spec

from cfgen.errors import CfgenError, SpecError
from cfgen.harness import _terraform
from cfgen.render import Rendered, render
from cfgen.spec import load_spec

EXAMPLES_RUN = int(os.environ.get("CFGEN_FUZZ_EXAMPLES", "120"))
SEED = int(os.environ.get("CFGEN_FUZZ_SEED", "8"))
# Far above the slowest legitimate spec (about 3 s for 100,000 values on a loaded 2-core machine):
# reaching it means a hang, not a slow machine.
CASE_SECONDS = 60
# The process may grow by this much over the whole run; a bomb that got through would take gigabytes.
GROWTH_BYTES = 1 << 30
LINE = re.compile(r"^.+:\d+:\d+: error: .")


@dataclass
class Outcome:
    """What a run of mutated specs gave."""

    exits: dict[int, int] = field(default_factory=dict)
    renders: dict[str, dict[str, str | bytes]] = field(default_factory=dict)  # digest -> files, unique renders
    sources: dict[str, Path] = field(default_factory=dict)  # digest -> the example it came from


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _Hang(f"a spec took more than {CASE_SECONDS} s")


@pytest.fixture
def alarm() -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, _alarm)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def run_case(folder: Path, example: Path, raw: bytes, outcome: Outcome) -> None:
    """Validate and render one mutated spec beside a copy of its example's files; record the result."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(example.parent, folder, ignore=shutil.ignore_patterns("generated", "spec.yaml"))
    spec = folder / "spec.yaml"
    spec.write_bytes(raw)
    signal.alarm(CASE_SECONDS)
    try:
        try:
            rendered = render(load_spec(spec))
        except SpecError as exc:
            assert exc.exit_code == 2
            lines = str(exc).split("\n")
            for line in lines:
                assert LINE.match(line) and line.isprintable(), f"not one located line: {line!r}"
                assert "input should" not in line.lower() and "does not match ^" not in line, line
            outcome.exits[2] = outcome.exits.get(2, 0) + 1
            return
        except CfgenError as exc:  # any other of cfgen's errors on a spec is still exit 2, one line
            assert exc.exit_code == 2, exc
            outcome.exits[2] = outcome.exits.get(2, 0) + 1
            return
        again: Rendered = render(load_spec(spec))
    finally:
        signal.alarm(0)
    assert again.files == rendered.files, "the same spec rendered to different bytes"
    outcome.exits[0] = outcome.exits.get(0, 0) + 1
    digest = hashlib.sha256(
        b"".join(k.encode() + (v.encode() if isinstance(v, str) else v) for k, v in sorted(rendered.files.items()))
    ).hexdigest()[:16]
    if digest not in outcome.renders and len(outcome.renders) < 2000:
        outcome.renders[digest] = rendered.files
        outcome.sources[digest] = example


def fuzz(tmp_path: Path, examples: int) -> Outcome:
    outcome = Outcome()
    folder = tmp_path / "case"

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @seed(SEED)
    @given(mutated_spec())
    def one(case: tuple[Path, bytes]) -> None:
        example, raw = case
        run_case(folder, example, raw, outcome)

    one()
    return outcome


def _fmt_check(renders: dict[str, dict[str, str | bytes]], root: Path) -> None:
    """One `terraform fmt -check` over every valid render's root module files."""
    try:
        binary = _terraform.find_binary(None)
    except CfgenError as exc:
        pytest.skip(str(exc))
    for digest, files in renders.items():
        for name, text in files.items():
            if "/" not in name and name.endswith(".tf"):  # the vendored modules are the same in every render
                (root / digest).mkdir(parents=True, exist_ok=True)
                (root / digest / name).write_bytes(text.encode() if isinstance(text, str) else text)
    result = subprocess.run(
        [binary, "fmt", "-check", "-recursive", "-diff", str(root)],
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_mutated_specs_end_in_exit_0_or_2_and_valid_ones_render_cleanly(tmp_path: Path, alarm: None) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    outcome = fuzz(tmp_path, EXAMPLES_RUN)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    assert grown < GROWTH_BYTES, f"memory grew by {grown >> 20} MiB"
    assert set(outcome.exits) <= {0, 2}
    assert sum(outcome.exits.values()) == EXAMPLES_RUN
    assert outcome.exits.get(0, 0) >= 1 and outcome.exits.get(2, 0) >= 1, outcome.exits
    _fmt_check(outcome.renders, tmp_path / "fmt")
    print(f"\n{EXAMPLES_RUN} mutated specs: {outcome.exits.get(0, 0)} valid, {outcome.exits.get(2, 0)} refused")


# How many valid fuzzed renders one offline plan takes, from as many examples as possible.
PLAN_SAMPLE = int(os.environ.get("CFGEN_FUZZ_PLAN_SAMPLE", "6"))


@pytest.mark.plan
def test_valid_fuzzed_specs_plan_offline_in_one_batch(tmp_path: Path, alarm: None, plugin_mirror: Path) -> None:
    outcome = fuzz(tmp_path, max(60, PLAN_SAMPLE * 10))
    sample = _diverse(outcome, PLAN_SAMPLE)
    assert sample, "no valid fuzzed spec to plan"
    root = tmp_path / "batch"
    batch_root({f"s{i}": outcome.renders[d] for i, d in enumerate(sample)}, root)
    plan = plan_batch(root, tmp_path / "work", plugin_mirror)
    planned = {
        c["address"].split(".")[1] for c in plan.get("resource_changes", []) if c["address"].startswith("module.")
    }
    assert planned == {f"s{i}" for i in range(len(sample))}, "every fuzzed spec in the batch plans resources"


def _diverse(outcome: Outcome, count: int) -> list[str]:
    """Up to ``count`` renders, one per example first, then any."""
    chosen: list[str] = []
    seen: set[Path] = set()
    for digest, source in outcome.sources.items():
        if source not in seen and len(chosen) < count:
            chosen.append(digest)
            seen.add(source)
    chosen += [d for d in outcome.sources if d not in chosen][: count - len(chosen)]
    return chosen
