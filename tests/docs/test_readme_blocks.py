"""README's generated blocks are what the code makes now."""

from __future__ import annotations

import pytest
from tests.docs.readme_blocks import BLOCKS, COMMAND, README, blocks


def test_every_block_is_in_readme_once() -> None:
    text = README.read_text(encoding="utf-8")
    assert sorted(blocks(text)) == sorted(BLOCKS)
    for name in BLOCKS:
        assert text.count(f"<!-- BEGIN cfgen {name} -->") == 1


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_block_is_current(name: str) -> None:
    assert blocks(README.read_text(encoding="utf-8"))[name] == BLOCKS[name](), (
        f"README's block '{name}' is stale; run: {COMMAND}"
    )
