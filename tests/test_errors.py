"""Bad input: one clear `path:line: error: message` per problem, exit 1, no traceback, no lost output.
The command line runs in the test process (build_here): what is tested is what it prints and its
exit status, not a new process; serve's, which binds a port and handles signals, has its own."""

from __future__ import annotations

import os
import re
from pathlib import Path

from conftest import ROOT, build_here


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def rel(path: Path) -> str:
    """Paths in messages are relative to the current folder, which build_here sets to the project root."""
    return os.path.relpath(path, ROOT)


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_missing_image(issue_copy, tmp_path):
    article = issue_copy / "working-together.zh.md"
    edit(article, "images/who-briefing.jpg", "images/no-such-photo.jpg")
    result = build_here("pdf", str(issue_copy), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    line = line_of(article, "no-such-photo")
    assert f"{rel(article)}:{line}: error: image 'images/no-such-photo.jpg' not found  [image.missing]" in result.stderr.splitlines()


def test_broken_footnote_reference(issue_copy, tmp_path):
    article = issue_copy / "knowledge-sharing.zh.md"
    edit(article, "1100多篇[^1]", "1100多篇[^9]")
    result = build_here("pdf", str(issue_copy), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert f"{rel(article)}:{line_of(article, '[^9]')}: error: footnote reference [^9] has no definition: add a line '[^9]: text'  [note.undefined]" in lines
    # The orphaned definition is reported in the same run.
    assert f"{rel(article)}:{line_of(article, '[^1]:')}: error: footnote [^1] is defined but never referenced  [note.unused]" in lines


def test_bad_front_matter(issue_copy, tmp_path):
    article = issue_copy / "share-solutions.zh.md"
    edit(article, "source: 科技部", "source: [科技部\nsubtitel: 错")
    result = build_here("pdf", str(issue_copy), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1 and re.fullmatch(rf"{re.escape(rel(article))}:\d+: error: YAML syntax: .+", errors[0]), result.stderr


def test_unknown_front_matter_key_suggests_the_right_one(issue_copy, tmp_path):
    article = issue_copy / "share-solutions.zh.md"
    edit(article, "source: 科技部", "source: 科技部\nsubtitel: 错")
    result = build_here("check", str(issue_copy))
    assert result.returncode == 1
    assert f"{rel(article)}:{line_of(article, 'subtitel')}: error: unknown front matter key 'subtitel': did you mean 'subtitle'?  [yaml.key]" in result.stderr.splitlines()


def test_character_no_font_can_draw(issue_copy, tmp_path):
    article = issue_copy / "global-fight.zh.md"
    edit(article, "新冠肺炎疫情蔓延全球。", "新冠肺炎疫情蔓延全球𪚥。")
    result = build_here("pdf", str(issue_copy), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    line = line_of(article, "𪚥")
    assert (f"{rel(article)}:{line}: error: no font can draw '𪚥' (U+2A6A5 CJK UNIFIED IDEOGRAPH-2A6A5): put a font that "
            "has it, with its licence, in fonts/extra/ (see fonts/README.md)  [glyph.missing]") in result.stderr.splitlines()


def test_all_problems_are_reported_together(issue_copy, tmp_path):
    edit(issue_copy / "working-together.zh.md", "images/who-briefing.jpg", "images/gone.jpg")
    edit(issue_copy / "knowledge-sharing.zh.md", "1100多篇[^1]", "1100多篇[^1][^7]")
    result = build_here("check", str(issue_copy))
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert result.returncode == 1 and len(errors) == 2, result.stderr


def test_failed_build_leaves_earlier_outputs_untouched(issue_copy, tmp_path, built):
    out = tmp_path / "out"
    assert build_here("pdf", str(issue_copy), "-o", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    edit(issue_copy / "working-together.en.md", "images/russia-team.jpg", "images/missing.jpg")
    assert build_here("pdf", str(issue_copy), "-o", str(out)).returncode == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_usage_error_exits_2():
    assert build_here("frobnicate").returncode == 2


def test_serve_on_a_port_in_use_says_so(tmp_path, run_fresh):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_fresh("serve", "--port", str(port), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert f"127.0.0.1:{port}: error: cannot serve on this port: Address already in use" in result.stderr
