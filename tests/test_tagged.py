"""The reading PDFs are tagged: a structure tree in the article's reading order, figures with
alternative text, notes, the language of every part, running heads and folios as artifacts;
and every PDF passes `qpdf --check`."""

from __future__ import annotations

import re
from collections import Counter
import shutil
import subprocess

import pypdf
import pytest

from conftest import ISSUE, ISSUES
from issue_source import DEF, IMAGE, REF, read_issue
from pdftext import squash, structure

SOURCES_OF = {issue_id: read_issue(folder) for issue_id, folder in ISSUES.items()}
META, SOURCES = SOURCES_OF["2020-02"]
PDF_CASES = [(issue_id, f"{issue_id}{suffix}") for issue_id in ISSUES for suffix in (".pdf", ".zh.pdf", ".en.pdf")]


_TREES: dict = {}  # PDF -> its structure tree, read once (0.2 to 0.5 CPU-s) for the four tests that read each


def tree(pdf) -> list[tuple]:
    """pdftext.structure of a PDF of the session's builds (never written again), read once."""
    if pdf not in _TREES:
        _TREES[pdf] = list(structure(pdf))
    return _TREES[pdf]


def parts(pdf) -> list[dict]:
    """The top-level parts of the tree: language, reading text (notes and note calls aside),
    element types and figures' alternative text."""
    found, note_depth = [], None
    for depth, kind, attributes, text in tree(pdf):
        if note_depth is not None and depth <= note_depth:
            note_depth = None
        if depth == 1 and kind == "/Part":
            found.append({"lang": attributes.get("/Lang"), "text": "", "kinds": [], "alts": []})
            continue
        if not found or depth < 1:
            continue
        part = found[-1]
        if kind:
            part["kinds"].append(kind)
        if kind == "/Figure":
            part["alts"].append(str(attributes.get("/Alt", "")))
        if kind in ("/Note", "/Reference"):
            note_depth = depth if note_depth is None else note_depth
        if note_depth is None:
            part["text"] += text
    return found


def reading_blocks(slug: str, lang: str, issue_id: str = "2020-02") -> list[str]:
    source = next(s for s in SOURCES_OF[issue_id][1] if s.slug == slug and s.lang == lang)
    blocks = []
    for block in source.blocks:
        if DEF.match(block) or IMAGE.match(block):
            continue
        block = REF.sub("", re.sub(r"^#{1,6}\s+", "", block)).replace("*", "")
        blocks.append(squash(block))
    return blocks


def parts_in(issue_id: str, lang: str) -> int:
    """A part per article, but one for a run of articles that continue each other."""
    in_lang = [s for s in SOURCES_OF[issue_id][1] if s.lang == lang]
    return sum(1 for i, s in enumerate(in_lang) if i == 0 or not s.continued)


@pytest.mark.parametrize("issue_id, name", PDF_CASES)
def test_the_reading_pdfs_are_tagged(build_of, issue_id, name):
    built, META = build_of(issue_id), SOURCES_OF[issue_id][0]
    reader = pypdf.PdfReader(built / name)
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert META["title"]["en" if name.endswith(".en.pdf") else "zh"] in reader.metadata.title
    found = parts(built / name)
    langs = ("en",) if name.endswith(".en.pdf") else ("zh",) if name.endswith(".zh.pdf") else ("zh", "en")
    articles = [s for lang in langs for s in SOURCES_OF[issue_id][1] if s.lang == lang]
    assert len(found) == 2 + sum(parts_in(issue_id, lang) for lang in langs)  # cover, contents, articles
    assert all(part["lang"] in ("zh-Hans", "en") for part in found)
    kinds = Counter(kind for part in found for kind in part["kinds"])

    def headings(level: int) -> int:
        return sum(b.startswith("#" * level + " ") for s in articles for b in s.blocks)

    # As many as the sources have: a title (h1) for each article, the issue's name on the cover
    # and "Contents" h1 too; the bilingual contents heads its list in each language with an h2.
    assert kinds["/H1"] == len(articles) + 2, kinds
    assert kinds["/H2"] == headings(2) + (len(langs) if len(langs) > 1 else 0), kinds
    assert kinds["/H3"] == headings(3), kinds
    pictures = sum(len(s.figures) for s in articles) + len(META["cover"])
    assert kinds["/Figure"] == kinds["/Caption"] == pictures, kinds
    alts = [alt for part in found for alt in part["alts"]]
    assert len(alts) == pictures and all(alt.strip() for alt in alts), "every figure has alternative text"


