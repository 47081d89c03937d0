"""The proof and the live preview, driven in headless Chromium (Debian's, through Playwright)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import expect

from press.serve import launch

from conftest import ROOT


# The proof on disk (build.py proof) is driven in test_reading_view, on the proof that module
# builds and reviews.


def start_server(issue: Path, out: Path, cache: Path) -> tuple[subprocess.Popen, str]:
    # A cache of its own (conftest.warm_cache: the session's parts, so that serve's first build
    # is a warm one): an edit timed against a shared cache may find its part typeset by an earlier run.
    return launch([sys.executable, str(ROOT / "build.py"), "serve", str(issue), "-o", str(out)],
                  {**os.environ, "PRESS_CACHE_DIR": str(cache)}, ROOT)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_preview_follows_edits_and_shows_errors(browser, issue_copy, tmp_path, warm_cache):
    proc, url = start_server(issue_copy, tmp_path / "out", warm_cache)
    try:
        page = browser.new_page()
        page.goto(url)
        expect(page.locator(".page img").first).to_be_visible()
        article = issue_copy / "share-solutions.zh.md"
        text = article.read_text(encoding="utf-8")
        # The PDFs of the sources as they are (serve announces itself once its first build has
        # written them all): what the last edit, which puts the source back, must write again.
        pdfs = sorted(p.name for p in (tmp_path / "out").glob("*.pdf"))
        assert len(pdfs) == 3, pdfs
        unedited = {name: _digest((tmp_path / "out" / name).read_bytes()) for name in pdfs}

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
        # each is linked into the proof folder. Waited for until every PDF, written and served, is
        # that of the unedited sources, which the last edit put back. The served and the written
        # bilingual PDF being equal says nothing: both were the first edit's until this build
        # wrote its own, and the test, which compared them then and once more a moment later, found
        # the new one written and not linked yet in 1 run of 4-7 (serve was writing the next PDF).
        # Compared by digest: pytest's diff of two unequal PDFs' bytes runs for many minutes.
        def served_and_written():
            return {name: (_digest(page.request.get(url + name).body()), _digest((tmp_path / "out" / name).read_bytes()))
                    for name in pdfs}

        deadline = time.time() + 60
        while any(pair != (unedited[name],) * 2 for name, pair in served_and_written().items()) \
                and time.time() < deadline:
            time.sleep(0.1)
        files = {p.relative_to(tmp_path).as_posix(): (p.stat().st_ino, p.stat().st_size, p.stat().st_mtime_ns)
                 for folder in (tmp_path / "out", tmp_path / "out" / "proof") for p in folder.glob("*.pdf")}
        assert served_and_written() == {name: (digest, digest) for name, digest in unedited.items()}, files
        assert page.request.get(url + "../../etc/passwd").status == 404
        assert page.request.get(url + "pages/").status == 404
        page.close()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=20) == 0
        print("".join(line for line in proc.stdout if "proof updated" in line), end="")
