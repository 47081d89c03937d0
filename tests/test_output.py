"""press/output.py, the one way press writes a file: whole or not at all."""

from __future__ import annotations


import pytest



from press.errors import PressError  # noqa: E402
from press.output import replace_atomically, write_atomically  # noqa: E402


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "2020-02.pdf"
    write_atomically(target, b"old")

    def half_written(tmp):
        tmp.write_bytes(b"ne")
        raise OSError("disk full")

    with pytest.raises(PressError) as raised:
        replace_atomically(target, half_written)
    assert [p.format(tmp_path) for p in raised.value.problems] == ["2020-02.pdf: error: cannot be written: disk full  [output.write]"]
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2020-02.pdf"]


def test_text_bytes_and_symlinks(tmp_path):
    text = write_atomically(tmp_path / "a" / "index.html", "校样", durable=False)
    assert text.read_text(encoding="utf-8") == "校样"
    write_atomically(tmp_path / "font.ttf", b"\0\1")
    link = tmp_path / "fallback" / "font.ttf"
    for _ in range(2):  # made, then made again over the first
        replace_atomically(link, lambda tmp: tmp.symlink_to(tmp_path / "font.ttf"))
    assert link.is_symlink() and link.read_bytes() == b"\0\1"
    assert sorted(p.name for p in (tmp_path / "fallback").iterdir()) == ["font.ttf"]
