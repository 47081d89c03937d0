"""The live preview as the editor sees it: from saving an edit to its words shown in an open tab.

    python bench/browser.py                  # 5 edits 4 s apart, 5 edits 2 s apart, the first edit after start
    python bench/browser.py --edits 2 --json out.json

`python build.py serve` on a copy of content/2020-02, the proof open in Debian's Chromium
(headless, driven by Playwright, as tests/conftest.py launches it), which runs before serve
starts, as an editor's browser does. Each edit appends a sentence
to a paragraph of a Chinese article; the time is from the save to the moment the tab has the new
words (its reading view holds them and every page image of the new proof has loaded: the
client's `press:updated`), read on the browser's clock, which is this machine's. Edits are saved
on a schedule, whether or not the one before has shown: an edit that waits behind the work of the
last one is timed with that wait.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from press.serve import launch, stop  # noqa: E402  (press from this checkout)

ISSUE = ROOT / "content" / "2020-02"
CHROMIUM = "/usr/bin/chromium"
# The article edited, and the words of one of its paragraphs that each edit adds to. The first is
# the issue's shortest: the one serve's first build sets in its own process (press/typeset.py).
ARTICLES = {"share-solutions.zh.md": "这是中国科技人员奋斗的成果，",
            "knowledge-sharing.zh.md": "知识共享是指知识源主体有意识、有目的、主动地促进知识转移的行为，"}
ARTICLE, ANCHOR = next(iter(ARTICLES.items()))
WORDS = "科技人员中国成果合作研究"  # characters the issue has: no font is subset again for them

# Every proof the tab shows, with the time it was shown and its reading view's text.
RECORDER = """
window.pressShows = [];
document.addEventListener("press:updated", () => {
  window.pressShows.push([window.pressShown, document.querySelector(".reading")?.textContent || ""]);
});
"""
QUIET = 1.0  # s: how long the last edit of a run is left alone before the tab is asked whether it has shown
# Resolves once a shown proof holds `words`, or after `ms` milliseconds.
SHOWN = """([words, ms]) => new Promise((resolve) => {
  const shown = () => window.pressShows.some(([, text]) => text.includes(words));
  const check = () => {
    if (!shown()) return;
    document.removeEventListener("press:updated", check);
    resolve(true);
  };
  document.addEventListener("press:updated", check);
  setTimeout(() => { document.removeEventListener("press:updated", check); resolve(false); }, ms);
  check();
})"""
# --trace: when the tab heard of each build (serve's notification) and when each of its requests
# (the index, the page images) was answered, on the same clock.
TRACER = """
window.pressHeard = [];
const Heard = window.EventSource;
window.EventSource = function (url) {
  const source = new Heard(url);
  source.addEventListener("message", () => window.pressHeard.push(performance.timeOrigin + performance.now()));
  return source;
};
window.pressFetched = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    window.pressFetched.push([entry.name.split("/").pop(), performance.timeOrigin + entry.startTime,
                              performance.timeOrigin + entry.responseEnd]);
}).observe({type: "resource"});
"""


def start_serve(issue: Path, out: Path, cache: Path) -> tuple[subprocess.Popen, str]:
    try:
        return launch([sys.executable, str(ROOT / "build.py"), "serve", str(issue), "-o", str(out)],
                      {**os.environ, "PRESS_CACHE_DIR": str(cache)}, ROOT, timeout=300)
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from None


def marker(n: int) -> str:
    """Words no edit before has used, of characters the issue has (digits are in every subset)."""
    return f"{WORDS[n % len(WORDS)]}{WORDS[(n // len(WORDS) + n + 3) % len(WORDS)]}{n:03d}"


def run_edits(page, article: Path, text: str, start: int, count: int, gap: float, wait: float = 60,
              trace: bool = False, anchor: str = ANCHOR) -> list[float]:
    """Save `count` edits `gap` seconds apart; for each, seconds from its save until a shown proof
    holds its words. With `trace`, print what the tab heard and fetched meanwhile."""
    page.evaluate("window.pressShows = []")
    if trace:
        page.evaluate("window.pressHeard = []; window.pressFetched = []")
    saved = []
    current = text
    for i in range(count):
        due = (saved[0][1] + i * gap) if saved else time.time()
        time.sleep(max(0.0, due - time.time()))
        words = marker(start + i)
        current = current.replace(anchor, f"{anchor}{words}，", 1)
        article.write_text(current, encoding="utf-8")
        saved.append((words, time.time()))
    # The last edit left alone while it is built and shown, as every edit before it was (this
    # process asleep until the next save): asked from here every 20 ms whether it had shown, each
    # question (this process, Playwright's driver, the tab's main thread) took the CPU from serve
    # and the tab, and the last edit of each run, and the first edit after start, were the slowest
    # (0.40-0.43 s against a median of 0.24-0.26). Waited for in the tab (one question), it was
    # still 0.29-0.35 s: Playwright's client, awake, read the tab's every request meanwhile.
    time.sleep(max(gap, QUIET))
    page.evaluate(SHOWN, [saved[-1][0], wait * 1000])
    shows = page.evaluate("window.pressShows")
    times = []
    for words, at in saved:
        seen = [when / 1000 for when, shown in shows if words in shown]
        times.append(min(seen) - at if seen else float("inf"))
    article.write_text(current, encoding="utf-8")
    if trace:
        first = saved[0][1]
        ms = lambda at: f"{(at / 1000 - first) * 1000:.0f}"  # noqa: E731
        heard = " ".join(ms(at) for at in page.evaluate("window.pressHeard"))
        fetched = " ".join(f"{name or 'index'} {ms(begun)}-{ms(done)}" for name, begun, done in page.evaluate("window.pressFetched"))
        shown = " ".join(ms(at) for at, _ in shows)
        print(f"  ms after the first save: notified {heard}; fetched {fetched}; shown {shown}", flush=True)
    return times


def measure(edits: int, gaps: tuple[float, ...], cache: Path | None = None, trace: bool = False,
            edited: str = ARTICLE) -> dict:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="press-browser-"))
    issue = work / "2020-02"
    shutil.copytree(ISSUE, issue)
    article, anchor = issue / edited, ARTICLES[edited]
    results: dict[str, list[float]] = {}
    if cache is not None:
        # A copy: serve adds the parts of every edit to its cache, and the next run, whose edits
        # are the same, would find them there and time no typesetting.
        cache = Path(shutil.copytree(cache, work / "cache"))
    with sync_playwright() as p:
        # The browser runs before serve starts, as the editor's does: launched after it, its own
        # start went on for 0.4-0.6 s after the proof had loaded (0.36-0.64 CPU-s of Chromium's,
        # 0.05-0.1 once it had run 2 s first), and the first edit, saved then, was timed with it.
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        if trace:
            page.add_init_script(TRACER)
        page.goto("about:blank")
        try:
            proc, url = start_serve(issue, work / "out", cache or work / "cache")
        except BaseException:
            browser.close()
            shutil.rmtree(work, ignore_errors=True)
            raise
        try:
            page.goto(url)
            page.wait_for_function("[...document.querySelectorAll('.page img')].length > 0 && "
                                   "[...document.querySelectorAll('.page img')].every(i => i.complete)")
            page.evaluate(RECORDER)
            text = article.read_text(encoding="utf-8")
            results["first"] = run_edits(page, article, text, 0, 1, 0, trace=trace, anchor=anchor)
            n = 1
            for gap in gaps:
                time.sleep(gap)  # whatever the edits before left to do
                text = article.read_text(encoding="utf-8")
                results[f"every {gap:g} s"] = run_edits(page, article, text, n, edits, gap, trace=trace, anchor=anchor)
                n += edits
        finally:
            browser.close()
            stop(proc)
            shutil.rmtree(work, ignore_errors=True)
    if trace:  # serve's own account of each build, in order
        print("".join(line for line in proc.stdout if "proof updated" in line), end="", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5, help="edits at each spacing")
    parser.add_argument("--gaps", type=float, nargs="+", default=[4.0, 2.0], help="seconds between saves")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--cache", type=Path, help="the cache folder serve starts from (default: an empty one); "
                        "tests/test_bench_browser.py gives one holding the issue's parts, which only the first build uses")
    parser.add_argument("--trace", action="store_true", help="print, for each run of edits, when the tab was "
                        "notified of each build and when each request it made was answered")
    parser.add_argument("--article", choices=list(ARTICLES), default=ARTICLE, help="the article edited (default: "
                        "the shortest, which serve's first build sets in its own process)")
    args = parser.parse_args()
    results = measure(args.edits, tuple(args.gaps), args.cache, args.trace, args.article)
    for name, times in results.items():
        shown = ", ".join(f"{t:.2f}" for t in times)
        print(f"{name:12} median {statistics.median(times):6.2f} s  ({shown})")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
