"""The built PDFs of both issues (2020-02 and the sample 2020-06), read back page by page."""

from __future__ import annotations

import re

import pypdf
import pytest

from conftest import ISSUES
from issue_source import REF_OR_LINK, read_issue
from pdftext import image_boxes, page_texts, pages_with, squash, text_boxes

SOURCES_OF = {issue_id: read_issue(folder) for issue_id, folder in ISSUES.items()}
CONTENTS_PAGE = 1  # 0-based: the cover is page 1, the contents page 2


def editions(issue_id: str) -> dict[str, tuple[str, ...]]:
    return {f"{issue_id}.pdf": ("zh", "en"), f"{issue_id}.zh.pdf": ("zh",), f"{issue_id}.en.pdf": ("en",)}


EDITION_CASES = [(issue_id, name) for issue_id in ISSUES for name in editions(issue_id)]


def articles_in(issue_id: str, langs):
    return [s for lang in langs for s in SOURCES_OF[issue_id][1] if s.lang == lang]


def langs_of(issue_id: str, name: str) -> tuple[str, ...]:
    return editions(issue_id)[name]


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


@pytest.mark.parametrize("issue_id", ISSUES)
def test_three_pdfs_are_written(build_of, issue_id):
    """Each edition is a cover, a contents page and its articles in the order of issue.yaml; the
    bilingual one is the Chinese edition's articles, then the English edition's, page for page."""
    meta, sources = SOURCES_OF[issue_id]
    texts = {name: page_texts(build_of(issue_id) / name) for name in editions(issue_id)}
    opening = {}  # edition -> the page each article opens on, as its contents page says
    for name, langs in editions(issue_id).items():
        pages = texts[name]
        assert (build_of(issue_id) / name).read_bytes().startswith(b"%PDF-"), name
        cover = squash(pages[0])
        for lang in langs:
            assert squash(meta["number"][lang]) in cover, f"{name}: page 1 is not the cover"
            for photo in meta["cover"]:
                assert squash(photo["caption"][lang][:20]) in cover, f"{name}: a cover caption is not on page 1"
        assert not [s.slug for s in sources if squash(s.meta["title"]) in cover], f"{name}: an article on the cover"
        entries = contents_entries(pages[CONTENTS_PAGE])
        articles = articles_in(issue_id, langs)
        # The contents lists the edition's articles in the order of issue.yaml, Chinese first.
        assert [squash(s.meta["title"]) in squash(text) for s, (text, _) in zip(articles, entries)] == [True] * len(articles), entries
        numbers = [n for _, n in entries]
        assert len(numbers) == len(articles) and numbers[0] == CONTENTS_PAGE + 2 and numbers == sorted(numbers), entries
        assert numbers[-1] <= len(pages), f"{name}: the last article opens on page {numbers[-1]} of {len(pages)}"
        # The edition ends with its last article: its last words are on the last page.
        last = articles[-1]
        # (Its last words before a note call: the call's number is printed among them.)
        block = next(b for b in reversed(last.blocks) if not b.startswith(("[^", "!", "|")))
        words = next(squash(piece)[-10:] for piece in reversed(REF_OR_LINK.sub(lambda m: m[2] + "\0" if m[2] else "\0", block).split("\0")) if len(squash(piece)) >= 10)
        assert words in squash(pages[-1]), f"{name}: {words!r} of {last.slug}.{last.lang} not on the last page"
        opening[name] = numbers
    zh, en, both = (f"{issue_id}.zh.pdf", f"{issue_id}.en.pdf", f"{issue_id}.pdf")
    front = CONTENTS_PAGE + 1  # cover and contents, once in each edition
    assert len(texts[both]) == len(texts[zh]) + len(texts[en]) - front, {n: len(t) for n, t in texts.items()}
    assert opening[both] == opening[zh] + [n + len(texts[zh]) - front for n in opening[en]]
    # The same pages, but for their folios and running heads (the issue's name on a left-hand
    # page, the article's title on a right-hand one: moved by a page, they may swap).
    heads = {squash(s.meta["title"]) for s in sources} | {squash(meta["title"][lang] + meta["number"][lang]) for lang in ("zh", "en")}

    def body(pages):
        return [[line for line in page.splitlines() if not line.strip().isdigit() and squash(line) not in heads] for page in pages]

    assert body(texts[both][front:]) == body(texts[zh][front:] + texts[en][front:])


@pytest.mark.parametrize("issue_id, name", EDITION_CASES)
def test_contents_page_numbers_are_the_pages_of_the_titles(build_of, issue_id, name):
    pdf = build_of(issue_id) / name
    entries = contents_entries(page_texts(pdf)[CONTENTS_PAGE])
    articles = articles_in(issue_id, langs_of(issue_id, name))
    assert articles and len(entries) == len(articles), entries
    for source in articles:
        printed = next((n for text, n in entries if squash(source.meta["title"]) in squash(text)), None)
        assert printed, f"{source.meta['title']!r} not in the contents of {name}"
        # The first page after the contents that shows the title is where the article opens
        # (running heads repeat the title only on later pages).
        first = next(i for i in pages_with(pdf, source.meta["title"]) if i > CONTENTS_PAGE)
        assert first + 1 == printed, f"{source.meta['title']!r}: contents says {printed}, title is on {first + 1}"


