"""Rules that need the whole spec: uniqueness, references, AWS limits.

Each rule yields ``(path, message)``; the loader turns the path into a
file position. They run only on a spec that passed the schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from difflib import get_close_matches

from .models import Spec

Problem = tuple[tuple[str | int, ...], str]

# CloudFront caps the names of origin access controls (and most other
# resources cfgen names after project-distribution-origin) at 64 characters.
MAX_RESOURCE_NAME = 64


def check(spec: Spec) -> Iterator[Problem]:
    """Every cross-field problem of ``spec``, in document order."""
    yield from _unique(
        ((("distributions", i, "name"), d.name) for i, d in enumerate(spec.distributions)),
        "distribution name",
    )
    aliases: dict[str, str] = {}
    buckets: dict[str, str] = {}
    for i, dist in enumerate(spec.distributions):
        base: tuple[str | int, ...] = ("distributions", i)
        for j, alias in enumerate(dist.aliases):
            if alias in aliases:
                yield (
                    (*base, "aliases", j),
                    f"alias '{alias}' is already used by distribution '{aliases[alias]}'; "
                    "CloudFront allows an alias on one distribution only",
                )
            aliases.setdefault(alias, dist.name)
        yield from _unique((((*base, "origins", j, "id"), o.id) for j, o in enumerate(dist.origins)), "origin id")
        for j, origin in enumerate(dist.origins):
            name = f"{spec.project}-{dist.name}-{origin.id}"
            if len(name) > MAX_RESOURCE_NAME:
                yield (
                    (*base, "origins", j, "id"),
                    f"resource name '{name}' has {len(name)} characters; AWS allows "
                    f"{MAX_RESOURCE_NAME}: shorten the project, distribution name or origin id",
                )
            bucket = origin.bucket.name
            where = f"{dist.name}/{origin.id}"
            if bucket in buckets:
                yield (
                    (*base, "origins", j, "bucket", "name"),
                    f"bucket '{bucket}' is already the origin '{buckets[bucket]}'; a bucket has "
                    "one bucket policy, so give each origin its own bucket",
                )
            buckets.setdefault(bucket, where)
        yield from _behaviors(spec, i)


def _behaviors(spec: Spec, i: int) -> Iterator[Problem]:
    dist = spec.distributions[i]
    base: tuple[str | int, ...] = ("distributions", i, "behaviors")
    origin_ids = [o.id for o in dist.origins]
    defaults = [j for j, b in enumerate(dist.behaviors) if b.path == "default"]
    if not defaults:
        yield (
            base,
            "no default behavior: add `- {path: default, origin: "
            f"{origin_ids[0]}}}` (CloudFront needs one for requests no path matches)",
        )
    for j in defaults[1:]:
        yield ((*base, j, "path"), "a second default behavior; keep one `path: default`")
    yield from _unique(
        (((*base, j, "path"), b.path) for j, b in enumerate(dist.behaviors) if b.path != "default"),
        "behavior path",
    )
    for j, behavior in enumerate(dist.behaviors):
        if behavior.origin not in origin_ids:
            hint = get_close_matches(behavior.origin, origin_ids, n=1)
            fix = f"did you mean '{hint[0]}'?" if hint else f"this distribution has: {', '.join(origin_ids)}"
            yield ((*base, j, "origin"), f"unknown origin '{behavior.origin}'; {fix}")


def _unique(items: Iterator[tuple[tuple[str | int, ...], str]], what: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for path, value in items:
        if value in seen:
            yield path, f"duplicate {what} '{value}'; each must be unique"
        seen.add(value)
