"""The proof serve shows at once, drawn from the bilingual issue as laid out (press.proof.LaidOutPages)
before its PDF is put together, is the proof of that PDF: every page the same pixels, the same
text. And a page is drawn again only when what it shows changed (press.edition.page_keys)."""

from __future__ import annotations

import shutil

import pytest
from PIL import ImageChops

from conftest import ISSUE

from press.config import load_config
from press.pipeline import build
from press.proof import LaidOutPages, PdfPages
from press.session import Session

ARTICLE = "share-solutions.zh.md"
ANCHOR = "这是中国科技人员奋斗的成果，"  # a paragraph of the article, neither on its first page nor its last


def _bare(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


@pytest.fixture(scope="module")
def issue(tmp_path_factory):
    target = tmp_path_factory.mktemp("laid-out") / "2020-02"
    shutil.copytree(ISSUE, target)
    return target


@pytest.fixture(scope="module")
def unedited(issue, tmp_path_factory):
    """The preview and the PDF of the issue as it is, for the three tests that start from them."""
    return _preview_and_pdf(issue, tmp_path_factory.mktemp("unedited") / "out")


def _preview_and_pdf(issue, out):
    """The preview a build yields first, seen before the build goes on, and the PDF written after it."""
    steps = build(load_config(str(issue), str(out)), Session(), preview=True)
    preview = next(steps)
    assert preview.layout is not None and not preview.path.exists()  # nothing put together yet
    written = next(steps)
    assert written.layout is None and written.path == preview.path and written.page_keys == preview.page_keys
    list(steps)
    return preview, written


def test_the_pages_as_laid_out_are_the_pages_of_the_pdf(unedited):
    preview, written = unedited
    laid_out, pdf = LaidOutPages(preview.layout), PdfPages(written.path)
    assert len(laid_out) == len(pdf) == len(preview.page_keys)
    for i in range(len(pdf)):
        assert ImageChops.difference(laid_out.image(i), pdf.image(i)).getbbox() is None, f"page {i + 1}"
        assert _bare(laid_out.text(i)) == _bare(pdf.text(i)), f"page {i + 1}"
    # The running heads and folios come from the overlay: a page with one shows it.
    assert any(_bare(preview.layout.sheets[i].head or "") and _bare(preview.layout.sheets[i].head) in _bare(laid_out.text(i))
               for i in range(len(pdf)))


def test_an_edit_changes_the_keys_of_the_pages_it_changed_and_no_other(issue, unedited, tmp_path):
    before, old_pdf = unedited
    article = issue / ARTICLE
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace(ANCHOR, ANCHOR + "科技人员，", 1), encoding="utf-8")
    try:
        after, new_pdf = _preview_and_pdf(issue, tmp_path / "after")
    finally:
        article.write_text(text, encoding="utf-8")
    old, new = PdfPages(old_pdf.path), PdfPages(new_pdf.path)
    assert len(old) == len(new)
    changed = [i for i, (a, b) in enumerate(zip(before.page_keys, after.page_keys)) if a != b]
    # The page of the paragraph is drawn again, and no page that the edit left as it was: of the
    # article's pages (its part's), only those from the paragraph on; no page of another part.
    on = next(i for i in range(len(new)) if _bare(ANCHOR + "科技人员") in _bare(new.text(i)))
    first = before.first_pages[next(key for key in before.first_pages if key.slug == "share-solutions")] - 1
    end = min([page - 1 for page in before.first_pages.values() if page - 1 > first] + [len(new)])
    assert on in changed and min(changed) == on and max(changed) < end, (changed, on, first, end)
    assert len(changed) < end - first, "every page of the article drawn again"
    for i in range(len(new)):
        if i not in changed:  # an equal key promises equal pixels
            assert ImageChops.difference(old.image(i), new.image(i)).getbbox() is None, f"page {i + 1}"
    assert ImageChops.difference(old.image(on), new.image(on)).getbbox() is not None


def test_a_newer_edit_stops_a_pdf_between_its_parts(unedited):
    """serve shows the proof first, then puts the PDFs together: an edit saved meanwhile stops that
    at the next part (press.finish.assemble's checkpoint), not after the whole PDF."""
    from press.edition import make_pdf
    from press.stages import Stopped

    preview, _ = unedited
    layout, session, calls = preview.layout, Session(), []

    def newer_edit_after_the_first_part() -> None:
        calls.append(1)
        if len(calls) == 2:
            raise Stopped

    with pytest.raises(Stopped):
        make_pdf(layout, session, newer_edit_after_the_first_part)
    # Each part read is parsed and kept in the session: the overlays and the first part, no other.
    assert len(layout.parts) > 2 and len(session.parts) == len(layout.overlays) + 1
