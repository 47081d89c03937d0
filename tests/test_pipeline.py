"""The build as a generator: each PDF yielded as soon as it is written, the bilingual issue first,
the build recorded once the last is yielded; each cover asked for once."""

from __future__ import annotations

import os
import sys
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


def test_a_changed_photo_has_only_the_parts_that_show_it_typeset_again(tmp_path, monkeypatch):
    """A part is cached by the images its own HTML shows (press.typeset._salt, _shown), not by
    every image of the issue: a photo of one article changed sets again only the parts of that
    article, a cover photo only the covers; the PDFs are then those of a build from nothing."""
    from PIL import Image, ImageOps

    from conftest import small_issue

    def article(title: str, photo: str) -> str:
        return f"---\ntitle: {title}\n---\n{title}.\n\n![{title}](images/{photo})\n\n{title}.\n"

    issue = small_issue(tmp_path / "tiny", {"first.zh.md": article("第一篇", "who-briefing.jpg"),
                                            "first.en.md": article("First", "who-briefing.jpg"),
                                            "second.zh.md": article("第二篇", "russia-team.jpg"),
                                            "second.en.md": article("Second", "russia-team.jpg")})
    for name in ("who-briefing.jpg", "russia-team.jpg"):
        (issue / "images" / name).write_bytes((ISSUE / "images" / name).read_bytes())
    stored = []
    store = typeset.Typesetting._store

    def counted(self, key, part):
        stored.append(part.key)
        return store(self, key, part)

    monkeypatch.setattr(typeset.Typesetting, "_store", counted)

    def build_in(out: str, cache: str) -> dict[str, bytes]:
        monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / cache))
        stored.clear()
        list(build(load_config(str(issue), str(tmp_path / out)), Session()))
        return {p.name: p.read_bytes() for p in (tmp_path / out).glob("*.pdf")}

    def slugs(key: str) -> set[str]:  # article/first+second.zh: the articles a part holds
        return set(key.split("/", 1)[1].rsplit(".", 1)[0].split("+")) if key.startswith("article/") else set()

    def mirrored(name: str) -> None:  # the same size: only the pixels differ
        with Image.open(issue / "images" / name) as img:
            ImageOps.mirror(img).save(issue / "images" / name, quality=90)

    first = build_in("first", "cache")
    every = set(stored)
    assert {"first", "second"} <= set().union(*map(slugs, every)), every
    mirrored("who-briefing.jpg")
    photo = build_in("photo", "cache")
    assert set(stored) == {key for key in every if "first" in slugs(key)}, stored
    assert photo != first
    mirrored("cover-1.jpg")
    cover = build_in("cover", "cache")
    assert stored and set(stored) == {key for key in every if key.startswith("cover")}, stored
    assert cover != photo
    assert build_in("fresh", "empty") == cover
    assert set(stored) == every  # from nothing, every part set


def test_an_image_a_stylesheet_names_is_in_every_parts_key(tmp_path):
    """A stylesheet may name an image of the issue (url(../issue/images/x.jpg)): no part's HTML
    names it, and every part shows it, so it is in every part's key (typeset._salt's own digest)."""
    from types import SimpleNamespace

    issue, styles, fonts, templates = (tmp_path / name for name in ("issue", "styles", "fonts", "templates"))
    for folder in (issue / "images", styles, fonts, templates):
        folder.mkdir(parents=True)
    for name in ("mark.png", "photo.jpg"):
        (issue / "images" / name).write_bytes(b"an image " + name.encode())
    (styles / "press.css").write_text("@page { background: url(../issue/images/Mark.png) }\n", encoding="utf-8")
    cfg = SimpleNamespace(styles_dir=styles, fonts_dir=fonts, templates_dir=templates)
    salt, images = typeset._salt(issue, cfg, {})
    html = '<img src="images/photo.jpg">'
    assert [name for name, _ in images] == ["photo.jpg"]
    assert typeset._shown(images, html) and typeset._shown(images, "<p>no image</p>") == b""
    (issue / "images" / "mark.png").write_bytes(b"another image")
    assert typeset._salt(issue, cfg, {})[0] != salt


def test_a_build_of_inputs_built_before_lets_no_worker_import_weasyprint_unless_a_part_is_missing(tmp_path, monkeypatch):
    """A cold build lets its first worker import WeasyPrint while the issue is checked. A build of
    the same inputs with the same cache (the outputs deleted, or another output folder) finds every
    part in the cache: its worker is never let start (it imported WeasyPrint, 0.35 CPU-s, to be
    killed unused). A part missing after all starts it when handed to it, and the PDFs are the same."""
    from press import workers

    started, went = [], []
    start, go = typeset.Typesetting.start, workers.Workers.go
    monkeypatch.setattr(typeset.Typesetting, "start", lambda self: (started.append(1), start(self))[1])
    monkeypatch.setattr(workers.Workers, "go", lambda self: (went.append(1), go(self))[1])
    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path / "cache"))

    def build_into(folder: str) -> dict[str, bytes]:
        started.clear(), went.clear()
        return {b.path.name: b.path.read_bytes() for b in build(load_config(str(ISSUE), str(tmp_path / folder)), Session())}

    cold = build_into("cold")
    assert started and went  # early, as the check began
    assert build_into("again") == cold
    assert not started and not went
    parts = sorted((tmp_path / "cache" / "parts").iterdir())
    parts[0].unlink()
    assert build_into("one-part-missing") == cold
    # Started by the part handed to it; unless WeasyPrint is loaded in this process already (another
    # test of the suite's, in this xdist worker, imported it), where a single part is set here.
    assert not started and bool(went) != ("weasyprint" in sys.modules)


def test_a_cold_build_leaves_nothing_in_the_temporary_folder(tmp_path):
    """WeasyPrint copies a typesetter's faces into a temporary folder of its own (2 MB) and
    removes it only when the font configuration is collected, which a worker, ended by os._exit,
    never does: every cold build left one in /tmp. The workers' temporary folder is the build's,
    removed once they have ended (press.typeset.Typesetting.close). A new process, as an editor
    runs it, with TMPDIR an empty folder of its own and an empty cache, so that workers set parts."""
    from conftest import run_build, small_issue

    issue = small_issue(tmp_path / "tiny", {"only.zh.md": "---\ntitle: 唯一\n---\n一段。\n",
                                            "only.en.md": "---\ntitle: Only\n---\nA paragraph.\n"})
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    result = run_build("pdf", str(issue), "-o", str(tmp_path / "out"),
                       env={"TMPDIR": str(scratch), "PRESS_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 3
    assert list(scratch.iterdir()) == []
