"""Hostile input reads nothing outside the project; interrupted or simultaneous builds lose nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf

from conftest import ROOT, run_build

sys.path.insert(0, str(ROOT))
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
    assert [e.split(": error: ")[1] for e in errors] == [
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


def test_a_build_killed_midway_leaves_the_previous_pdfs_intact(issue_copy, tmp_path):
    out = tmp_path / "out"
    assert run_build("pdf", str(issue_copy), "-o", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    (issue_copy / "global-fight.zh.md").write_text(
        (issue_copy / "global-fight.zh.md").read_text(encoding="utf-8").replace("危难之际", "危急之际"), encoding="utf-8")
    for delay in (0.3, 1.0, 1.8):  # kill at several points of a cold build (empty cache: about 3 s)
        env = {**os.environ, "PRESS_CACHE_DIR": str(tmp_path / f"cache-{delay}")}
        proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "pdf", str(issue_copy), "-o", str(out)],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        assert proc.poll() is None, "the build ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        for name, data in before.items():
            now = (out / name).read_bytes()
            assert now == data or pypdf.PdfReader(out / name).pages, name  # the old file, or a whole new one
        assert not [p for p in out.iterdir() if p.suffix == ".pdf" and p.name not in before]
    for p in out.iterdir():
        assert p.name in before or p.name.startswith("."), p.name


def test_two_builds_at_once_both_finish_whole(issue_copy, tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "PRESS_CACHE_DIR": str(tmp_path / "cache")}  # a cold cache shared by both
    procs = [subprocess.Popen([sys.executable, str(ROOT / "build.py"), "pdf", str(issue_copy), "-o", str(out)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    for proc in procs:
        assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()
    for name in ("2020-02.pdf", "2020-02.zh.pdf", "2020-02.en.pdf"):
        assert len(pypdf.PdfReader(out / name).pages) > 1
    assert sorted(p.name for p in out.glob("*.pdf")) == ["2020-02.en.pdf", "2020-02.pdf", "2020-02.zh.pdf"]
