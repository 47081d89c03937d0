"""Links, tables, lists and block quotes, read back from the built PDF.

The issue built here is 2020-02 with one article more (tests/markup_article/, in both
languages) that holds a table with a numeric column, bulleted and numbered lists, a block
quote, links with words, a mail link, a bare address and a long one. Every expectation is
read from the Markdown sources with recognizers of this file's own, not from press/markup.py.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest
import yaml

from conftest import ISSUE, ROOT, build_here
from issue_source import read_issue
from pdftext import pages_with, squash

from press.pagerules import check_pdf, read_lines  # noqa: E402

ARTICLE = ROOT / "tests" / "markup_article"
SLUG = "open-data"
EDITIONS = {"2020-02.pdf": ("zh", "en"), "2020-02.zh.pdf": ("zh",), "2020-02.en.pdf": ("en",)}

LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)\)")
AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
BARE = re.compile(r"https?://[\x21-\x7e]+")
TABLE_ROW = re.compile(r"^\|(.*)\|\s*$")


@pytest.fixture(scope="module")
def built(tmp_path_factory, build_of) -> Path:
    build_of("2020-02")  # the issue's own parts, in the project's cache, reused by the build below
    issue = tmp_path_factory.mktemp("issue") / "2020-02"
    shutil.copytree(ISSUE, issue)
    for source in ARTICLE.glob(f"{SLUG}.*.md"):
        shutil.copy(source, issue / source.name)
    meta = yaml.safe_load((issue / "issue.yaml").read_text(encoding="utf-8"))
    meta["articles"].append(SLUG)
    (issue / "issue.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = issue.parent / "out"
    result = build_here("pdf", str(issue), "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def bodies(langs) -> list[str]:
    """The Markdown bodies of every article of the issue in these languages, with the front
    matter's printed fields (abstract, source), whose addresses are links too."""
    found = []
    for path in sorted([*ISSUE.glob("*.md"), *ARTICLE.glob("*.md")]):
        parts = path.name.split(".")
        if len(parts) == 3 and parts[1] in langs:
            _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
            meta = yaml.safe_load(front)
            found.append("\n\n".join([body, *(str(meta[k]) for k in ("abstract", "abstract_en", "source") if k in meta)]))
    return found


def article(lang: str) -> str:
    return (ARTICLE / f"{SLUG}.{lang}.md").read_text(encoding="utf-8").split("---\n", 2)[2]


def trim(url: str) -> str:
    # The sentence's own marks after a bare address are not part of it.
    return url.rstrip(".,;:!?)'\"")


def source_urls(langs) -> set[str]:
    urls = set()
    for body in bodies(langs):
        without_links = LINK.sub(" ", body)
        urls |= {m[2] for m in LINK.finditer(body)} | {m[1] for m in AUTOLINK.finditer(body)}
        urls |= {trim(m[0]) for m in BARE.finditer(AUTOLINK.sub(" ", without_links))}
    return urls


def annotation_uris(pdf: Path) -> list[str]:
    uris = []
    for page in pypdf.PdfReader(pdf).pages:
        for annot in page.get("/Annots", []) or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action.get_object():
                left, bottom, right, top = (float(v) for v in annot.get_object()["/Rect"])
                # One annotation a line of the link, covering its words: none for its inner boxes.
                assert abs(right - left) > 1 and abs(top - bottom) > 1, f"an empty link area for {action.get_object()['/URI']}"
                uris.append(str(action.get_object()["/URI"]))
    return uris


def article_pages(pdf: Path, lang: str) -> list[int]:
    """0-based pages of the added article in one language: from its title to the next title or the end."""
    title = yaml.safe_load((ARTICLE / f"{SLUG}.{lang}.md").read_text(encoding="utf-8").split("---\n", 2)[1])["title"]
    texts = page_texts(pdf)
    start = next(i for i, text in enumerate(texts) if i > 1 and title in text.replace("\r\n", ""))
    pages = [start]
    source = yaml.safe_load((ARTICLE / f"{SLUG}.{lang}.md").read_text(encoding="utf-8").split("---\n", 2)[1])["source"]
    while source not in texts[pages[-1]]:
        pages.append(pages[-1] + 1)
    return pages


