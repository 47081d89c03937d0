"""The proof and the live preview, driven in headless Chromium (Debian's, through Playwright)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf
from playwright.sync_api import expect

from press.serve import launch

from conftest import ROOT, build_here
from issue_source import read_issue
from pdftext import pages_with





def test_the_proof_on_disk_shows_every_page_and_its_contents_links_land_right(browser, issue_copy, tmp_path):
    out = tmp_path / "out"
    result = build_here("proof", str(issue_copy), "-o", str(out))
    assert result.returncode == 0, result.stderr
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
    assert links.count() == len(read_issue(issue_copy)[1])  # an entry for each article, both languages
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


def start_server(issue: Path, out: Path, cache: Path) -> tuple[subprocess.Popen, str]:
    # A cache of its own (conftest.warm_cache: the session's parts, so that serve's first build
    # is a warm one): an edit timed against a shared cache may find its part typeset by an earlier run.
    return launch([sys.executable, str(ROOT / "build.py"), "serve", str(issue), "-o", str(out)],
                  {**os.environ, "PRESS_CACHE_DIR": str(cache)}, ROOT)


def test_the_preview_follows_edits_and_shows_errors(browser, issue_copy, tmp_path, warm_cache):
    proc, url = start_server(issue_copy, tmp_path / "out", warm_cache)
    try:
        page = browser.new_page()
        page.goto(url)
        expect(page.locator(".page img").first).to_be_visible()
        article = issue_copy / "share-solutions.zh.md"
        text = article.read_text(encoding="utf-8")

        # Each page image as shown before the edit, marked on the element itself.
        before = page.evaluate("[...document.querySelectorAll('.page img')].map((img) => (img.pressKept = true, img.src))")
        marker = "这是中国科技人员共同奋斗的成果"
        saved = time.time()
        article.write_text(text.replace("这是中国科技人员奋斗的成果", marker), encoding="utf-8")
        expect(page.locator(".reading")).to_contain_text(marker, timeout=30_000)
        # Timed by the browser's own clock (the same as ours), not by how often expect() looks:
        # from the save to the new proof shown, its page images loaded.
        shown = page.wait_for_function("window.pressShown").json_value()
        print(f"edit to refreshed page: {shown / 1000 - saved:.2f} s")
        # A page that did not change keeps its image element (nothing fetched or decoded again); the
        # edited page alone comes under a new URL.
        after = page.evaluate("[...document.querySelectorAll('.page img')].map((img) => [img.src, !!img.pressKept])")
        assert len(after) == len(before)
        assert [kept for _, kept in after] == [src == old for (src, _), old in zip(after, before)]
        assert 1 <= sum(not kept for _, kept in after) < len(after) // 2, after

        broken = text.replace("这是中国科技人员奋斗的成果", marker + "[^9]")
        article.write_text(broken, encoding="utf-8")
        errors = page.locator("#press-errors")
        expect(errors).to_be_visible(timeout=30_000)
        expect(errors).to_contain_text("error: footnote reference [^9] has no definition")
        expect(page.locator(".reading")).to_contain_text(marker)  # the last good proof stays up

        article.write_text(text, encoding="utf-8")
        expect(errors).to_be_hidden(timeout=30_000)
        expect(page.locator(".reading")).not_to_contain_text(marker, timeout=30_000)

        # The proof's links to the PDFs answer: the bilingual issue as the proof shows it (the
        # editions may still be on their way from the last build).
        hrefs = [link.get_attribute("href") for link in page.locator("nav a[href$='.pdf']").all()]
        assert sorted(hrefs) == sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) and len(hrefs) == 3
        for href in hrefs:
            answer = page.request.get(url + href)
            assert answer.status == 200 and answer.body().startswith(b"%PDF-"), href
        # serve shows the proof before it writes the PDFs (press.proof.LaidOutPages): once written,
        # the bilingual PDF is linked into the proof folder.
        deadline = time.time() + 60
        while (page.request.get(url + "2020-02.pdf").body() != (tmp_path / "out" / "2020-02.pdf").read_bytes()
               and time.time() < deadline):
            time.sleep(0.1)
        assert page.request.get(url + "2020-02.pdf").body() == (tmp_path / "out" / "2020-02.pdf").read_bytes()
        assert page.request.get(url + "../../etc/passwd").status == 404
        assert page.request.get(url + "pages/").status == 404
        page.close()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=20) == 0
        print("".join(line for line in proc.stdout if "proof updated" in line), end="")
