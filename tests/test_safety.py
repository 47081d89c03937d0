"""Hostile input reads nothing outside the project; interrupted or simultaneous builds lose nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pypdf

from conftest import ROOT

import build  # noqa: E402

_OPENED: list[str] | None = None


def _audit(event, args):
    if _OPENED is not None and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


def test_references_outside_the_issue_are_refused_and_never_read(issue_copy, tmp_path, monkeypatch, capsys):
    global _OPENED
    secret = tmp_path / "secret.jpg"  # a real image outside the issue: refused, though it would be readable
    secret.write_bytes((issue_copy / "images" / "cover-1.jpg").read_bytes())
    (issue_copy / "images" / "link.jpg").symlink_to(secret)
    article = issue_copy / "working-together.en.md"
    text = article.read_text(encoding="utf-8")
    text = text.replace("images/who-briefing.jpg", "/etc/passwd").replace("images/russia-team.jpg", "../../secret.jpg")
    text += "\n![a](images/link.jpg)\n\n![b](http://127.0.0.1:9/x.jpg)\n"
    article.write_text(text, encoding="utf-8")
    monkeypatch.chdir(ROOT)
    _OPENED = []
    try:
        status = build.main(["pdf", str(issue_copy), "-o", str(tmp_path / "out")])
    finally:
        opened, _OPENED = _OPENED, None
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert status == 1
    assert [e.split(": error: ")[1].removesuffix("  [image.path]") for e in errors] == [
        "image '/etc/passwd' is an absolute path: write it relative to the issue folder, e.g. images/photo.jpg",
        "image '../../secret.jpg' is outside the issue folder",
        "image 'images/link.jpg' is a link to a file outside the issue folder",
        "image 'http://127.0.0.1:9/x.jpg' is not a file of the issue: only paths inside the issue folder can be used",
    ]
    assert not any(p == "/etc/passwd" or p.startswith(str(tmp_path / "secret")) for p in opened), opened
    assert not (tmp_path / "out").exists()


def test_the_sandbox_refuses_what_preflight_would_have_caught(tmp_path):
    """Defence in depth: the typesetter's fetcher refuses on its own."""
    from press.typeset import isolate_fontconfig

    isolate_fontconfig(ROOT / "fonts", tmp_path)
    from press.fetch import RefusedFetch, SandboxFetcher

    issue = tmp_path / "issue"
    issue.mkdir()
    (issue / "ok.txt").write_text("fine")
    (issue / "out.txt").symlink_to("/etc/hostname")
    fetcher = SandboxFetcher({"issue": issue}, {})
    assert fetcher.fetch("https://press.invalid/issue/ok.txt").read() == b"fine"
    for url in ("https://press.invalid/issue/../../../etc/passwd", "https://press.invalid/issue/out.txt",
                "http://example.com/x.png", "file:///etc/passwd", "https://example.com/issue/ok.txt",
                "data:text/plain;base64," + "A" * 100_000):
        try:
            fetcher.fetch(url)
        except RefusedFetch:
            continue
        raise AssertionError(f"fetched {url[:60]}")


# Runs build.py with an audit hook that kills the whole build (workers too) at the n-th time
# it opens a file of the output folder for writing, or renames one there: a kill at a known
# point of the writing, whatever the machine's speed.
KILLER = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
out, event, nth = Path(sys.argv[2]).resolve(), sys.argv[3], int(sys.argv[4])
seen = 0

def writes_to_out(name, args):
    if name == "open" and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path, mode, flags = args
        writing = ("w" in mode or "a" in mode or "+" in mode) if mode else flags & (os.O_WRONLY | os.O_RDWR)
        return writing and ".pdf" in os.fsdecode(path) and Path(os.fsdecode(path)).resolve().parent == out
    if name == "os.rename" and event == "os.rename":
        return Path(os.fsdecode(args[1])).resolve().parent == out and os.fsdecode(args[1]).endswith(".pdf")
    return False