_TEXTS: dict = {}  # PDF -> its pages' text: the module's PDFs are built once, read by most of its tests


def page_texts(pdf: Path) -> list[str]:
    if pdf not in _TEXTS:
        doc = pdfium.PdfDocument(pdf)
        _TEXTS[pdf] = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    return _TEXTS[pdf]


def char_boxes(pdf: Path, page: int, text: str) -> list[list[tuple[float, float, float, float]]]:
    """For each occurrence of `text` on a page, the loose box (left, bottom, right, top) of each
    of its characters other than spaces; spaces (the quarter em of Chinese text among them)
    and line breaks on the page do not count, so text that wraps is found too."""
    textpage = pdfium.PdfDocument(pdf)[page].get_textpage()
    chars = [(textpage.get_text_range(i, 1), i) for i in range(textpage.count_chars())]
    chars = [(c, i) for c, i in chars if not c.isspace() and c not in "\u2060\u200b"]
    quotes = str.maketrans("“”‘’", "\"\"''")  # the typographer's curly quotes for the source's straight ones
    squashed = "".join(c for c, _ in chars).translate(quotes)
    wanted = re.sub(r"\s", "", text).translate(quotes)
    return [[textpage.get_charbox(i, loose=True) for _, i in chars[m.start():m.start() + len(wanted)]]
            for m in re.finditer(re.escape(wanted), squashed)]


def pdf_for(lang: str) -> str:
    return f"2020-02.{lang}.pdf"


# ---------- Links ----------

@pytest.mark.parametrize("name", EDITIONS)
def test_every_url_of_the_sources_is_a_link(built, name):
    wanted = source_urls(EDITIONS[name])
    assert len(wanted) >= 4  # the recognizer found the added article's links at least
    uris = annotation_uris(built / name)
    assert wanted <= set(uris), sorted(wanted - set(uris))
    # … and nothing links to an address the sources do not have (the contents links are internal).
    assert set(uris) <= wanted, sorted(set(uris) - wanted)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_link_prints_its_address_on_its_page(built, lang):
    pdf = built / pdf_for(lang)
    texts = [re.sub(r"\s", "", t) for t in page_texts(pdf)]
    links = [(words, url) for words, url in LINK.findall(article(lang)) if not url.startswith("images/")]
    assert len(links) >= 3
    for words, url in links:
        shown = url.removeprefix("mailto:")
        # The words may be hyphenated at a line's end: squash drops hyphens (the address is compared exactly).
        pages = [i for i, text in enumerate(page_texts(pdf)) if squash(words) in squash(text)]
        assert pages, words
        assert shown in texts[pages[0]], f"{shown!r} not printed on the page of {words!r}"


