"""Benchmark: cfgen's own overhead, as ratios against bare tools run side by side.

    python bench/run.py [--plugin-mirror /opt/tf-plugins] [--binary terraform]

1. Render time of a large spec (10 distributions x 20 S3 origins), against
   a baseline of loading the same spec with PyYAML alone.
2. Wall time of `cfgen test --offline` on an example, against a bare
   `init && plan && show -json` of the same tree with the same provider
   mirror and offline settings, and against that plus a bare `checkov` CLI
   run (medians of interleaved rounds).

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


def bench_test(work: Path, binary: str, mirror: Path, repeat: int) -> tuple[float, float, float]:
    """Medians of ``cfgen test --offline``, bare terraform and a bare checkov CLI run, interleaved.

    Each round runs the three one after the other, so a machine that gets
    busier or quieter during the benchmark weighs on all of them alike.
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
    cfgen_times, bare_times, checkov_times = [], [], []
    for _ in range(repeat):
        cfgen_times.append(run(cfgen_cmd))
        # The bare run starts from a fresh init, as cfgen's copy does.
        shutil.rmtree(tree / ".terraform", ignore_errors=True)
        (tree / _terraform.OFFLINE_OVERRIDE_FILE).write_text(_terraform.offline_override_text([]))
        bare = run([binary, "init", "-input=false", "-no-color"], cwd=tree, env=env)
        bare += run([binary, "plan", "-input=false", "-lock=false", "-out=bare.tfplan", "-no-color"], cwd=tree, env=env)
        with open(work / "bare.json", "w") as out:
            start = time.perf_counter()
            subprocess.run([binary, "show", "-json", "bare.tfplan"], check=True, cwd=tree, env=env, stdout=out)
            bare += time.perf_counter() - start
        bare_times.append(bare)
        (tree / _terraform.OFFLINE_OVERRIDE_FILE).unlink()
        # checkov exits 1 when a check fails: that run is still a complete scan to time.
        checkov_times.append(
            run(
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
        )
    median = statistics.median
    return median(cfgen_times), median(bare_times), median(checkov_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=shutil.which("tofu") or shutil.which("terraform") or "terraform")
    parser.add_argument("--plugin-mirror", default=os.environ.get("CFGEN_PLUGIN_MIRROR", "/opt/tf-plugins"))
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the cfgen test benchmark (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cfgen-bench-") as scratch:
        work = Path(scratch)
        render_time, yaml_time = bench_render(work)
        test_time, bare_time, checkov_time = bench_test(work, args.binary, Path(args.plugin_mirror), args.repeat)
    print("| measure | cfgen | baseline | ratio |")
    print("|---|---|---|---|")
    print(
        f"| render 10 x 20 origins (median of 5) | {render_time:.3f} s | {yaml_time:.3f} s (yaml.safe_load) "
        f"| {render_time / yaml_time:.1f}x |"
    )
    rounds = f"median of {args.repeat}"
    print(
        f"| cfgen test --offline (basic example, {rounds}) | {test_time:.2f} s | {bare_time:.2f} s "
        f"(bare init+plan+show) | {test_time / bare_time:.2f}x |"
    )
    with_checkov = bare_time + checkov_time
    print(
        f"| cfgen test --offline (basic example, {rounds}) | {test_time:.2f} s | {with_checkov:.2f} s "
        f"(bare init+plan+show + checkov CLI) | {test_time / with_checkov:.2f}x |"
    )


if __name__ == "__main__":
    main()
