"""Rules that need the whole spec: uniqueness, references, AWS limits.

Each rule yields ``(path, message)``; the loader turns the path into a
file position. They run only on a spec that passed the schema.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from difflib import get_close_matches

from . import _api_rules, _names, _public_rules, _routes, _vpc_rules
from .managed_policies import FORWARDS_HOST
from .models import S3Origin, S3WebsiteOrigin, Spec

Problem = tuple[tuple[str | int, ...], str]


def check(spec: Spec) -> Iterator[Problem]:
    """Every cross-field problem of ``spec``, in document order."""
    yield from _tags(spec.tags)
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
            if not isinstance(origin, S3Origin | S3WebsiteOrigin):
                continue
            bucket = origin.bucket.name
            where = f"{dist.name}/{origin.id}"
            if bucket in buckets:
                yield (
                    (*base, "origins", j, "bucket", "name"),
                    f"bucket '{bucket}' is already the origin '{buckets[bucket]}'; a bucket has "
                    "one bucket policy, so give each origin its own bucket",
                )
            buckets.setdefault(bucket, where)
            yield from _unique(
                (((*base, "origins", j, "direct_readers", k), arn) for k, arn in enumerate(origin.direct_readers)),
                "direct reader",
            )
        yield from _behaviors(spec, i)
        yield from _edge(spec, i)
        yield from _vpc_rules.check(spec, i)
        yield from _api_rules.check(spec, i)
        yield from _public_rules.check(spec, i)
    yield from _vpc_rules.shared_apis(spec)
    yield from _api_rules.shared_apis(spec)
    yield from _public_rules.shared_urls(spec)
    yield from _routes.problems(spec)
    yield from _names.problems(spec)


# AWS tags: 50 on a resource, and cfgen adds `Name` to some resources it creates.
MAX_TAGS = 49
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
# Besides letters, digits and spaces of any script, the characters every AWS service takes in tags.
TAG_SYMBOLS = frozenset("_.:/=+-@")


def _tags(tags: dict[str, str]) -> Iterator[Problem]:
    if len(tags) > MAX_TAGS:
        yield (
            ("tags",),
            (f"{len(tags)} tags; AWS allows 50 on a resource and cfgen adds Name to some: keep {MAX_TAGS} at most"),
        )
    for key, value in tags.items():
        where: tuple[str | int, ...] = ("tags", key)
        if not key:
            yield where, "a tag key cannot be empty"
        elif key.lower().startswith("aws:"):
            yield where, f"tag key '{key}' starts with aws:, which AWS keeps for its own tags: rename it"
        elif len(key) > MAX_TAG_KEY:
            yield where, f"tag key has {len(key)} characters; AWS allows {MAX_TAG_KEY}"
        if len(value) > MAX_TAG_VALUE:
            yield where, f"the value of tag '{key}' has {len(value)} characters; AWS allows {MAX_TAG_VALUE}"
        for text, what in ((key, "key"), (value, "value")):
            bad = next((ch for ch in text if not _tag_character(ch)), None)
            if bad is not None:
                yield (
                    where,
                    (f"tag {what} {text!r} holds {bad!r}; AWS tags take letters, digits, spaces and _.:/=+-@ only"),
                )
                break


def _tag_character(ch: str) -> bool:
    return ch in TAG_SYMBOLS or unicodedata.category(ch)[0] in "LNZ"


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
    targets = origin_ids + [g.id for g in dist.origin_groups]
    websites = {o.id for o in dist.origins if isinstance(o, S3WebsiteOrigin)}
    for j, behavior in enumerate(dist.behaviors):
        if behavior.origin not in targets:
            hint = get_close_matches(behavior.origin, targets, n=1)
            fix = f"did you mean '{hint[0]}'?" if hint else f"this distribution has: {', '.join(targets)}"
            yield ((*base, j, "origin"), f"unknown origin '{behavior.origin}'; {fix}")
        elif behavior.origin in websites and behavior.origin_request in FORWARDS_HOST:
            yield (
                (*base, j, "origin_request"),
                f"'{behavior.origin_request}' forwards the viewer's Host header, and an S3 website endpoint answers "
                "only to its own name (NoSuchBucket): use `all_viewer_except_host` or `none`",
            )


def _unique(items: Iterator[tuple[tuple[str | int, ...], str]], what: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for path, value in items:
        if value in seen:
            yield path, f"duplicate {what} '{value}'; each must be unique"
        seen.add(value)


# A key group holds at most five public keys (a CloudFront quota that cannot be raised).
MAX_KEYS_PER_GROUP = 5


def _edge(spec: Spec, i: int) -> Iterator[Problem]:
    """Key groups, origin groups, functions and Route 53: the distribution-wide parts."""
    dist = spec.distributions[i]
    base: tuple[str | int, ...] = ("distributions", i)
    origin_ids = [o.id for o in dist.origins]
    yield from _unique(
        (((*base, "origin_groups", j, "id"), g.id) for j, g in enumerate(dist.origin_groups)), "origin group id"
    )
    for j, group in enumerate(dist.origin_groups):
        where = (*base, "origin_groups", j)
        if group.id in origin_ids:
            yield (*where, "id"), f"origin group id '{group.id}' is also an origin id; give the group its own id"
        for member in ("primary", "secondary"):
            value = getattr(group, member)
            if value not in origin_ids:
                hint = get_close_matches(value, origin_ids, n=1)
                fix = f"did you mean '{hint[0]}'?" if hint else f"this distribution has: {', '.join(origin_ids)}"
                yield (*where, member), f"unknown origin '{value}'; {fix}"
        if group.primary == group.secondary:
            yield (*where, "secondary"), "secondary is the primary origin; fail over to a different origin"
    groups = {g.id for g in dist.origin_groups}
    for j, behavior in enumerate(dist.behaviors):
        if behavior.origin in groups and behavior.methods == "all":
            yield (
                (*base, "behaviors", j, "methods"),
                f"behavior targets origin group '{behavior.origin}', but CloudFront fails over only GET, HEAD "
                "and OPTIONS: use `methods: read_options` (or read), or target an origin",
            )
    yield from _unique(
        (((*base, "key_groups", j, "name"), g.name) for j, g in enumerate(dist.key_groups)), "key group name"
    )
    yield from _unique(
        (
            ((*base, "key_groups", j, "public_keys", k, "name"), key.name)
            for j, g in enumerate(dist.key_groups)
            for k, key in enumerate(g.public_keys)
        ),
        "public key name in this distribution",
    )
    for j, key_group in enumerate(dist.key_groups):
        where = (*base, "key_groups", j)
        if not key_group.public_keys:
            yield (
                (*where, "name"),
                f"key group '{key_group.name}' has no public keys; add "
                "`public_keys: [{name: k1, pem_file: keys/k1.pub.pem}]`",
            )
        elif len(key_group.public_keys) > MAX_KEYS_PER_GROUP:
            yield (
                (*where, "public_keys"),
                f"key group '{key_group.name}' has {len(key_group.public_keys)} keys; CloudFront allows "
                f"{MAX_KEYS_PER_GROUP}: drop retired keys",
            )
    key_groups = [g.name for g in dist.key_groups]
    functions = [f.name for f in dist.functions]
    yield from _unique(
        (((*base, "functions", j, "name"), f.name) for j, f in enumerate(dist.functions)), "function name"
    )
    for j, behavior in enumerate(dist.behaviors):
        for k, name in enumerate(behavior.trusted_key_groups):
            if name not in key_groups:
                hint = get_close_matches(name, key_groups, n=1)
                fix = (
                    f"did you mean '{hint[0]}'?"
                    if hint
                    else f"this distribution has: {', '.join(key_groups)}"
                    if key_groups
                    else "declare it under the distribution's `key_groups`"
                )
                yield (*base, "behaviors", j, "trusted_key_groups", k), f"unknown key group '{name}'; {fix}"
        for event in ("viewer_request", "viewer_response"):
            name = getattr(behavior, event)
            if name is not None and name not in functions:
                hint = get_close_matches(name, functions, n=1)
                fix = f"did you mean '{hint[0]}'?" if hint else "declare it under the distribution's `functions`"
                yield (*base, "behaviors", j, event), f"unknown function '{name}'; {fix}"
    if dist.route53 is not None and not dist.aliases:
        yield (
            (*base, "route53"),
            "route53 creates records for the aliases, and this distribution has none: add `aliases:` or drop route53",
        )
