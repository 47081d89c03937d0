"""Benchmark: how long builds take, and how much memory, side by side with plain WeasyPrint.

    python bench/run.py              # 3 runs of each scenario, table and bench/results.json
    python bench/run.py --runs 5
    python bench/run.py --smoke      # one quick run of everything, for the tests

Scenarios, all on content/2020-02 (or issues made from it):
  naive  the project's own HTML and CSS for the three PDFs, typeset by WeasyPrint with default
         options and Debian's full fonts (fonts-noto-cjk collections, fonts-noto-core), no caches
  cold   python build.py pdf, empty cache, empty output folder
  warm   the same command again, nothing changed
  edit   the same command after one paragraph of one article changed
  scale  cold builds of issues made by repeating the real articles, to about 20 and 200 pages
  serve  python build.py serve, then one-paragraph edits (a different word each time, so nothing
         comes from a cache): from the save to the server's "proof updated", the moment the new
         page images are on disk and open tabs are told to show them (time, and serve's CPU time)
  tab    python build.py serve with the proof open in Chromium (bench/browser.py): from the save to
         the new words shown in the tab, for the first edit after start and for edits 2 s apart
Each command runs in its own process; peak memory is the largest sum of the RSS of the whole
process tree (workers included), sampled every 10 ms (the tree itself looked up every 200 ms).
Last, every speed target with its measured value and pass or fail, and the machine's load
(1-minute average) when the run began and ended: timings on a loaded machine are not the targets'.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ISSUE = ROOT / "content" / "2020-02"
PY = sys.executable


def tree_pids(pid: int) -> list[int]:
    """A process and all its descendants (one pass over /proc: about 5 ms)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def rss(pids: list[int]) -> int:
    """Resident memory of these processes, in bytes."""
    total = 0
    for p in pids:
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass  # ended meanwhile
    return total


PAGE = __import__("os").sysconf("SC_PAGE_SIZE")


