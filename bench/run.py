"""Benchmark: cfgen's own overhead, as ratios against bare tools run side by side.

    python bench/run.py [--plugin-mirror /opt/tf-plugins] [--binary terraform]

1. Render time of a large spec (10 distributions x 20 S3 origins), against
   a baseline of loading the same spec with PyYAML alone.
2. Wall time of `cfgen test --offline` on an example, against a bare
   `init && plan && show -json` of the same tree with the same provider
   mirror and offline settings, and against that plus a bare `checkov` CLI
   run: the median of the ratios of rounds that run them side by side, and
   the lowest and highest round's ratio. A third baseline is the bare run
   with the GOGC cfgen gives terraform, to tell cfgen's own overhead from
   what that setting saves.

Numbers are from one run on this machine; the ratios are what to compare
between commits, not the seconds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "s3-oac-basic" / "spec.yaml"


def large_spec(distributions: int = 10, origins: int = 20) -> str:
    spec = {
        "version": 1,
        "project": "bench",
        "region": "eu-west-1",
        "distributions": [
            {
                "name": f"d{d}",
                "default_root_object": "index.html",
                "origins": [
                    {"id": f"o{o}", "type": "s3", "bucket": {"name": f"bench-d{d}-o{o}-assets"}} for o in range(origins)
                ],
                "behaviors": [{"path": f"/o{o}/*", "origin": f"o{o}"} for o in range(1, origins)]
                + [{"path": "default", "origin": "o0"}],
            }
            for d in range(distributions)
        ],
    }
    return yaml.safe_dump(spec, sort_keys=False)


def timed(action: object, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_render(work: Path) -> tuple[float, float]:
    from cfgen.render import render
    from cfgen.spec import load_spec

    path = work / "large.yaml"
    path.write_text(large_spec())
    render(load_spec(path))  # warm the template cache and imports
    cfgen_time = timed(lambda: render(load_spec(path)))
    baseline = timed(lambda: yaml.safe_load(path.read_text()))
    return cfgen_time, baseline


def run(cmd: list[str], *, ok: tuple[int, ...] = (0,), **kwargs: object) -> float:
    """Wall time of ``cmd``; an exit code outside ``ok`` is an error, not a number."""
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if result.returncode not in ok:
        raise SystemExit(f"bench: {cmd[0]} {cmd[1]} exited {result.returncode}: {result.stderr.strip()[-500:]}")
    return time.perf_counter() - start


@dataclass(frozen=True)
class Timings:
    """Medians of each tool's wall time, and medians of the ratios taken within each round."""

    cfgen: float
    bare: float  # init+plan+show as a user types them
    bare_gogc: float  # the same with the GOGC cfgen gives terraform
    checkov: float
    ratio_bare: float
    ratio_bare_gogc: float
    ratio_checkov: float  # against init+plan+show + checkov CLI
    spread_bare: tuple[float, float]  # the lowest and highest round's ratio against bare


