"""Run the cases of issue 23 against the real command line and print one table: each case, its
exit status, wall and CPU time, the peak memory of its process tree (the build and its workers,
sampled from /proc every 50 ms), and what it left: the same bytes as a clean build, no new PDF,
the earlier PDFs untouched.

    python tools/resilience_table.py [--only WORD] [--issue content/2020-02] > table.txt

Each case starts from a copy of a warm cache (or none), in a folder of its own under a
temporary folder. Cases that need root (a read-only or full file system) say "skipped" without it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))


@dataclass
class Run:
    status: int | str
    wall: float
    cpu: float
    peak_mb: float
    stderr: str


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and every process below it."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


def run(args: list[str], env: dict | None = None, cwd: Path = ROOT, kill_after: float | None = None,
        timeout: float = 900, limits: bool = False) -> Run:
    """Run build.py with `args`; with `kill_after`, kill -9 its whole group after that many seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()

    def preexec():
        os.setsid()
        if limits:  # the test bound: 1 GB of address space
            resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=preexec)
    peak, done = [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    status: int | str
    try:
        err = proc.communicate(timeout=kill_after or timeout)[1]
        status = proc.returncode
    except subprocess.TimeoutExpired:
        # kill -9 of the build alone, as a user or the system kills it: its workers must end by themselves.
        os.kill(proc.pid, signal.SIGKILL) if kill_after else os.killpg(proc.pid, signal.SIGKILL)
        err = proc.communicate()[1]
        status = "killed" if kill_after else "timeout"
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(status, time.monotonic() - started, cpu, peak[0] / 1e6, err)


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.pdf"))} \
        if folder.is_dir() else {}


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if ": error: " in line]
    if "Traceback" in stderr:
        return "TRACEBACK"
    if not lines:
        return ""
    return (f"{len(lines)} error lines: " if len(lines) > 1 else "") + lines[0].split(": error: ", 1)[1][:70]


class Table:
    def __init__(self, only: str | None):
        self.only = only
        self.rows: list[tuple] = []
        print(f"{'case':58} {'exit':>6} {'wall s':>7} {'CPU s':>7} {'peak MB':>8}  outcome", flush=True)

    def wanted(self, name: str) -> bool:
        return self.only is None or self.only in name

    def add(self, name: str, result: Run, outcome: str) -> None:
        row = (name, result.status, result.wall, result.cpu, result.peak_mb, outcome)
        self.rows.append(row)
        print(f"{name[:58]:58} {str(result.status):>6} {result.wall:7.1f} {result.cpu:7.1f} {result.peak_mb:8.0f}  {outcome}",
              flush=True)


