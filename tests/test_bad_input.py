"""A corpus of bad and hostile inputs (tests/bad_inputs.yaml): exact error lines, exit status, no traceback."""

from __future__ import annotations

import os
import struct
import sys
import zlib
from pathlib import Path

import pytest
import yaml
from PIL import Image

from conftest import ROOT

sys.path.insert(0, str(ROOT))
import build  # noqa: E402

CASES = yaml.safe_load((Path(__file__).parent / "bad_inputs.yaml").read_text(encoding="utf-8"))


def png_header(path: Path, width: int, height: int) -> None:
    """A PNG that claims a size in its header and holds no pixels: what a bomb looks like before decoding."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
                     + struct.pack(">I", zlib.crc32(chunk)) + b"\x00\x00\x00\x00IEND\xaeB`\x82")


def apply(edit: dict, issue: Path) -> None:
    if "png_header" in edit:
        name, width, height = edit["png_header"]
        png_header(issue / name, width, height)
    if "jpeg" in edit:
        name, width, height = edit["jpeg"]
        Image.new("RGB", (width, height), (90, 120, 160)).save(issue / name, quality=80)
    if "write" in edit:
        name, text = edit["write"]
        (issue / name).write_text(text, encoding="utf-8")
    if "truncate" in edit:
        name, size = edit["truncate"]
        (issue / name).write_bytes((issue / name).read_bytes()[:size])
    if "symlink" in edit:
        name, target = edit["symlink"]
        (issue / name).unlink()
        (issue / name).symlink_to(target)
    if "delete" in edit:
        (issue / edit["delete"]).unlink()
    if "write_gbk" in edit:
        path = issue / edit["write_gbk"]
        path.write_bytes(path.read_text(encoding="utf-8").encode("gbk", errors="replace"))
    if "bom_crlf" in edit:
        path = issue / edit["bom_crlf"]
        path.write_bytes(b"\xef\xbb\xbf" + path.read_text(encoding="utf-8").replace("\n", "\r\n").encode())
    if "file" in edit:
        path = issue / edit["file"]
        text = path.read_text(encoding="utf-8")
        if "replace" in edit:
            old, new = edit["replace"]
            assert old in text, old
            text = text.replace(old, new, 1)
        text += edit.get("append", "")
        if "append_repeat" in edit:
            chunk, times = edit["append_repeat"]
            text += chunk * times
        path.write_text(text, encoding="utf-8")


def expand(line: str, issue: Path, edit: dict) -> str:
    if "{line:" in line:
        needle = line.split("{line:", 1)[1].split("}", 1)[0]
        # The line is looked up in the file the message names.
        name = line.split("{issue}/", 1)[1].split(":", 1)[0] if "{issue}/" in line else edit["file"]
        source = (issue / name).read_text(encoding="utf-8").split("\n")
        number = next(i for i, text in enumerate(source, 1) if needle in text)
        line = line.replace("{line:" + needle + "}", str(number))
    return line.replace("{issue}", os.path.relpath(issue, ROOT))


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(case, issue_copy, tmp_path, monkeypatch, capsys):
    apply(case["edit"], issue_copy)
    monkeypatch.chdir(ROOT)
    command = case.get("command", ["check"])
    argv = [*command, str(issue_copy)] + (["-o", str(tmp_path / "out")] if command[0] == "pdf" else [])
    status = build.main(argv)
    err = capsys.readouterr().err
    assert status == case.get("exit", 1), err
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert errors == [expand(line, issue_copy, case["edit"]) for line in case["expect"]], err
