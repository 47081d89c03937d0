"""The proof's reading view as a review tool, in headless Chromium (Debian's, through Playwright).

Built from a copy of the issue with the English share-solutions of
tests/fixtures, one number in it changed, and a note with an address added
to both versions of working-together.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import build_here
from issue_source import read_issue
from pdftext import pages_with

FIXTURES = Path(__file__).parent / "fixtures"
ADDRESS = "http://www.most.gov.cn/xinwen/2020-04/04/content.htm"




@pytest.fixture(scope="module")
def proof_build(tmp_path_factory):
    """The proof of the issue described above: (issue folder, output folder, what the build said)."""
    root = tmp_path_factory.mktemp("reading")
    issue = root / "2020-02"
    shutil.copytree(Path(__file__).parent.parent / "content" / "2020-02", issue)
    shutil.copy(FIXTURES / "share-solutions.en.md", issue)
    ss = issue / "share-solutions.en.md"
    ss.write_text(ss.read_text(encoding="utf-8").replace("analysed 1,099 cases", "analysed 1,000 cases"), encoding="utf-8")
    for lang, note in (("zh", f"来源：科技部，{ADDRESS}"), ("en", f"Source: Ministry of Science and Technology, {ADDRESS}")):
        path = issue / f"working-together.{lang}.md"
        text = path.read_text(encoding="utf-8")
        last = text.rstrip("\n").rsplit("\n", 1)[1]
        path.write_text(text.replace(last, last + "[^1]") + f"\n[^1]: {note}\n", encoding="utf-8")
    # The translation record follows the edit above: confirmed, so that only the changed number is reported.
    assert build_here("translated", "working-together", str(issue)).returncode == 0
    result = build_here("proof", str(issue), "-o", str(root / "out"))
    assert result.returncode == 0, result.stderr
    return issue, root / "out", result


@pytest.fixture(scope="module")
def proof(proof_build, browser):
    issue, out, result = proof_build
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.goto((out / "proof" / "index.html").resolve().as_uri())
    page.wait_for_function("document.fonts.status === 'loaded'")
    yield page, issue, out / "2020-02.pdf", result.stderr
    page.close()


def test_the_proof_on_disk_shows_every_page_and_its_contents_links_land_right(browser, proof_build):
    """The proof as `build.py proof` leaves it on disk (here the one this module reviews: its
    edits change no page, title or link that is checked)."""
    from playwright.sync_api import expect
    import pypdf

    issue, out, result = proof_build
    index = Path(result.stdout.strip().splitlines()[-1])
    assert index == out / "proof" / "index.html"
    pdf = out / "2020-02.pdf"
    page_count = len(pypdf.PdfReader(pdf).pages)

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(index.resolve().as_uri())
    images = page.locator(".page img")
    expect(images).to_have_count(page_count)
    page.wait_for_function("[...document.querySelectorAll('.page img')].every(i => i.complete && i.naturalWidth > 0)")
    links = page.locator("nav a.to-page")
    assert links.count() == len(read_issue(issue)[1])  # an entry for each article, both languages
    for i in range(links.count()):
        link = links.nth(i)
        number = int(link.get_attribute("data-page"))
        title = link.inner_text().rsplit(str(number), 1)[0].strip()
        # The number printed in the proof is the page the title opens on in the PDF.
        assert next(p for p in pages_with(pdf, title) if p > 1) + 1 == number, title
        link.click()
        assert page.evaluate("location.hash") == f"#page-{number}"
        target = page.locator(f"#page-{number}")
        expect(target.locator("figcaption")).to_have_text(str(number))
        top = target.bounding_box()["y"]
        assert 0 <= top < 120, (title, top)
    page.click("#spreads")
    assert "spreads" in page.evaluate("document.body.className")
    # The reading view copies as the editor wrote: none of the characters set for print only
    # (word joiners, the quarter- and third-em spaces of press/clreq.py).
    reading = page.locator(".reading").inner_text()
    assert "全球战" in reading
    assert not set(reading) & {"\u2060", "\u2004", "\u2005", "\u200b"}, sorted(set(reading) & {"\u2060", "\u2004", "\u2005"})
    # On disk, the links to the three PDFs open them.
    for link in page.locator("nav a[href$='.pdf']").all():
        target = (index.parent / link.get_attribute("href")).resolve()
        assert target.read_bytes() == (out / target.name).read_bytes()
    page.close()


def test_one_row_per_aligned_block_with_paired_tops_level(proof):
    page, issue, _, _ = proof
    _, sources = read_issue(issue)
    zh = next(s for s in sources if s.slug == "working-together" and s.lang == "zh")
    front = [k for k in ("title", "subtitle", "author", "source", "date", "abstract") if zh.meta.get(k)]
    rows = page.locator("#read-working-together .row")
    assert rows.count() == len(front) + len(zh.blocks)  # the blocks of the source, its note included
    tops = page.evaluate("""() => [...document.querySelectorAll('#read-working-together .row')].map(row =>
        [...row.querySelectorAll('.side')].map(side => side.firstElementChild.getBoundingClientRect().top))""")
    assert all(len(pair) == 2 for pair in tops)
    assert max(abs(zh_top - en_top) for zh_top, en_top in tops) <= 3, tops
    # Rows follow each other down the page: the English column does not drift.
    assert all(a[0] < b[0] for a, b in zip(tops, tops[1:]))


def test_front_matter_in_both_languages(proof):
    page, issue, _, _ = proof
    _, sources = read_issue(issue)
    for source in (s for s in sources if s.slug == "working-together"):
        side = page.locator(f"#read-working-together .side.{source.lang}")
        assert side.nth(0).locator("h3").inner_text().strip() == source.meta["title"].strip()
        assert source.meta["subtitle"].strip() in side.nth(1).inner_text()
        assert source.meta["source"].strip() in side.nth(2).inner_text()


def test_notes_are_labelled_in_their_language_and_addresses_are_links(proof):
    page = proof[0]
    zh_note = page.locator("#read-working-together .side.zh p.note")
    en_note = page.locator("#read-working-together .side.en p.note")
    assert zh_note.inner_text().startswith("注1：")
    assert en_note.inner_text().startswith("Note 1: ")
    for note in (zh_note, en_note):
        assert note.locator("a").get_attribute("href") == ADDRESS
    # The call in the text jumps to its note.
    call = page.locator("#read-working-together .side.en .call a")
    assert call.get_attribute("href") == "#" + en_note.get_attribute("id")


def test_a_mismatched_row_carries_its_warning_which_the_proof_lists_too(proof):
    page, issue, _, stderr = proof
    row = page.locator("#read-share-solutions .row", has_text="analysed 1,000 cases")
    assert row.count() == 1
    assert "mismatched" in row.get_attribute("class")
    zh_line = next(i for i, line in enumerate((issue / "share-solutions.zh.md").read_text().split("\n"), 1) if "1099 例" in line)
    finding = row.locator(".findings").inner_text()
    assert "number 1,000 here but 1099" in finding and f"share-solutions.zh.md:{zh_line}" in finding
    # Every warning (and note) of the build is in the proof, not only in the terminal.
    # As HTML shows them: the two spaces before a code are one there.
    printed = [" ".join(re.split(r": (?:warning|note): ", line, maxsplit=1)[1].split()) for line in stderr.splitlines()
               if ": warning: " in line or ": note: " in line]
    listed = page.locator("#warnings li").all_inner_texts()
    assert printed and len(listed) == len(printed)
    assert all(any(message in item for item in listed) for message in printed)
    # Counted apart, as the terminal prints them: a note is not a warning.
    count = {kind: sum(f": {kind}: " in line for line in stderr.splitlines()) for kind in ("warning", "note")}
    assert count["warning"] and count["note"], stderr
    wanted = f"{count['warning']} warning(s), 注 {count['note']} note(s)"
    assert page.locator(".warn-count").inner_text().strip() == f"警告 {wanted}"
    assert f"({count['warning']}), 注 notes ({count['note']})" in page.locator("#warnings summary").inner_text()


def test_each_block_links_to_the_page_that_prints_it(proof):
    page, issue, pdf, _ = proof
    links = page.locator("#read-working-together .side .block:not(.source) > .to-page")
    # Each side's blocks, its title and subtitle (its source line, of class source, is left out above).
    sources = [s for s in read_issue(issue)[1] if s.slug == "working-together"]
    assert len(sources) == 2
    assert links.count() == sum(len(s.blocks) + sum(bool(s.meta.get(k)) for k in ("title", "subtitle", "author", "date", "abstract"))
                                for s in sources)
    for i in range(links.count()):
        link = links.nth(i)
        number = int(re.search(r"#page-(\d+)", link.get_attribute("href"))[1])
        words = link.evaluate("a => a.parentElement.innerText.replace(a.innerText, '')").strip()
        words = re.sub(r"^(注|Note )\d+[：:]\s*", "", words)[:12]
        assert number - 1 in pages_with(pdf, words), (words, number)


def test_a_listed_warning_leads_to_its_row(proof):
    page = proof[0]
    link = page.locator("#warnings li a", has_text="number 1,000 here but 1099")
    link.click()
    row = page.locator(page.evaluate("location.hash"))
    assert "analysed 1,000 cases" in row.inner_text()
    assert 0 <= row.bounding_box()["y"] < 120


def test_serve_shows_the_warnings_and_follows_their_fix(browser, tmp_path, warm_cache):
    import signal

    from playwright.sync_api import expect

    from test_proof_browser import start_server

    issue = tmp_path / "2020-02"
    shutil.copytree(Path(__file__).parent.parent / "content" / "2020-02", issue)
    en = issue / "share-solutions.en.md"
    good = (FIXTURES / "share-solutions.en.md").read_text(encoding="utf-8")
    en.write_text(good.replace("analysed 1,099 cases", "analysed 1,000 cases"), encoding="utf-8")
    proc, url = start_server(issue, tmp_path / "out", warm_cache)
    try:
        page = browser.new_page()
        page.goto(url)
        warnings = page.locator("#warnings")
        expect(warnings).to_contain_text("number 1,000 here but 1099", timeout=30_000)
        expect(page.locator("#read-share-solutions .row.mismatched")).to_have_count(1)
        en.write_text(good, encoding="utf-8")  # the translator fixes the number: the warning goes
        expect(warnings).not_to_contain_text("1,000", timeout=30_000)
        expect(page.locator("#read-share-solutions .row.mismatched")).to_have_count(0)
        page.close()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=20) == 0


def test_blocks_with_the_same_first_words_link_to_their_own_pages(tmp_path):
    """Many paragraphs open with the same words: each links to the page it is set on, as the layout
    placed it; a search for its first words would find them all on the first of those pages.
    No browser: the links are read from the proof's HTML, the pages from the PDF's text."""
    from test_layout import tiny_issue

    count = 240  # one short line each: about three pages of two columns
    body = "\n\n".join(f"Repeated opening words of a paragraph, Q{k:03d}Q." for k in range(count))
    issue = tiny_issue(tmp_path / "same", body=body)
    (issue / "only.zh.md").unlink()  # the English side alone: its text is the body above
    result = build_here("proof", str(issue), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "proof" / "index.html").read_text(encoding="utf-8")
    linked = {int(tag): int(page) for page, tag in re.findall(
        r'<div class="block paragraph"[^>]*><a class="to-page" href="#page-(\d+)">[^<]*</a><p>Repeated opening words '
        r'of a paragraph, Q(\d{3})Q', html)}
    assert sorted(linked) == list(range(count))
    pdf = tmp_path / "out" / "tiny.pdf"
    printed = {k: pages_with(pdf, f"Q{k:03d}Q") for k in range(count)}
    assert all(len(pages) == 1 for pages in printed.values()), printed
    assert len({pages[0] for pages in printed.values()}) >= 2  # the paragraphs do run over pages
    assert {k: page - 1 for k, page in linked.items()} == {k: pages[0] for k, pages in printed.items()}
    # A build reused from the record (nothing changed) links them the same: the record keeps the pages.
    again = build_here("proof", str(issue), "-o", str(tmp_path / "out"))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "out" / "proof" / "index.html").read_text(encoding="utf-8") == html