class TreeMemory:
    """Peak resident memory of a process tree, sampled every 10 ms. The tree is looked up again
    every 200 ms only: a full pass over /proc at every sample took a third of a core, which
    slowed the builds that use both cores (and not the naive one, which uses one)."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.done = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._sample)
        self.thread.start()

    def _sample(self) -> None:
        pids, tick = [self.pid], 0
        while not self.done.is_set():
            if tick % 20 == 0:
                pids = tree_pids(self.pid)
            self.peak = max(self.peak, rss(pids))
            tick += 1
            time.sleep(0.01)

    def stop(self) -> int:
        self.done.set()
        self.thread.join()
        return self.peak


def measure(cmd: list[str], env: dict | None = None, cwd: Path = ROOT) -> tuple[float, int, float]:
    """Wall time (s), peak tree memory (bytes) and CPU time (s, user + system, of the command and
    every process it waited for: its workers) of a command, which must succeed. On a machine
    shared with other work the CPU time moves far less than the wall time."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = TreeMemory(proc.pid)
    err = proc.communicate()[1]
    wall = time.perf_counter() - start
    peak = memory.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err.decode()}")
    return wall, peak, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def tree_cpu(pid: int) -> float:
    """CPU time (s, user + system) of a process tree so far: its running processes' own."""
    total = 0
    for p in tree_pids(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


TICKS = __import__("os").sysconf("SC_CLK_TCK")


def serve_edits(issue: Path, out: Path, env: dict, edits: int) -> list[tuple[float, int, float]]:
    """Start serve, save `edits` one-paragraph changes one after the other; for each, the time
    from the save to the server's "proof updated", the peak tree memory while it built, and the
    CPU time serve's processes spent from the save to "proof updated" (what a loaded machine moves
    far less than the time)."""
    import queue

    sys.path.insert(0, str(ROOT))  # press from this checkout
    from press.serve import stop

    proc = subprocess.Popen([PY, str(ROOT / "build.py"), "serve", str(issue), "-o", str(out)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()

    def wait_for(start: str) -> None:
        while not (line := lines.get(timeout=120)).startswith(start):
            if "error:" in line:
                raise SystemExit(f"serve reported: {line}")

    try:
        wait_for("serving ")
        article = issue / "share-solutions.zh.md"
        text = article.read_text(encoding="utf-8")
        samples = []
        for i in range(edits):
            time.sleep(0.5)  # an editor's pause: whatever the last build left to do is done
            while not lines.empty():
                lines.get()
            word = "科技人员中国成果合作研究"[i % 12] * (1 + i // 12)  # characters the issue has
            memory = TreeMemory(proc.pid)
            cpu = tree_cpu(proc.pid)
            saved = time.perf_counter()
            article.write_text(text.replace("这是中国科技人员奋斗的成果，", f"这是中国科技人员{word}奋斗的成果，"), encoding="utf-8")
            wait_for("proof updated")
            wall, cpu = time.perf_counter() - saved, tree_cpu(proc.pid) - cpu
            wait_for("all PDFs written")
            samples.append((wall, memory.stop(), cpu))
        return samples
    finally:
        stop(proc)


def env_with(cache: Path) -> dict:
    import os

    return {**os.environ, "PRESS_CACHE_DIR": str(cache)}


def pdf_stats(folder: Path) -> tuple[int, int, dict[str, dict]]:
    """Total size and pages, and each PDF's pages, hash and inode: what the smoke test checks a scenario made."""
    import hashlib

    import pypdf

    pdfs = sorted(folder.glob("*.pdf"))
    files = {p.name: {"pages": len(pypdf.PdfReader(p).pages), "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
                      "inode": p.stat().st_ino}  # the same inode: the file was left as it was, not written again
             for p in pdfs}
    return sum(p.stat().st_size for p in pdfs), sum(f["pages"] for f in files.values()), files


def synthetic_issue(target: Path, times: int, repeated: tuple[str, ...] | None = None) -> Path:
    """An issue made of the real articles repeated `times` times (the repeats under other slugs,
    the same images), or of the real issue with the articles `repeated` alone repeated. The first
    time keeps the real slugs: in the smoke run, whose builds start from the cold build's cache,
    the articles it shares with the real issue are not set again."""
    import yaml

    shutil.copytree(ISSUE / "images", target / "images")
    meta = yaml.safe_load((ISSUE / "issue.yaml").read_text(encoding="utf-8"))
    slugs = []
    for n in range(times):
        for slug in meta["articles"]:
            if n and repeated is not None and slug not in repeated:
                continue
            name = f"{slug}-{n}" if n else slug
            for path in ISSUE.glob(f"{slug}.*.md"):
                shutil.copy(path, target / path.name.replace(slug, name))
            slugs.append(name)
    text = (ISSUE / "issue.yaml").read_text(encoding="utf-8")
    text = text.replace(f"articles: [{', '.join(meta['articles'])}]", f"articles: [{', '.join(slugs)}]")
    (target / "issue.yaml").write_text(text, encoding="utf-8")
    return target


def synthetic_articles(issue: Path) -> list[str]:
    """The slugs of a synthetic issue, in its order."""
    import yaml

    return yaml.safe_load((issue / "issue.yaml").read_text(encoding="utf-8"))["articles"]


def noto_fonts(cache: Path, installed: bool = False) -> tuple[Path, Path]:
    """Debian's full Noto fonts, downloaded and unpacked once (apt-get download, dpkg -x: no install):
    (the folder of the CJK collections, the folder of the Latin faces). With `installed` (the smoke
    run), the CJK collections of the fonts-noto-cjk that tools/setup.sh installs, where they are:
    the same package's files, without unpacking its 56 MB again in a fresh checkout (5 CPU-s, of
    the smoke test's 20); and the Latin faces the project's own (fonts/NotoSerif-*.ttf: the same
    package's faces cut to the Latin and punctuation blocks, which hold all the issue's Latin
    text), without downloading and unpacking fonts-noto-core in a fresh checkout (1.7 CPU-s, and
    the network)."""
    root = cache / "noto"
    system = Path("/usr/share/fonts/opentype/noto")
    cjk = system if installed and (system / "NotoSerifCJK-Regular.ttc").exists() else root / "usr/share/fonts/opentype/noto"
    latin = ROOT / "fonts" if installed else root / "usr/share/fonts/truetype/noto"
    wanted = {} if installed else {"fonts-noto-core": latin / "NotoSerif-Regular.ttf"}
    if cjk != system:
        wanted["fonts-noto-cjk"] = cjk / "NotoSerifCJK-Regular.ttc"
    missing = [package for package, face in wanted.items() if not face.exists()]
    if missing:
        debs = cache / "debs"
        debs.mkdir(parents=True, exist_ok=True)
        download = ["apt-get", "download", *missing]
        if subprocess.run(download, cwd=debs, stdout=subprocess.DEVNULL).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], check=True)  # a fresh machine has no package lists yet
            subprocess.run(download, cwd=debs, check=True, stdout=subprocess.DEVNULL)
        for package in missing:
            for deb in debs.glob(f"{package}_*.deb"):
                subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    return cjk, latin


NAIVE = r'''
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from press.config import load_config
from press.edition import editions
from press.issue import load_issue
from press.markup import to_html
from press.render import Renderer, TocEntry, TocGroup

cjk, latin, out = Path({cjk!r}), Path({latin!r}), Path({out!r})
cfg = load_config({issue!r})
issue = load_issue(cfg.issue_dir)
renderer = Renderer(cfg.templates_dir)
face = lambda family, weight, style, path: (
    f'@font-face {{{{ font-family: "{{family}}"; font-weight: {{weight}}; font-style: {{style}}; src: url({{path.as_uri()}}); }}}}')
css = "\n".join([
    face("Press Serif CJK", 400, "normal", cjk / "NotoSerifCJK-Regular.ttc"),
    face("Press Serif CJK", 700, "normal", cjk / "NotoSerifCJK-Bold.ttc"),
    face("Press Sans CJK", 400, "normal", cjk / "NotoSansCJK-Regular.ttc"),
    face("Press Sans CJK", 700, "normal", cjk / "NotoSansCJK-Bold.ttc"),
    face("Press Serif", 400, "normal", latin / "NotoSerif-Regular.ttf"),
    face("Press Serif", 400, "italic", latin / "NotoSerif-Italic.ttf"),
    face("Press Serif", 700, "normal", latin / "NotoSerif-Bold.ttf"),
    face("Press Serif", 700, "italic", latin / "NotoSerif-BoldItalic.ttf"),
])
body = lambda html: html.split("<body", 1)[1].split(">", 1)[1].rsplit("</body>", 1)[0]
for edition in editions(issue)[{editions}]:
    arts = [a for lang in edition.langs for slug in issue.slugs if (a := issue.article(slug, lang))]
    toc = [TocGroup(lang, tuple(TocEntry(a.meta.title, 0, a.slug) for a in arts if a.lang == lang)) for lang in edition.langs]
    parts = [renderer.cover(issue, edition.langs), renderer.contents(issue, edition.langs, toc)]
    parts += [renderer.article(issue, to_html(a)) for a in arts]
    html = "<!doctype html><html lang=zh-Hans><meta charset=utf-8><body>" + "".join(
        f'<div style="break-before: page" class="{{p.key.split("/")[0].split(".")[0]}}-wrap">{{body(p.html)}}</div>' for p in parts) + "</body></html>"
    # A FontConfiguration is how WeasyPrint's documentation loads @font-face: not an optimisation.
    fc = FontConfiguration()
    HTML(string=html, base_url=cfg.issue_dir.resolve().as_uri() + "/").write_pdf(
        out / edition.filename, font_config=fc,
        stylesheets=[CSS(string=css, font_config=fc), CSS(filename=str(cfg.styles_dir / "press.css"), font_config=fc)])
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="one quick run, small issues")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--no-browser", action="store_true", help="leave out the tab scenario (no Chromium)")
    args = parser.parse_args()
    load_before = _load()
    runs = 1 if args.smoke else args.runs
    small, large = (1, 2) if args.smoke else (2, 15)  # repeats of the four articles: about 20 and 200 pages
    # The smoke run's large issue repeats the shortest article alone: one part to set from the
    # cold build's cache, not five (the smoke test checks what a repeat adds, not the size).
    repeated = ("share-solutions",) if args.smoke else None
    work = Path(tempfile.mkdtemp(prefix="press-bench-"))
    results: dict[str, dict] = {}
    # press as tools/setup.sh (or pip) leaves it, its modules compiled: with PYTHONDONTWRITEBYTECODE
    # set, every build would otherwise compile them again in each of its processes.
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "press")], check=True, stdout=subprocess.DEVNULL)

    def record(name: str, samples: list[tuple[float, int]], out: Path | None = None, stats: tuple | None = None) -> None:
        walls, peaks = [s[0] for s in samples], [s[1] for s in samples]
        cpus = [s[2] for s in samples if len(s) > 2]
        size, pages, files = stats or (pdf_stats(out) if out else (0, 0, {}))
        results[name] = {"median_s": statistics.median(walls), "runs_s": walls,
                         "median_cpu_s": statistics.median(cpus) if cpus else None, "runs_cpu_s": cpus,
                         "peak_mb": max(peaks) / 1e6, "pdf_bytes": size, "pages": pages, "files": files}
        cpu = f"{statistics.median(cpus):6.2f} CPU-s" if cpus else " " * 12
        print(f"{name:6} {statistics.median(walls):7.2f} s {cpu} {max(peaks) / 1e6:6.0f} MB  {pages:4} pages", flush=True)

    try:
        cjk, latin = noto_fonts(ROOT / ".cache" / "bench", installed=args.smoke)
        # Naive and cold runs take turns, so that a machine that slows down or speeds up
        # during the run weighs on both alike (their ratio is the target).
        naive, cold, warm, edit = [], [], [], []
        for i in range(runs):
            naive_out = work / f"naive-{i}"
            naive_out.mkdir()
            # The smoke run sets the English edition alone: the same script, 7 of the 35 pages.
            script = NAIVE.format(root=str(ROOT), cjk=str(cjk), latin=str(latin), out=str(naive_out), issue=str(ISSUE),
                                  editions="-1:" if args.smoke else ":")
            naive.append(measure([PY, "-c", script], env=env_with(work / f"naive-cache-{i}")))
            issue = work / f"issue-{i}" / "2020-02"
            shutil.copytree(ISSUE, issue)
            out, env = work / f"out-{i}", env_with(work / f"cache-{i}")
            cmd = [PY, str(ROOT / "build.py"), "pdf", str(issue), "-o", str(out)]
            cold.append(measure(cmd, env))
            stats = {"cold": pdf_stats(out)}  # the three scenarios write one folder: what each left there
            warm.append(measure(cmd, env))
            stats["warm"] = pdf_stats(out)
            article = issue / "share-solutions.zh.md"
            text = article.read_text(encoding="utf-8")
            # One paragraph changed, in characters the issue already has.
            article.write_text(text.replace("这是中国科技人员奋斗的成果，", "这是中国科技人员共同奋斗的成果，"), encoding="utf-8")
            edit.append(measure(cmd, env))
        record("naive", naive, naive_out)
        record("cold", cold, stats=stats["cold"])
        record("warm", warm, stats=stats["warm"])
        record("edit", edit, out)

        # The smoke run (tests/test_bench_smoke.py) checks what each scenario builds, not its time:
        # the builds after the cold one start from its cache, and set only what is new to them.
        def cache(name: str) -> dict:
            return env_with(work / ("cache-0" if args.smoke else name))

        issue = work / "serve" / "2020-02"
        shutil.copytree(ISSUE, issue)
        record("serve", serve_edits(issue, work / "serve-out", cache("serve-cache"), 1 if args.smoke else 5 * runs),
               work / "serve-out")

        scale: dict[str, list] = {"scale-s": [], "scale-l": []}
        for i in range(runs):  # taking turns, as naive and cold do
            for name, times in (("scale-s", small), ("scale-l", large)):
                issue = synthetic_issue(work / f"{name}-{i}" / "2020-02", times, repeated)
                scale[name].append(measure([PY, str(ROOT / "build.py"), "pdf", str(issue), "-o", str(work / f"{name}-out-{i}")],
                                           cache(f"{name}-cache-{i}")))
        for name, samples in scale.items():
            record(name, samples, work / f"{name}-out-{runs - 1}")
            results[name]["articles"] = synthetic_articles(work / f"{name}-{runs - 1}" / "2020-02")

        if not (args.smoke or args.no_browser):  # the smoke run is tested; tests/test_bench_browser.py runs this
            from browser import measure as in_the_tab

            shown = in_the_tab(2 if args.smoke else 5 * runs, (2.0,))
            results["tab"] = {"first_s": shown["first"], "every_2s_s": shown["every 2 s"],
                              "median_s": statistics.median(shown["every 2 s"]), "median_cpu_s": None}
            print(f"tab    first edit {shown['first'][0]:.2f} s, edits 2 s apart: median {results['tab']['median_s']:.2f} s, "
                  f"at most {max(shown['every 2 s']):.2f} s", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    med = {k: v["median_s"] for k, v in results.items()}
    cpu = {k: v["median_cpu_s"] for k, v in results.items()}
    bilingual_pages = {k: results[k]["pages"] for k in ("scale-s", "scale-l")}
    ratios = {
        "naive/cold": med["naive"] / med["cold"],
        "naive/cold CPU": cpu["naive"] / cpu["cold"],
        "cold CPU (s)": cpu["cold"],
        "cold/warm": med["cold"] / med["warm"],
        "edit/cold": med["edit"] / med["cold"],
        "serve edit (s)": med["serve"],
        "serve edit CPU (s)": cpu["serve"],
        "large/small time": med["scale-l"] / med["scale-s"],
        "large/small pages": bilingual_pages["scale-l"] / bilingual_pages["scale-s"],
    }
    machine = f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}"
    print("\n| scenario | median time | median CPU | peak memory (tree) | PDF pages (3 files) | PDF size (3 files) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, r in results.items():
        if name == "tab":
            continue  # no build of its own: in the targets below
        cpu_s = f"{r['median_cpu_s']:.2f} s" if r["median_cpu_s"] is not None else "-"
        print(f"| {name} | {r['median_s']:.2f} s | {cpu_s} | {r['peak_mb']:.0f} MB | {r['pages']} | {r['pdf_bytes'] / 1e6:.2f} MB |")
    print("\n" + ", ".join(f"{k} = {v:.2f}" for k, v in ratios.items()) + f"  ({runs} runs each; {machine})")
    targets = _targets(results, med, cpu)
    print("\n| target | measured | |\n| --- | --- | --- |")
    for what, measured, ok in targets:
        print(f"| {what} | {measured} | {'pass' if ok else 'FAIL' if ok is not None else 'not measured'} |")
    load = (load_before, _load())
    print(f"\nload average (1 min) {load[0]:.1f} at the start, {load[1]:.1f} at the end, on {__import__('os').cpu_count()} cores")
    args.json.write_text(json.dumps({"machine": machine, "runs": runs, "results": results, "ratios": ratios, "load": load,
                                     "targets": [{"target": t, "measured": m, "pass": ok} for t, m, ok in targets]},
                                    indent=1))


def _targets(results: dict, med: dict, cpu: dict) -> list[tuple[str, str, bool | None]]:
    """Issue 25's targets: what each asks, what this run measured, and whether it holds (None: not measured)."""
    tab = results.get("tab")
    shown = (tab["first_s"] + tab["every_2s_s"]) if tab else []
    return [
        ("an edit shown in an open Chromium tab within 0.3 s (the first after start, and edits 2 s apart)",
         f"first {tab['first_s'][0]:.2f} s, 2 s apart median {tab['median_s']:.2f} s, at most {max(shown):.2f} s"
         if tab else "-", (tab["first_s"][0] <= 0.3 and tab["median_s"] <= 0.3) if tab else None),
        ("cold build at least 1.5x faster than plain WeasyPrint (wall)", f"{med['naive'] / med['cold']:.2f}x",
         med["naive"] / med["cold"] >= 1.5),
        ("cold build under 3.5 CPU-s", f"{cpu['cold']:.2f} CPU-s", cpu["cold"] < 3.5),
        ("warm build under 0.1 s", f"{med['warm']:.2f} s", med["warm"] < 0.1),
        ("process tree under 300 MB on the 200-page issue (scale-l)", f"{results['scale-l']['peak_mb']:.0f} MB",
         results["scale-l"]["peak_mb"] < 300),
    ]


def _load() -> float:
    return __import__("os").getloadavg()[0]


if __name__ == "__main__":
    main()
