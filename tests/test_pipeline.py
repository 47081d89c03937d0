"""The build as a generator: each PDF yielded as soon as it is written, the bilingual issue first,
the build recorded once the last is yielded; each cover asked for once."""

from __future__ import annotations

import os
from collections import Counter

import yaml

from press import typeset
from press.config import load_config
from press.manifest import MANIFEST
from press.pipeline import build
from press.session import Session

from conftest import ISSUE


def test_each_pdf_is_yielded_as_written_bilingual_first_and_each_cover_is_set_once(tmp_path, monkeypatch):
    data = yaml.safe_load((ISSUE / "issue.yaml").read_text(encoding="utf-8"))
    langs = [lang for lang in ("zh", "en") if any((ISSUE / f"{slug}.{lang}.md").exists() for slug in data["articles"])]
    expected = [f"{data['id']}.pdf"] + [f"{data['id']}.{lang}.pdf" for lang in langs]
    asked = []
    many = typeset.Typesetting.many

    def counted(self, parts):
        asked.extend(part.key for part in parts)
        return many(self, parts)

    monkeypatch.setattr(typeset.Typesetting, "many", counted)  # `one` asks through `many` too
    out = tmp_path / "out"
    cfg = load_config(str(ISSUE), str(out))
    session = Session()
    seen = []
    for built in build(cfg, session):
        # On disk already, with those before it and none after it; the build not yet recorded.
        seen.append(built.path.name)
        assert sorted(p.name for p in out.glob("*.pdf")) == sorted(seen) and built.path.is_file()
        assert not (out / MANIFEST).exists() and not built.reused
    assert seen == expected and (out / MANIFEST).exists()
    covers = Counter(key for key in asked if key.startswith("cover"))
    assert len(covers) == len(expected) and set(covers.values()) == {1}, covers

    again = list(build(cfg, session))  # nothing changed: the same PDFs, reused, in the same order
    assert [b.path.name for b in again] == expected and all(b.reused for b in again)


def test_a_damaged_record_of_the_last_build_is_not_used(tmp_path, built):
    """A reused build says again the warnings its record holds: one damaged there (a sync tool,
    a half-written file) would be said as it reads. Its check fails, and the build is made again."""
    cfg = load_config(str(ISSUE), str(tmp_path / "out"))
    first = list(build(cfg, Session()))
    said = [p.format() for p in first[0].warnings]
    record = tmp_path / "out" / MANIFEST
    text = record.read_text(encoding="utf-8")
    assert "has no en version" in text, said  # 2020-02 has Chinese-only articles: each a note
    record.write_text(text.replace("has no en version", "has no fr version", 1), encoding="utf-8")
    again = list(build(cfg, Session()))
    assert not any(b.reused for b in again)
    assert [p.format() for p in again[0].warnings] == said
    assert all(b.reused for b in build(cfg, Session()))  # recorded again, whole


def test_an_output_changed_since_it_was_written_is_made_again(tmp_path, built):
    """A reused build reads no PDF whose inode, size and times are as recorded: one rewritten with
    the same size and its modification time set back still has a newer change time, and is made again."""
    cfg = load_config(str(ISSUE), str(tmp_path / "out"))
    list(build(cfg, Session()))
    pdf = tmp_path / "out" / f"{ISSUE.name}.pdf"
    before, data = pdf.stat(), pdf.read_bytes()
    assert all(b.reused for b in build(cfg, Session()))
    pdf.write_bytes(data[:-64] + b" " * 64)  # the same size
    os.utime(pdf, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert pdf.stat().st_size == before.st_size and pdf.stat().st_mtime_ns == before.st_mtime_ns
    assert not any(b.reused for b in build(cfg, Session()))
    assert pdf.read_bytes() == data
