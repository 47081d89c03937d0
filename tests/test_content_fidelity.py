"""Every word of content/2020-02 comes from the seed texts (tests/seeds/, where they come from in its README).

Only lines were joined and extraction noise removed; the editors' own
decisions (recorded in content/2020-02/README.md) are the only changes,
and they are listed here so that nothing else can slip in.
"""

from __future__ import annotations

import re

import pytest

from conftest import ISSUE, SEEDS
from issue_source import DEF, IMAGE, REF, read_issue

META, SOURCES = read_issue(ISSUE)
SEED_OF = {  # which seed each article (and language) was taken from
    ("working-together", "zh"): "000_", ("working-together", "en"): "003_",
    ("share-solutions", "zh"): "001_", ("knowledge-sharing", "zh"): "002_", ("global-fight", "zh"): "004_",
}
# Recorded in content/2020-02/README.md: marks that point to notes the seeds do not hold.
DROPPED_MARKS = {"002_": ["唯一的亚洲成员单位1。"], "003_": ["Migal¹"]}
DROPPED_TO = {"唯一的亚洲成员单位1。": "唯一的亚洲成员单位。", "Migal¹": "Migal"}


def seed(prefix: str) -> str:
    text = next(SEEDS.glob(prefix + "*.txt")).read_text(encoding="utf-8")
    for mark in DROPPED_MARKS.get(prefix, []):
        assert mark in text, mark
        text = text.replace(mark, DROPPED_TO[mark])
    return re.sub(r"\s+", "", text)


def plain(block: str) -> str:
    """A Markdown block as its printed words: heading marks and image syntax off, note references as their numbers."""
    block = re.sub(r"^#{1,6}\s+", "", block)
    if m := IMAGE.match(block):
        block = m[1]
    if m := DEF.match(block):
        block = f"{m[1]}{m[2]}"
    block = REF.sub(lambda m: m[1], block)
    return re.sub(r"\s+", "", block.replace("\\", ""))


SEEDED = [s for s in SOURCES if (s.slug, s.lang) in SEED_OF]


def test_every_article_has_a_seed():
    """Every article taken from a seed is in the issue, and every other article is a translation
    made for the issue of one that was (press.parity checks it against its original, block by block)."""
    present = {(s.slug, s.lang) for s in SOURCES}
    assert set(SEED_OF) <= present
    for slug, lang in present - set(SEED_OF):
        original = (slug, "zh" if lang == "en" else "en")
        assert original in SEED_OF, f"{slug}.{lang}.md is neither from a seed nor a translation of an article that is"


@pytest.mark.parametrize("source", SEEDED, ids=lambda s: f"{s.slug}.{s.lang}")
def test_every_paragraph_is_in_its_seed(source):
    original = text = seed(SEED_OF[(source.slug, source.lang)])
    for key in ("title", "subtitle", "abstract", "abstract_en", "source"):
        value = source.meta.get(key)
        if value and not (key == "title" and source.meta.get("editorial_title")):
            assert re.sub(r"\s+", "", value) in original, f"{key} not in the seed: {value[:60]!r}"
    if source.meta.get("abstract"):
        # The old layout set the abstract box in the middle of a paragraph; it moved to the front matter.
        abstract = "摘要：" + re.sub(r"\s+", "", source.meta["abstract"])
        assert abstract in text
        text = text.replace(abstract, "")
    notes = [b for b in source.blocks if DEF.match(b)]
    for note in notes:
        # Notes stood at the foot of the old page, in the middle of a paragraph; they moved to their references.
        assert plain(note) in text, f"note not in the seed: {note[:60]!r}"
        text = text.replace(plain(note), "")
    for block in source.blocks:
        if block not in notes:
            assert plain(block) in text, f"not in the seed: {block[:60]!r}"


def test_cover_captions_are_in_the_seeds():
    zh, en = seed("000_"), seed("003_")
    for photo in META["cover"]:
        assert re.sub(r"\s+", "", photo["caption"]["zh"]) in zh
        assert re.sub(r"\s+", "", photo["caption"]["en"]) in en


def test_editorial_title_is_built_from_the_articles_own_words():
    source = next(s for s in SOURCES if s.meta.get("editorial_title"))
    body = seed(SEED_OF[(source.slug, source.lang)])
    # Each run of four characters of the title occurs in the text it names.
    title = re.sub(r"\s+", "", source.meta["title"])
    missing = [title[i:i + 4] for i in range(len(title) - 3) if title[i:i + 4] not in body]
    assert len(missing) <= len(title) // 4, missing
