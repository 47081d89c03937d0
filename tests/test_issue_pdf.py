"""The built PDFs of 2020-02, read back page by page."""

from __future__ import annotations

import re

import pypdf
import pytest

from conftest import ISSUE
from issue_source import read_issue
from pdftext import image_boxes, page_texts, pages_with, squash, text_boxes

META, SOURCES = read_issue(ISSUE)
EDITIONS = {"2020-02.pdf": ("zh", "en"), "2020-02.zh.pdf": ("zh",), "2020-02.en.pdf": ("en",)}
CONTENTS_PAGE = 1  # 0-based: the cover is page 1, the contents page 2


def articles_in(langs):
    return [s for lang in langs for s in SOURCES if s.lang == lang]


def contents_entries(text: str) -> list[tuple[str, int]]:
    """(entry text, page number) for each line of the contents that ends in leader dots and a number."""
    entries, pending = [], ""
    for line in text.splitlines():
        match = re.search(r"[.·\s]{3,}(\d+)\s*$", line)
        if match:
            entries.append((pending + line[: match.start()], int(match[1])))
            pending = ""
        elif line.strip():
            pending += line.strip()
    return entries


def test_three_pdfs_are_written(built):
    for name in EDITIONS:
        data = (built / name).read_bytes()
        assert data.startswith(b"%PDF-") and len(data) > 50_000, name


@pytest.mark.parametrize("name", EDITIONS)
def test_contents_page_numbers_are_the_pages_of_the_titles(built, name):
    pdf = built / name
    entries = contents_entries(page_texts(pdf)[CONTENTS_PAGE])
    articles = articles_in(EDITIONS[name])
    assert articles and len(entries) == len(articles), entries
    for source in articles:
        printed = next((n for text, n in entries if squash(source.meta["title"]) in squash(text)), None)
        assert printed, f"{source.meta['title']!r} not in the contents of {name}"
        # The first page after the contents that shows the title is where the article opens
        # (running heads repeat the title only on later pages).
        first = next(i for i in pages_with(pdf, source.meta["title"]) if i > CONTENTS_PAGE)
        assert first + 1 == printed, f"{source.meta['title']!r}: contents says {printed}, title is on {first + 1}"


@pytest.mark.parametrize("name", EDITIONS)
def test_each_edition_holds_only_its_languages(built, name):
    text = squash("".join(page_texts(built / name)))
    for source in SOURCES:
        present = squash(source.meta["title"]) in text
        assert present == (source.lang in EDITIONS[name]), (name, source.slug, source.lang)


@pytest.mark.parametrize("name", ["2020-02.pdf", "2020-02.zh.pdf"])
def test_footnotes_are_on_the_page_of_their_reference(built, name):
    pdf = built / name
    checked = 0
    for source in articles_in(EDITIONS[name]):
        notes = source.notes
        for number, (label, before) in enumerate(source.note_contexts(), start=1):
            ref_pages = pages_with(pdf, before + str(number))
            note_pages = pages_with(pdf, str(number) + notes[label][:16])
            assert len(ref_pages) == 1, f"reference [^{label}] after {before!r}: pages {ref_pages}"
            assert note_pages == ref_pages, f"note [^{label}] on {note_pages}, referenced on {ref_pages}"
            checked += 1
    assert checked >= 5  # the knowledge-sharing article alone has five


@pytest.mark.parametrize("name", EDITIONS)
def test_every_caption_is_under_its_picture(built, name):
    pdf = built / name
    captions = [s for src in articles_in(EDITIONS[name]) for s in src.figures]
    captions += [photo["caption"][lang] for photo in META["cover"] for lang in EDITIONS[name]]
    assert len(captions) >= 5
    for caption in captions:
        pages = pages_with(pdf, caption)
        assert pages, f"caption not found: {caption[:30]!r}"
        page = pages[0]
        boxes = text_boxes(pdf, page, caption[:6])
        assert boxes, caption[:30]
        images = image_boxes(pdf, page)
        under = [b for b in boxes for im in images if 0 <= im.bottom - b.top < 60 and im.left <= b.left + 2 <= im.right]
        assert under, f"no picture just above {caption[:30]!r} on page {page + 1}"


@pytest.mark.parametrize("name", EDITIONS)
def test_fonts_are_embedded_subsets_of_the_project_fonts(built, name):
    reader = pypdf.PdfReader(built / name)
    seen = set()
    for page in reader.pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            assert font["/Subtype"] == "/Type0" or font["/Subtype"] in ("/TrueType", "/Type1"), font["/Subtype"]
            base = str(font["/BaseFont"])
            assert re.fullmatch(r"/[A-Z]{6}\+Press-[A-Za-z-]+", base), base
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)["/FontDescriptor"]
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), f"{base} not embedded"
            seen.add(base.split("+")[1])
    assert {"Press-Serif-CJK"} <= seen if "zh" in EDITIONS[name] else {"Press-Serif"} <= seen


def test_chinese_and_english_text_extract(built):
    text = "".join(page_texts(built / "2020-02.pdf"))
    for source in SOURCES:
        first_paragraph = next(b for b in source.blocks if not b.startswith(("#", "!", "[^")))
        assert squash(first_paragraph[:40]) in squash(text), (source.slug, source.lang)


def test_metadata_outline_and_language(built):
    reader = pypdf.PdfReader(built / "2020-02.pdf")
    info = reader.metadata
    assert META["title"]["zh"] in info.title and META["title"]["en"] in info.title
    assert META["publisher"]["zh"] in info.author
    assert str(META["date"]).replace("-", "") in info["/CreationDate"]
    assert reader.trailer["/Root"]["/Lang"] == "zh-Hans"
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    for source in SOURCES:
        assert source.meta["title"] in titles
    assert pypdf.PdfReader(built / "2020-02.en.pdf").trailer["/Root"]["/Lang"] == "en"


@pytest.mark.parametrize("name", EDITIONS)
def test_contents_entries_link_to_their_pages(built, name):
    reader = pypdf.PdfReader(built / name)
    contents = reader.pages[CONTENTS_PAGE]
    printed = {n for _, n in contents_entries(page_texts(built / name)[CONTENTS_PAGE])}
    targets = set()
    for annot in contents.get("/Annots", []):
        annot = annot.get_object()
        assert "/A" not in annot, "a contents link still points outside the document"
        targets.add(reader.get_page_number(annot["/Dest"][0].get_object()) + 1)
    assert targets == printed