@pytest.mark.parametrize("name", EDITIONS)
def test_notes_and_link_notes_are_one_series_on_the_page_of_their_call(built, name):
    """Footnotes and links' notes are numbered together, in reading order (as the sources have
    them: tests/issue_source.py), and each is printed at the foot of the page that calls it."""
    _, sources = read_issue(built.parent / "2020-02")
    checked = links = 0
    for source in (s for s in sources if s.lang in EDITIONS[name]):
        notes = source.notes
        for number, (label, before) in enumerate(source.note_contexts(), start=1):
            call_pages = pages_with(built / name, before + str(number))
            note_pages = pages_with(built / name, str(number) + notes[label][:16])
            assert len(call_pages) == 1, f"{source.slug}.{source.lang}: call {number} after {before!r} on {call_pages}"
            # (In the bilingual issue the other language's same note may stand on its own page too.)
            assert call_pages[0] in note_pages, f"{source.slug}.{source.lang}: note {number} on {note_pages}, called on {call_pages}"
            checked += 1
            links += "://" in label or label.startswith("mailto:")
    assert links >= 3 and checked > links


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_long_addresses_break_without_an_added_hyphen(built, lang):
    pdf = built / pdf_for(lang)
    long_urls = [u for u in source_urls((lang,)) if len(u) > 60]
    assert long_urls
    broken = 0
    raw = "".join(page_texts(pdf))
    for url in long_urls:
        shown = url.removeprefix("mailto:")
        # Its characters with at most a line break between any two: an added hyphen would not match.
        printed = re.findall("(?:\r\n)?".join(map(re.escape, shown)), raw)
        assert printed, f"{shown!r} not printed as written (an added hyphen?)"
        broken += sum("\r\n" in p for p in printed)
    assert broken, "no long address was broken across lines: the test proves nothing"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_broken_address_stays_in_its_column(built, lang):
    pdf = built / pdf_for(lang)
    url = next(u for u in source_urls((lang,)) if len(u) > 60 and u in article(lang) and f"]({u})" not in article(lang))
    for page in article_pages(pdf, lang):
        lines = read_lines(pdf, page)
        middle = pdfium.PdfDocument(pdf)[page].get_size()[0] / 2
        body = [line for line in lines if len(line) > 15]
        in_url = [g for line in lines for g in line if "".join(x.char for x in line) in url and len(line) >= 8]
        if not in_url:
            continue
        for glyph in in_url:
            column = [g for line in body for g in line if (g.left < middle) == (glyph.left < middle) and g not in in_url]
            assert glyph.right <= max(g.right for g in column) + 0.5, f"{glyph.char!r} of {url} past its column"
        return
    pytest.fail(f"{url} not found on its own lines")


# ---------- Tables ----------

def source_table(lang: str) -> tuple[list[str], list[str], list[list[str]]]:
    # A note's call is not the cell's text; a link prints its words.
    rows = [[LINK.sub(r"\1", re.sub(r"\[\^[^\]]+\]", "", c)).strip() for c in m[1].split("|")]
            for line in article(lang).splitlines() if (m := TABLE_ROW.match(line))]
    head, align, body = rows[0], rows[1], rows[2:]
    kinds = ["right" if a.endswith(":") and not a.startswith(":") else "center" if a.startswith(":") and a.endswith(":") else "left"
             for a in align]
    return head, kinds, body


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_table_head_comes_first_and_numbers_line_up_on_the_right(built, lang):
    pdf = built / pdf_for(lang)
    head, kinds, body = source_table(lang)
    assert "right" in kinds and len(body) >= 3
    page = next(p for p in article_pages(pdf, lang) if char_boxes(pdf, p, body[-1][0]))
    head_top = char_boxes(pdf, page, head[0])[0][0][3]
    rows = []
    for row in body:
        label = char_boxes(pdf, page, row[0])
        assert label, row[0]
        bottom = label[0][0][1]
        assert bottom < head_top, f"row {row[0]!r} is not below the head"
        rows.append(bottom)
    assert rows == sorted(rows, reverse=True), "rows out of order"
    checked = 0
    for column, kind in enumerate(kinds):
        if kind != "right":
            continue
        edges, digits = [], []
        for row, bottom in zip(body, rows):
            if not row[column]:
                continue
            # The cell's occurrence on its row's baseline (the same figures may stand elsewhere on the page).
            hit = next(boxes for boxes in char_boxes(pdf, page, row[column]) if abs(boxes[0][1] - bottom) < 3)
            edges.append(hit[-1][2])
            digits += [b[2] - b[0] for b, ch in zip(hit, row[column]) if ch.isdigit()]
        assert max(edges) - min(edges) < 0.3, f"column {head[column]!r}: right edges {edges}"
        assert max(digits) - min(digits) < 0.05, f"column {head[column]!r}: figures not tabular {sorted(set(digits))}"
        checked += 1
    assert checked >= 2