def hook(name, args):
    global seen
    if writes_to_out(name, args):
        seen += 1
        if seen == nth:
            os.killpg(0, signal.SIGKILL)

sys.addaudithook(hook)
import build
sys.exit(build.main(sys.argv[5:]))
"""

# (event, nth, PDFs renamed into place before the kill): as the first PDF is opened (its temporary
# file), as the second is opened (the first renamed), and at the second rename (one new, two old).
KILL_POINTS = [("open", 1, 0), ("open", 2, 1), ("os.rename", 2, 1)]


def small_issue(folder):
    """An issue of one article in both languages (test_layout.tiny_issue), long enough for a few
    pages: the writing of three PDFs is what is tested here, not 2020-02's pages."""
    from test_layout import tiny_issue

    return tiny_issue(folder, body="\n\n".join(["危难之际，科研人员在实验室里反复试验，终于找到了新的方法。" * 6] * 8))


def test_a_build_killed_midway_leaves_the_previous_pdfs_intact(tmp_path, run_fresh, fork_server):
    issue, out = small_issue(tmp_path / "issue"), tmp_path / "out"
    env = {**os.environ, "PRESS_CACHE_DIR": str(tmp_path / "cache")}  # warm for the killed runs
    assert run_fresh("pdf", str(issue), "-o", str(out), env=env).returncode == 0
    before = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    assert len(before) == 3
    article = issue / "only.zh.md"  # the Chinese edition and the bilingual one change, the English one not
    article.write_text(article.read_text(encoding="utf-8").replace("危难之际", "危急之际", 1), encoding="utf-8")
    # What a whole run makes of the edit (builds are reproducible: the same bytes in any folder).
    assert run_fresh("pdf", str(issue), "-o", str(tmp_path / "whole"), env=env).returncode == 0
    after = {name: (tmp_path / "whole" / name).read_bytes() for name in before}
    assert after != before
    for event, nth, renamed in KILL_POINTS:
        inodes = {name: (out / name).stat().st_ino for name in before}
        # A process of its own (and its own process group, which it kills), forked from one that
        # has done the imports (conftest.ForkServer).
        proc, _ = fork_server.run((str(ROOT), str(out), event, str(nth), "pdf", str(issue), "-o", str(out)),
                                  code=KILLER, env=env, session=True)
        assert proc.returncode == -signal.SIGKILL, f"not killed at {event} #{nth}: {proc.returncode} {proc.stderr[-300:]}"
        for name, data in before.items():
            assert (out / name).read_bytes() in (data, after[name]), \
                f"{name} after a kill at {event} #{nth}: neither the old PDF nor the whole new one"
        replaced = sum((out / name).stat().st_ino != inodes[name] for name in before)
        assert replaced == renamed, f"kill at {event} #{nth}: {replaced} PDFs renamed into place, not {renamed} " \
                                    "(one written over in place?)"
        assert not [p for p in out.iterdir() if p.suffix == ".pdf" and p.name not in before]
    for p in out.iterdir():
        assert p.name in before or p.name.startswith("."), p.name


def test_two_builds_at_once_both_finish_whole(tmp_path):
    issue, out = small_issue(tmp_path / "issue"), tmp_path / "out"
    env = {**os.environ, "PRESS_CACHE_DIR": str(tmp_path / "cache")}  # a cold cache shared by both
    procs = [subprocess.Popen([sys.executable, str(ROOT / "build.py"), "pdf", str(issue), "-o", str(out)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    for proc in procs:
        assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()
    for name in ("tiny.pdf", "tiny.zh.pdf", "tiny.en.pdf"):
        assert len(pypdf.PdfReader(out / name).pages) > 2  # the cover, the contents, the article
    assert sorted(p.name for p in out.glob("*.pdf")) == ["tiny.en.pdf", "tiny.pdf", "tiny.zh.pdf"]