@pytest.mark.parametrize("issue_id", ISSUES)
def test_parts_carry_their_language(build_of, issue_id):
    found = parts(build_of(issue_id) / f"{issue_id}.pdf")
    langs = [part["lang"] for part in found]
    # cover and contents, then the Chinese articles, then the English ones
    assert langs[2:] == ["zh-Hans"] * parts_in(issue_id, "zh") + ["en"] * parts_in(issue_id, "en")


@pytest.mark.parametrize("issue_id, name", PDF_CASES)
def test_notes_are_notes(build_of, issue_id, name):
    """One /Note for each footnote and each link's address note of the edition's sources."""
    found = parts(build_of(issue_id) / name)
    notes = sum(part["kinds"].count("/Note") for part in found)
    langs = ("en",) if name.endswith(".en.pdf") else ("zh",) if name.endswith(".zh.pdf") else ("zh", "en")
    assert notes == sum(len(s.notes) for s in SOURCES_OF[issue_id][1] if s.lang in langs)


@pytest.mark.parametrize("issue_id, slug, lang, name", [("2020-02", "knowledge-sharing", "zh", "2020-02.zh.pdf"),
                                                        ("2020-02", "working-together", "en", "2020-02.en.pdf"),
                                                        ("2020-06", "knowledge-innovation", "zh", "2020-06.zh.pdf"),
                                                        ("2020-06", "news-change", "en", "2020-06.en.pdf")])
def test_structure_follows_the_article(build_of, issue_id, slug, lang, name):
    """Read in the order of the tree, the article's text is its source's, block after block:
    left column before right, page after page, no running head in the middle of a sentence."""
    built, META = build_of(issue_id), SOURCES_OF[issue_id][0]
    blocks = reading_blocks(slug, lang, issue_id)
    part = next(p for p in parts(built / name) if blocks[0] in squash(p["text"]))
    text = squash(part["text"])
    position = 0
    for block in blocks:
        found = text.find(block, position)
        assert found >= 0, f"not found in reading order after position {position}: {block[:40]}"
        position = found + len(block)
    running_head = squash(f"{META['title'][lang]}{META['number'][lang]}")
    assert running_head not in text


@pytest.mark.parametrize("issue_id, name", PDF_CASES)
def test_running_heads_and_folios_are_artifacts(build_of, issue_id, name):
    reader = pypdf.PdfReader(build_of(issue_id) / name)
    for page in reader.pages:
        stream = page.get_contents().get_data()
        stamp = stream.rfind(b"/PressOverlay Do")
        assert stamp > 0
        before = stream[:stamp]
        assert before.rfind(b"/Artifact") > before.rfind(b"EMC"), "the overlay is drawn inside an artifact"


@pytest.mark.parametrize("issue_id", ISSUES)
def test_qpdf_finds_no_error(build_of, issue_id):
    assert shutil.which("qpdf"), "qpdf is installed by tools/setup.sh"
    for pdf in sorted(build_of(issue_id).glob("*.pdf")):
        result = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert result.returncode == 0, f"{pdf.name}: {result.stdout[-500:]}{result.stderr[-500:]}"
        assert "No syntax or stream encoding errors" in result.stdout


def test_marked_english_words_in_chinese_text_carry_their_language(built):
    """[The Lancet]{lang=en} in a Chinese article: the words are tagged /Lang en."""
    from issue_source import LANG_SPAN

    marked = [m[1] for path in sorted(ISSUE.glob("*.zh.md"))
              for m in LANG_SPAN.finditer(path.read_text(encoding="utf-8")) if "lang=en" in m[0]]
    assert len(marked) >= 5
    english, inside = "", None  # the text of every element under one whose /Lang is en
    for depth, kind, attributes, text in tree(built / "2020-02.zh.pdf"):
        if inside is not None and depth <= inside:
            inside = None
        if inside is None and attributes.get("/Lang") == "en":
            inside = depth
        if inside is not None:
            english += text + " "
    for words in marked:
        assert squash(words) in squash(english), words