def bench_test(work: Path, binary: str, mirror: Path, repeat: int) -> Timings:
    """``cfgen test --offline`` against a bare terraform run and a bare checkov CLI run, round by round.

    Each round runs them one right after the other, alternating which goes
    first, and the ratio is taken within the round: a shared machine that gets
    busier or quieter between rounds weighs on both sides of a ratio alike.
    """
    from cfgen.harness import _terraform

    tree = work / "bare"
    subprocess.run(
        [sys.executable, "-m", "cfgen", "render", str(EXAMPLE), "-o", str(tree)], check=True, capture_output=True
    )
    config = work / "bare.tfrc"
    config.write_text(_terraform.cli_config_text(mirror))
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(config),
        "CHECKPOINT_DISABLE": "1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    checkov = shutil.which("checkov", path=str(Path(sys.executable).parent)) or "checkov"
    cfgen_cmd = [
        sys.executable,
        "-m",
        "cfgen",
        "test",
        str(EXAMPLE),
        "--offline",
        "--binary",
        binary,
        "--plugin-mirror",
        str(mirror),
        "--format",
        "json",
    ]

    def bare(extra_env: dict[str, str]) -> float:
        # A fresh init of the tree as rendered, as cfgen's copy gets: without the lock file
        # a previous round wrote (init checks an existing one, which costs it another hash).
        shutil.rmtree(tree / ".terraform", ignore_errors=True)
        (tree / ".terraform.lock.hcl").unlink(missing_ok=True)
        (tree / _terraform.OFFLINE_OVERRIDE_FILE).write_text(_terraform.offline_override_text([]))
        tf_env = {**env, **extra_env}
        try:
            took = run([binary, "init", "-input=false", "-no-color"], cwd=tree, env=tf_env)
            took += run(
                [binary, "plan", "-input=false", "-lock=false", "-out=bare.tfplan", "-no-color"], cwd=tree, env=tf_env
            )
            with open(work / "bare.json", "w") as out:
                start = time.perf_counter()
                subprocess.run([binary, "show", "-json", "bare.tfplan"], check=True, cwd=tree, env=tf_env, stdout=out)
                return took + time.perf_counter() - start
        finally:
            (tree / _terraform.OFFLINE_OVERRIDE_FILE).unlink()

    def checkov_cli() -> float:
        # checkov exits 1 when a check fails: that run is still a complete scan to time.
        return run(
            [
                checkov,
                "-d",
                str(tree),
                "--framework",
                "terraform",
                "--external-checks-dir",
                str(REPO / "policies"),
                "--quiet",
                "--compact",
                "--skip-download",
            ],
            ok=(0, 1),
            env={**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "1"},
        )

    runs: dict[str, Callable[[], float]] = {
        "cfgen": lambda: run(cfgen_cmd),
        "bare": lambda: bare({}),
        "bare_gogc": lambda: bare({"GOGC": _terraform.GOGC}),
    }
    times: dict[str, list[float]] = {name: [] for name in [*runs, "checkov"]}
    for round_ in range(repeat):
        names = list(runs)
        for name in names[round_ % 3 :] + names[: round_ % 3]:  # each goes first in turn
            times[name].append(runs[name]())
        times["checkov"].append(checkov_cli())
        print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()), file=sys.stderr)

    def ratios(baseline: list[float]) -> list[float]:
        return [c / b for c, b in zip(times["cfgen"], baseline, strict=True)]

    median = statistics.median
    with_checkov = [b + k for b, k in zip(times["bare"], times["checkov"], strict=True)]
    return Timings(
        cfgen=median(times["cfgen"]),
        bare=median(times["bare"]),
        bare_gogc=median(times["bare_gogc"]),
        checkov=median(times["checkov"]),
        ratio_bare=median(ratios(times["bare"])),
        ratio_bare_gogc=median(ratios(times["bare_gogc"])),
        ratio_checkov=median(ratios(with_checkov)),
        spread_bare=(min(ratios(times["bare"])), max(ratios(times["bare"]))),
    )


def main() -> None:
    from cfgen.harness import _terraform

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=shutil.which("tofu") or shutil.which("terraform") or "terraform")
    parser.add_argument("--plugin-mirror", default=os.environ.get("CFGEN_PLUGIN_MIRROR", "/opt/tf-plugins"))
    parser.add_argument("--repeat", type=int, default=7, help="rounds of the cfgen test benchmark (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cfgen-bench-") as scratch:
        work = Path(scratch)
        render_time, yaml_time = bench_render(work)
        test = bench_test(work, args.binary, Path(args.plugin_mirror), args.repeat)
    print("| measure | cfgen | baseline | ratio |")
    print("|---|---|---|---|")
    print(
        f"| render 10 x 20 origins (median of 5) | {render_time:.3f} s | {yaml_time:.3f} s (yaml.safe_load) "
        f"| {render_time / yaml_time:.1f}x |"
    )
    rounds = f"basic example, median of {args.repeat} rounds"
    low, high = test.spread_bare
    print(
        f"| cfgen test --offline ({rounds}) | {test.cfgen:.2f} s | {test.bare:.2f} s "
        f"(bare init+plan+show) | {test.ratio_bare:.2f}x ({low:.2f}-{high:.2f}) |"
    )
    print(
        f"| cfgen test --offline ({rounds}) | {test.cfgen:.2f} s | {test.bare_gogc:.2f} s "
        f"(bare init+plan+show, GOGC={_terraform.GOGC} as cfgen runs them) | {test.ratio_bare_gogc:.2f}x |"
    )
    print(
        f"| cfgen test --offline ({rounds}) | {test.cfgen:.2f} s | {test.bare + test.checkov:.2f} s "
        f"(bare init+plan+show + checkov CLI) | {test.ratio_checkov:.2f}x |"
    )


if __name__ == "__main__":
    main()