def outcome(result: Run, out: Path, reference: dict, earlier: dict | None = None) -> str:
    """What a run left in `out`, against the clean build's PDFs (and the earlier ones, if any)."""
    now = digests(out)
    said = one_line(result.stderr)
    if "TRACEBACK" == said:
        return "TRACEBACK"
    if earlier is not None and now == earlier:
        kept = "earlier PDFs untouched"
    elif now == reference:
        kept = "same bytes as a clean build"
    elif not now:
        kept = "no PDF"
    else:
        kept = "DIFFERENT PDFs"
    return f"{kept}{'; ' + said if said else ''}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issue", default=str(ROOT / "content" / "2020-02"))
    parser.add_argument("--only", help="run the cases whose name holds this word")
    args = parser.parse_args()
    issue = Path(args.issue).resolve()
    work = Path(tempfile.mkdtemp(prefix="press-resilience-"))
    table = Table(args.only)
    try:
        _cases(table, issue, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _cases(table: Table, issue: Path, work: Path) -> None:
    cache = work / "cache"
    ref = work / "reference"
    clean = run(["pdf", str(issue), "-o", str(ref)], env={"PRESS_CACHE_DIR": str(cache)})
    reference = digests(ref)
    table.add("clean build, empty cache", clean, "reference" if clean.status == 0 else one_line(clean.stderr))
    if clean.status != 0:
        return
    warm = run(["pdf", str(issue), "-o", str(work / "warm")], env={"PRESS_CACHE_DIR": str(cache)})
    table.add("build from a warm cache", warm, outcome(warm, work / "warm", reference))

    # Damaged caches: each kind, each way.
    for kind in ("parts", "fonts", "images"):
        for how in ("flipped byte", "cut in half", "swapped", "folder in place", "folder is a file"):
            name = f"cache {kind}: {how}"
            if not table.wanted(name):
                continue
            damaged = work / f"cache-{kind}-{how.replace(' ', '-')}"
            shutil.copytree(cache, damaged, symlinks=True)
            _damage(damaged / kind, how)
            if kind == "images":  # read only by parts being typeset
                shutil.rmtree(damaged / "parts", ignore_errors=True)
            out = work / f"out-{kind}-{how.replace(' ', '-')}"
            result = run(["pdf", str(issue), "-o", str(out)], env={"PRESS_CACHE_DIR": str(damaged)})
            table.add(name, result, outcome(result, out, reference))
            shutil.rmtree(damaged, ignore_errors=True)
    if table.wanted("cache folder is a file"):
        target = work / "cache-file"
        target.write_bytes(b"")
        result = run(["pdf", str(issue), "-o", str(work / "out-cache-file")], env={"PRESS_CACHE_DIR": str(target)})
        table.add("PRESS_CACHE_DIR names a file", result, outcome(result, work / "out-cache-file", reference))

    # Builds killed with kill -9 (the build alone, not its workers) at random moments of their
    # typesetting: the earlier PDFs stay as they were, and no worker stays behind.
    if table.wanted("killed"):
        rng = random.Random(23)
        out = work / "out-killed"
        shutil.copytree(ref, out)
        copy = work / "killed" / issue.name
        shutil.copytree(issue, copy)
        article = next(copy.glob("*.en.md"))
        env = {"PRESS_CACHE_DIR": str(work / "cache-killed")}
        shutil.copytree(cache, work / "cache-killed", symlinks=True)
        for i in range(8):
            # A new paragraph each time: the build must typeset, and cannot reuse the PDFs.
            with article.open("a", encoding="utf-8") as f:
                f.write(f"\nA paragraph added before kill {i + 1}.\n")
            before = digests(out)
            result = run(["pdf", str(copy), "-o", str(out)], env=env, kill_after=rng.uniform(0.5, 5))
            time.sleep(2)
            left = subprocess.run(["pgrep", "-f", "--", f"-o {out}"], capture_output=True, text=True).stdout.split()
            for pid in left:  # the workers left behind, found by their command line (this build's output folder)
                os.kill(int(pid), signal.SIGKILL)
            now = digests(out)
            kept = "earlier PDFs untouched" if now == before else "new PDFs, whole (the build ended first)" \
                if result.status == 0 else "PDFs CHANGED"
            table.add(f"build killed -9 after {result.wall:.1f} s", result, f"{kept}; {len(left)} worker(s) left")
        again = run(["pdf", str(issue), "-o", str(work / "out-after-kills")], env=env)
        table.add("build after the kills, their cache", again, outcome(again, work / "out-after-kills", reference))

    # Output folders on a read-only and on a full file system (root only: mount).
    for name, options in (("read-only output folder", "ro"), ("full output file system", "full")):
        if not table.wanted(name):
            continue
        out = work / f"out-{options}"
        shutil.copytree(ref, out)
        earlier = digests(out)
        mounted = _mount(out, ref, options)
        if not mounted:
            table.add(name, Run("-", 0, 0, 0, ""), "skipped: needs root and mount")
            continue
        try:
            result = run(["pdf", str(issue), "-o", str(out)], env={"PRESS_CACHE_DIR": str(cache),
                                                                   "SOURCE_DATE_EPOCH": "1580515200"})
            table.add(name, result, outcome(result, out, reference, earlier))
        finally:
            subprocess.run(["umount", str(out)], capture_output=True)

    # Files beside the issue that a build must not read: links to /proc, a pipe, a loop.
    if table.wanted("strange files"):
        copy = work / "strange" / issue.name
        shutil.copytree(issue, copy)
        for link, target in (("images/mem.jpg", "/proc/self/mem"), ("images/kmsg.png", "/proc/kmsg"),
                             ("outside.zh.md", "/etc/hostname"), ("images/loop.jpg", "images/loop.jpg")):
            (copy / link).symlink_to(target)
        os.mkfifo(copy / "images" / "pipe.jpg")
        os.mkfifo(copy / "pipe.zh.md")
        result = run(["pdf", str(copy), "-o", str(work / "out-strange")], env={"PRESS_CACHE_DIR": str(cache)})
        table.add("strange files: links to /proc, pipes, a loop", result,
                  outcome(result, work / "out-strange", reference))

    # 1 MB inputs, checked under the test bound (1 GB of address space).
    for name, files in _large_inputs().items():
        if not table.wanted(name):
            continue
        folder = work / "large" / name.replace(" ", "-")
        _small_issue(folder, issue, files)
        result = run(["check", str(folder)], limits=True, timeout=600)
        table.add(name, result, one_line(result.stderr) or "ok")

    # One paragraph of many links, each printed as a note: built, and every address looked for in the PDFs.
    for name, files in _link_paragraphs().items():
        if not table.wanted(name):
            continue
        folder = work / "links" / name.replace(" ", "-").replace(",", "")
        _small_issue(folder, issue, files)
        out = work / "out-links" / folder.name
        result = run(["pdf", str(folder), "-o", str(out)], env={"PRESS_CACHE_DIR": str(cache)}, timeout=3600)
        table.add(name, result, one_line(result.stderr) or _addresses_printed(out, files))


def _damage(folder: Path, how: str) -> None:
    entries = sorted(p for p in folder.iterdir() if p.is_file())
    if how == "flipped byte":
        for entry in entries:
            data = bytearray(entry.read_bytes())
            data[len(data) // 2] ^= 1
            entry.write_bytes(bytes(data))
    elif how == "cut in half":
        for entry in entries:
            entry.write_bytes(entry.read_bytes()[:entry.stat().st_size // 2])
    elif how == "swapped":
        contents = [entry.read_bytes() for entry in entries]
        for entry, data in zip(entries, contents[1:] + contents[:1]):
            entry.write_bytes(data)
    elif how == "folder in place":
        entries[0].unlink()
        entries[0].mkdir()
        (entries[0] / "stray").write_bytes(b"x")
    elif how == "folder is a file":
        shutil.rmtree(folder)
        folder.write_bytes(b"not a folder")


def _mount(out: Path, ref: Path, how: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    if how == "ro":
        if subprocess.run(["mount", "--bind", str(out), str(out)], capture_output=True).returncode:
            return False
        if subprocess.run(["mount", "-o", "remount,bind,ro", str(out)], capture_output=True).returncode:
            subprocess.run(["umount", str(out)], capture_output=True)
            return False
        return True
    used = sum(p.stat().st_size for p in ref.iterdir())
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={used + 256 * 1024}", "tmpfs", str(out)],
                      capture_output=True).returncode:
        return False
    for p in ref.iterdir():
        shutil.copy2(p, out / p.name)
    return True


ISSUE_YAML = """\
id: "bounds"
title: {zh: 界限, en: BOUNDS}
number: {zh: 第 1 期, en: No.1}
date: 2020-05-01
articles: [big]
"""
EN, ZH = "---\ntitle: Big\n---\n", "---\ntitle: 大\n---\n"
MB = 999_000


def _fill(head: str, unit: str, tail: str = "\n", limit: int = MB) -> str:
    return head + unit * ((limit - len(head.encode()) - len(tail.encode())) // len(unit.encode())) + tail


def _large_inputs() -> dict[str, dict[str, str]]:
    laughs = "zh: [&a [x,x,x,x,x,x,x,x,x], " + ", ".join(
        f"&{b} [{', '.join(['*' + a] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi")) + "]\n"
    return {
        "1 MB of letters": {"big.en.md": _fill(EN, "a")},
        "1 MB of Chinese without punctuation": {"big.zh.md": _fill(ZH, "中")},
        "1 MB of one-word list items": {"big.en.md": _fill(EN, "- a\n")},
        "1 MB of '[a]('": {"big.en.md": _fill(EN, "[a](")},
        "1 MB of '[^'": {"big.en.md": _fill(EN, "[^")},
        "1 MB of '*a'": {"big.en.md": _fill(EN, "*a")},
        # tests/test_input_bounds.py: 10,000 lines, 10,000 '[' and 20,000 emphasis marks (press/issue.py).
        "1 MB at the lines, '[' and emphasis limits": {"big.en.md": EN + ("- [^x *a*" + "`a" * 44 + "\n") * 10_000},
        "1 MB translation record": {"big.zh.md": ZH + "中文。\n", "big.en.md": EN + "English.\n",
                                    "big.translation.yaml": _fill("zh:\n", "- 0123456789ab paragraph: 中\n", "en: []\n")},
        "translation record of 366 bytes of aliases": {"big.zh.md": ZH + "中文。\n", "big.en.md": EN + "English.\n",
                                                       "big.translation.yaml": laughs},
    }


def _link_paragraphs() -> dict[str, dict[str, str]]:
    """Cases of one paragraph of n links, each to its own address (so each its own note)."""
    def zh(n: int) -> str:
        return ZH + "引言。\n\n" + "".join(f"参见[资料 {i}](https://example.org/zh/{i})。" for i in range(1, n + 1)) + "\n"

    def en(n: int) -> str:
        return EN + "First.\n\n" + " ".join(f"see [source {i}](https://example.org/en/{i})," for i in range(1, n + 1)) + "\n"

    cases = {f"one paragraph of {n:,} links, zh and en": {"big.zh.md": zh(n), "big.en.md": en(n)} for n in (20, 40, 100)}
    cases["one paragraph of 300 links, zh"] = {"big.zh.md": zh(300)}
    cases["one paragraph of 300 links, en"] = {"big.en.md": en(300)}
    cases["one paragraph of 1,000 links, zh and en"] = {"big.zh.md": zh(1000), "big.en.md": en(1000)}
    return cases


def _addresses_printed(out: Path, files: dict[str, str]) -> str:
    """How many of the sources' addresses each language's PDF prints, and on how many pages; how
    many notes are on another page than their call's, and whether the opening page has body text
    (tools/layout_report.py's counts)."""
    import re

    import pypdfium2 as pdfium

    import layout_report

    said = []
    for name, text in files.items():
        lang = name.split(".")[1]
        wanted = set(re.findall(rf"\(https://example\.org/{lang}/(\d+)\)", text))
        pdf = pdfium.PdfDocument(str(out / f"bounds.{lang}.pdf"))
        found = set()
        for page in pdf:
            found.update(re.findall(rf"example\.org/{lang}/(\d+)", page.get_textpage().get_text_range()))
        layout = layout_report.read_layout(out / f"bounds.{lang}.pdf")
        away, bare = layout_report.notes_off_their_page(layout), layout_report.openings_without_body(layout)
        said.append(f"{lang} {len(found & wanted)}/{len(wanted)} on {len(pdf)} pages, {len(away)} off their "
                    f"call's page, {len(bare)} openings without body")
    return "addresses printed: " + ", ".join(said)


def _small_issue(folder: Path, issue: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    (folder / "issue.yaml").write_text(ISSUE_YAML, encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