@pytest.mark.parametrize("issue_id, name", EDITION_CASES)
def test_each_edition_holds_only_its_languages(build_of, issue_id, name):
    text = squash("".join(page_texts(build_of(issue_id) / name)))
    for source in SOURCES_OF[issue_id][1]:
        present = squash(source.meta["title"]) in text
        assert present == (source.lang in langs_of(issue_id, name)), (name, source.slug, source.lang)


@pytest.mark.parametrize("issue_id, name", EDITION_CASES)
def test_footnotes_are_on_the_page_of_their_reference(build_of, issue_id, name):
    pdf = build_of(issue_id) / name
    checked = 0
    articles = articles_in(issue_id, langs_of(issue_id, name))
    carried = 0  # an article that continues another on its pages numbers its notes on from it
    for source in articles:
        notes = source.notes
        if source.meta.get("start") != "continue":
            carried = 0
        for number, (label, before) in enumerate(source.note_contexts(), start=carried + 1):
            ref_pages = pages_with(pdf, before + str(number))
            note_pages = pages_with(pdf, str(number) + notes[label][:16])
            assert len(ref_pages) == 1, f"reference [^{label}] after {before!r}: pages {ref_pages}"
            # (The other language's version may print the same note with the same number elsewhere.)
            assert ref_pages[0] in note_pages, f"note [^{label}] on {note_pages}, referenced on {ref_pages}"
            checked += 1
        carried += len(source.note_contexts())
    assert checked == sum(len(source.note_contexts()) for source in articles)


@pytest.mark.parametrize("issue_id, name", EDITION_CASES)
def test_every_caption_is_under_its_picture(build_of, issue_id, name):
    pdf = build_of(issue_id) / name
    captions = [s for src in articles_in(issue_id, langs_of(issue_id, name)) for s in src.figures]
    captions += [photo["caption"][lang] for photo in SOURCES_OF[issue_id][0]["cover"] for lang in langs_of(issue_id, name)]
    assert captions
    for caption in captions:
        pages = pages_with(pdf, caption)
        assert pages, f"caption not found: {caption[:30]!r}"
        page = pages[0]
        # The caption's first characters as printed: clreq spacing may replace a source's spaces.
        boxes = text_boxes(pdf, page, caption.split()[0][:6])
        assert boxes, caption[:30]
        images = image_boxes(pdf, page)
        under = [b for b in boxes for im in images if 0 <= im.bottom - b.top < 60 and im.left <= b.left + 2 <= im.right]
        assert under, f"no picture just above {caption[:30]!r} on page {page + 1}"


@pytest.mark.parametrize("issue_id, name", EDITION_CASES)
def test_fonts_are_embedded_subsets_of_the_project_fonts(build_of, issue_id, name):
    reader = pypdf.PdfReader(build_of(issue_id) / name)
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
    assert {"Press-Serif-CJK"} <= seen if "zh" in langs_of(issue_id, name) else {"Press-Serif"} <= seen


@pytest.mark.parametrize("issue_id", ISSUES)
def test_chinese_and_english_text_extract(build_of, issue_id):
    text = "".join(page_texts(build_of(issue_id) / f"{issue_id}.pdf"))
    for source in SOURCES_OF[issue_id][1]:
        first_paragraph = next(b for b in source.blocks if not b.startswith(("#", "!", "[^", "-", ">", "|")))
        assert squash(source.plain(first_paragraph)[:40]) in squash(text), (source.slug, source.lang)


@pytest.mark.parametrize("issue_id", ISSUES)
def test_metadata_outline_and_language(build_of, issue_id):
    META, SOURCES = SOURCES_OF[issue_id]
    built = build_of(issue_id)
    reader = pypdf.PdfReader(built / f"{issue_id}.pdf")
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
    assert pypdf.PdfReader(built / f"{issue_id}.en.pdf").trailer["/Root"]["/Lang"] == "en"


@pytest.mark.parametrize("issue_id, name", EDITION_CASES)
def test_contents_entries_link_to_their_pages(build_of, issue_id, name):
    reader = pypdf.PdfReader(build_of(issue_id) / name)
    contents = reader.pages[CONTENTS_PAGE]
    printed = {n for _, n in contents_entries(page_texts(build_of(issue_id) / name)[CONTENTS_PAGE])}
    targets = set()
    for annot in contents.get("/Annots", []):
        annot = annot.get_object()
        assert "/A" not in annot, "a contents link still points outside the document"
        targets.add(reader.get_page_number(annot["/Dest"][0].get_object()) + 1)
    assert targets == printed


# A title whose last word just fills the contents line: its leader's dots wrapped onto a line of
# their own (seen on an English-heavy issue), so a contents line started with '.'.
FULL_LINE_TITLE = "Reanalysis at kilometre scale: CMA releases CRA-40 and a high-resolution regional dataset"


def test_a_long_contents_title_wraps_before_its_last_word_not_before_its_leader(issue_copy, tmp_path):
    from conftest import build_here

    article = issue_copy / "working-together.en.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        'title: "Working together against COVID-19: China in Action"', f'title: "{FULL_LINE_TITLE}"', 1),
        encoding="utf-8")
    result = build_here("pdf", str(issue_copy), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    contents = page_texts(tmp_path / "out" / "2020-02.en.pdf")[1]
    lines = [line.strip() for line in contents.splitlines() if line.strip()]
    assert not [line for line in lines if line.startswith(".")], lines
    entry = [(text, page) for text, page in contents_entries(contents) if "Reanalysis" in text]
    assert entry and squash(FULL_LINE_TITLE) in squash(entry[0][0]), contents