# ---------- Lists and quotes ----------

def column_left(lines, glyph_left: float, middle: float, size: float) -> float:
    """The left edge of the column a glyph is in: where its body lines start (an opening mark
    that starts a line is set out by its blank half, so those lines do not count)."""
    starts = [line[0].left for line in lines if len(line) > 10 and abs(line[len(line) // 2].em - size) < 0.2
              and (line[0].left < middle) == (glyph_left < middle) and line[0].char not in "（《“‘"]
    return min(starts)


def body_size(lines) -> float:
    sizes = [round(line[len(line) // 2].em, 1) for line in lines if len(line) > 10]
    return max(set(sizes), key=sizes.count)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_list_items_hang_from_their_markers(built, lang):
    pdf = built / pdf_for(lang)
    text = article(lang)
    bullets = re.findall(r"^- (.+)$", text, re.M)
    numbered = re.findall(r"^(\d+)\. (.+)$", text, re.M)
    assert bullets and numbered
    items = [("•", item) for item in bullets] + [(f"{n}.", item) for n, item in numbered]
    for page in article_pages(pdf, lang):
        if not char_boxes(pdf, page, bullets[0][:8]):
            continue
        lines = read_lines(pdf, page)
        middle = pdfium.PdfDocument(pdf)[page].get_size()[0] / 2
        size = body_size(lines)
        for marker, item in items:
            text = char_boxes(pdf, page, item[:16])
            assert len(text) == 1, item[:20]
            left, bottom = text[0][0][0], text[0][0][1]
            # The marker is drawn on its own (after the text, by WeasyPrint): look for it by place.
            marks = [box for box in char_boxes(pdf, page, marker) if abs(box[0][1] - bottom) < 1.5 and box[-1][2] <= left]
            assert marks, f"no {marker!r} before {item[:20]!r}"
            edge = column_left(lines, left, middle, size)
            assert marks[-1][0][0] >= edge - 0.5, f"the marker {marker!r} stands outside the column"
            assert left > edge + 0.9 * size, f"{item[:20]!r} does not hang: its text is at the column edge"
            # Every line of the item starts where its first does.
            lines_of_item = [line for line in lines if len(line) > 3 and re.sub(r"\s", "", "".join(g.char for g in line)) in re.sub(r"\s", "", item)]
            for line in lines_of_item:
                assert abs(line[0].left - left) < 0.5, f"{item[:20]!r}: a line at {line[0].left - edge:.1f} pt, the first at {left - edge:.1f}"
        return
    pytest.fail("no page with the list")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_quote_is_set_in_and_smaller(built, lang):
    pdf = built / pdf_for(lang)
    quote = re.sub(r"\s", "", "".join(re.findall(r"^> ?(.*)$", article(lang), re.M)))
    assert quote
    for page in article_pages(pdf, lang):
        lines = read_lines(pdf, page)
        found = [line for line in lines if len(line) >= 6 and re.sub(r"\s", "", "".join(g.char for g in line)) in quote]
        if not found:
            continue
        assert len(found) >= 2, "the quote should run over more than one line"
        middle = pdfium.PdfDocument(pdf)[page].get_size()[0] / 2
        size = body_size(lines)
        for line in found:
            edge = column_left(lines, line[0].left, middle, size)
            assert line[0].left > edge + 0.9 * size, f"quote line at {line[0].left - edge:.1f} pt from the column edge"
            assert line[len(line) // 2].em < size - 0.3, "the quote is set in the body size"
        return
    pytest.fail("quote not found")


def test_the_new_article_keeps_the_page_rules(built):
    pdf = built / "2020-02.pdf"
    pages = {p + 1 for lang in ("zh", "en") for p in article_pages(pdf, lang)}
    problems = [f"p{page} {rule}: {problem}" for page, rule, problem in check_pdf(pdf) if page in pages]
    assert problems == []
    # The rules had something to read there: lines of both languages, a table among them.
    assert len(pages) >= 2
