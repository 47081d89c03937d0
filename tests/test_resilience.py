"""Never a wrong PDF with exit 0 (issue 23): a damaged cache is found and made again, what
WeasyPrint says is said as a diagnostic, a read-only output folder is one error line, and the
proof leaves no temporary files.

Each case runs the real command line, in a process of its own (run_fresh: forked from one that
has done the imports) or in the test's (build_here); neither lets a traceback pass."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ISSUE, ROOT, build_here, small_issue

NAME = "tiny"  # the small issue's id (conftest.small_issue_yaml), which names its PDFs
PDFS = [f"{NAME}.pdf", f"{NAME}.zh.pdf", f"{NAME}.en.pdf"]
CACHED = ("parts", "fonts", "images")  # what press keeps under its cache folder, by kind


@pytest.fixture(scope="module")
def issue(tmp_path_factory) -> Path:
    """A one-article issue in both languages, a photo of 2020-02 in each, and a cover photo: a
    build of it caches parts (several), font subsets and print-size images (several) as a build
    of a whole issue does, in half the typesetting of 2020-02's article with the most photos
    (which these cases built before: 3.1 CPU-s from an empty cache against 1.6). These cases are
    about the cache and the command line, not about an issue's pages."""
    zh = "---\ntitle: 合作抗疫\n---\n中国专家在武汉参加信息通报会，分享防控经验。\n\n" \
         "![中国专家参加信息通报会](images/who-briefing.jpg)\n\n抗疫医疗专家组启程。\n"
    en = "---\ntitle: Working together\n---\nChinese experts share their experience at a briefing.\n\n" \
         "![Experts at the briefing](images/who-briefing.jpg)\n\nA medical team sets out.\n"
    folder = small_issue(tmp_path_factory.mktemp("small") / NAME, {"photos.zh.md": zh, "photos.en.md": en})
    shutil.copy(ISSUE / "images" / "who-briefing.jpg", folder / "images" / "who-briefing.jpg")
    return folder


@pytest.fixture(scope="module")
def clean(tmp_path_factory, issue, run_fresh) -> tuple[Path, Path]:
    """A build of the small issue from an empty cache: its PDFs, and the cache it left."""
    root = tmp_path_factory.mktemp("clean")
    result = run_fresh("pdf", str(issue), "-o", str(root / "out"), env={"PRESS_CACHE_DIR": str(root / "cache")})
    assert result.returncode == 0, result.stderr
    assert _lines(result, "error") == [] and _damage_notes(result) == set()
    for kind in CACHED:
        assert any((root / "cache" / kind).iterdir()), f"the clean build cached no {kind}"
    return root / "out", root / "cache"


def _lines(result: subprocess.CompletedProcess, severity: str) -> list[str]:
    return [line for line in result.stderr.splitlines() if re.match(rf"[^:]+(:\d+)?: {severity}: ", line)]


def _damage_notes(result: subprocess.CompletedProcess) -> set[Path]:
    """The cache entries and folders that the build said it found damaged, resolved."""
    found = set()
    for line in _lines(result, "note"):
        path, _, message = line.partition(": note: ")
        if message.startswith(("damaged cache entry", "cache folder was a file")):
            found.add((ROOT / path).resolve())
    return found


def _digests(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in PDFS}


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _cut(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


def _entries(cache: Path, kind: str) -> list[Path]:
    return sorted(p for p in (cache / kind).iterdir() if p.is_file())


def _damage(cache: Path, kind: str, how: str) -> set[Path]:
    """Damage the cached entries of one kind; what a build must say it found (resolved paths)."""
    entries = _entries(cache, kind)
    if how == "flipped":
        for entry in entries:
            _flip(entry)
    elif how == "truncated":
        for entry in entries:
            _cut(entry)
    elif how == "swapped":  # each entry holds the next one's bytes
        contents = [entry.read_bytes() for entry in entries]
        for entry, data in zip(entries, contents[1:] + contents[:1]):
            entry.write_bytes(data)
    elif how == "folder":  # an entry replaced by a folder (holding a file, so that rmdir cannot take it)
        entries = entries[:1]
        entries[0].unlink()
        entries[0].mkdir()
        (entries[0] / "stray").write_bytes(b"x")
    elif how == "file":  # the kind's folder replaced by a file
        shutil.rmtree(cache / kind)
        (cache / kind).write_bytes(b"not a folder")
        return {(cache / kind).resolve()}
    assert len(entries) >= (1 if how == "folder" else 2), f"too few cached {kind} to damage"
    return {entry.resolve() for entry in entries}


@pytest.mark.parametrize("how", ["flipped", "truncated", "swapped", "folder", "file"])
@pytest.mark.parametrize("kind", CACHED)
def test_a_damaged_cache_is_made_again_and_said(issue, clean, tmp_path, kind, how):
    reference, warm = clean
    cache = tmp_path / "cache"
    shutil.copytree(warm, cache, symlinks=True)
    damaged = _damage(cache, kind, how)
    # The builds run in the test process (build_here): what a damaged cache does to a build, not
    # to a new process (the reference, `clean`, is one), as fontconfig's own cache's test is.
    if kind == "images":
        # Print-size images are read only by parts being typeset: none may come from the cache.
        shutil.rmtree(cache / "parts")
    out = tmp_path / "out"
    result = build_here("pdf", str(issue), "-o", str(out), env={"PRESS_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    assert _lines(result, "error") == [], result.stderr
    assert _damage_notes(result) == damaged, result.stderr
    assert _digests(out) == _digests(reference), f"{kind} {how}: the PDFs differ from a clean build"
    # Made again and written over: the next build finds nothing to say.
    again = build_here("pdf", str(issue), "-o", str(tmp_path / "again"), env={"PRESS_CACHE_DIR": str(cache)})
    assert again.returncode == 0 and _damage_notes(again) == set(), again.stderr
    assert _digests(tmp_path / "again") == _digests(reference)


def test_a_cache_folder_that_is_a_file_is_one_error_line(issue, tmp_path):
    cache = tmp_path / "cache"
    cache.write_bytes(b"")
    out = tmp_path / "out"
    result = build_here("pdf", str(issue), "-o", str(out), env={"PRESS_CACHE_DIR": str(cache)})
    assert result.returncode == 1
    assert _lines(result, "error") == [f"{os.path.relpath(cache, ROOT)}: error: is a file, not a folder: the output "
                                       "cannot be written there (set PRESS_CACHE_DIR to a folder)  [output.folder]"], result.stderr
    assert not out.exists()


@pytest.fixture
def project(issue, tmp_path, clean) -> Path:
    """A project of its own with the checkout's fonts and templates, its own styles to break, and
    the small issue."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("fonts", "templates"):
        (root / name).symlink_to(ROOT / name)
    shutil.copytree(ROOT / "styles", root / "styles")
    shutil.copytree(issue, root / "content" / NAME)
    return root


def test_a_file_where_the_projects_cache_folder_goes_is_replaced(project, tmp_path, clean, run_fresh):
    (project / ".cache").write_bytes(b"not a folder")
    out = tmp_path / "out"
    result = _build_in(run_fresh, project, "pdf", f"content/{NAME}", "-o", str(out), cache=None)
    assert result.returncode == 0 and _lines(result, "error") == [], result.stderr
    assert ".cache: note: cache folder was a file: replaced by an empty folder  [cache.replaced]" in result.stderr.splitlines()
    assert (project / ".cache" / "parts").is_dir()
    assert _digests(out) == _digests(clean[0])


def _build_in(run, project: Path, *args: str, cache: Path | None) -> subprocess.CompletedProcess:
    """Run in the project, by `run` (run_fresh); with no `cache`, the project's own .cache/."""
    return run(*args, cwd=project, env={"PRESS_CACHE_DIR": str(cache) if cache else ""})


def _break_a_rule(sheet: Path, selector: str, declaration: str) -> int:
    """Add `declaration` to the first rule of `selector`; its line in the sheet."""
    lines = sheet.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if line.startswith(selector + " {"))
    lines[number] = lines[number].replace(" {", " { " + declaration, 1)
    sheet.write_text("".join(lines), encoding="utf-8")
    return number + 1


def test_a_typo_in_the_stylesheet_is_a_warning_where_it_is(project, tmp_path, clean, run_fresh):
    """Said once (not once per worker), at its line of styles/press.css, by every build that uses
    the parts it was set with: the first, one from cached parts, one reusing the PDFs; an error with
    --strict, which then writes nothing over the earlier PDFs."""
    cache = tmp_path / "cache"
    shutil.copytree(clean[1], cache, symlinks=True)
    line = _break_a_rule(project / "styles" / "press.css", "html", "colr: red;")
    expected = re.compile(rf"styles/press\.css:{line}: (warning|error): WeasyPrint: Ignored `colr: red` at {line}:\d+")
    issue = f"content/{NAME}"
    for out in ("first", "cached", "cached"):  # the last one reuses the PDFs of the one before
        result = _build_in(run_fresh, project, "pdf", issue, "-o", str(tmp_path / out), cache=cache)
        assert result.returncode == 0, result.stderr
        said = [line for line in _lines(result, "warning") if expected.match(line)]
        assert len(said) == 1 and said[0].startswith(f"styles/press.css:{line}: warning:"), result.stderr
        assert "WARNING" not in result.stderr, result.stderr  # WeasyPrint's own logger is not printed
    warned = _lines(result, "warning")  # the typo's, and any of the issue's pages
    # The same sources in another folder reuse the cached parts, and are told where they are.
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(project, elsewhere, symlinks=True)
    result = run_fresh("pdf", str(elsewhere / issue), "-o", str(tmp_path / "elsewhere-out"), cwd=tmp_path,
                       env={"PRESS_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    assert [line for line in _lines(result, "warning") if "colr" in line] == [
        f"elsewhere/styles/press.css:{line}: warning: WeasyPrint: Ignored `colr: red` at {line}:{len('html { ') + 1}, "
        "unknown property.  [css.ignored]"
    ], result.stderr
    earlier = _digests(tmp_path / "first")
    strict = _build_in(run_fresh, project, "pdf", "--strict", issue, "-o", str(tmp_path / "first"), cache=cache)
    assert strict.returncode == 1
    errors = _lines(strict, "error")
    # Each warning made an error, no more: the typo's once (the issue's pages may have warnings of their own).
    assert errors == [line.replace(": warning: ", ": error: ", 1) for line in warned], strict.stderr
    assert len([line for line in errors if expected.match(line)]) == 1, strict.stderr
    assert _digests(tmp_path / "first") == earlier


SERVE_LIKE = """
import sys
from pathlib import Path
from press.config import load_config
from press.typeset import isolate_fontconfig

cfg = load_config(sys.argv[1], sys.argv[2])
isolate_fontconfig(cfg.fonts_dir, cfg.cache_dir)
import weasyprint  # as serve does (press/cli.py): parts are then set in this process too
from press.pipeline import build
from press.session import Session

session = Session()  # one for the process, as serve keeps it
for out in sys.argv[2:]:
    if out.endswith("typo"):
        sheet = Path("styles/press.css")
        sheet.write_text(sheet.read_text(encoding="utf-8").replace("html {", "html { colr: red;", 1), encoding="utf-8")
    built = list(build(load_config(sys.argv[1], out), session))[-1]
    print(out, sorted(p.format() for p in built.warnings if "WeasyPrint" in p.message))
"""


def test_a_typo_made_while_serve_runs_is_said(project, tmp_path, clean, fork_server):
    """serve's process typesets parts itself, and keeps its typesetter from one build to the next:
    its messages are collected there too, and a stylesheet edited between builds is read again."""
    cache = tmp_path / "cache"
    shutil.copytree(clean[1], cache, symlinks=True)
    shutil.rmtree(cache / "parts")  # so that the first build makes this process's typesetter
    result, _ = fork_server.run((f"content/{NAME}", str(tmp_path / "clean"), str(tmp_path / "typo")), code=SERVE_LIKE,
                                cwd=project, env={"PRESS_CACHE_DIR": str(cache)})
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    line = next(i for i, text in enumerate((project / "styles" / "press.css").read_text().splitlines(), 1)
                if text.startswith("html { colr: red;"))
    said = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert said[str(tmp_path / "clean")] == "[]"
    assert said[str(tmp_path / "typo")].count("WeasyPrint") == 1, result.stdout
    warning = f"styles/press.css:{line}: warning: WeasyPrint: Ignored `colr: red` at {line}:"
    assert said[str(tmp_path / "typo")].startswith(f"['{warning}"), result.stdout


def test_a_font_face_that_cannot_be_loaded_is_an_error(project, tmp_path, clean, run_fresh):
    """WeasyPrint only warns, and sets the text in another face: a PDF with the wrong type."""
    cache = tmp_path / "cache"
    shutil.copytree(clean[1], cache, symlinks=True)
    sheet = project / "styles" / "fonts.css"
    lines = sheet.read_text(encoding="utf-8").splitlines()
    lines.append('@font-face { font-family: "Broken Face"; src: url(../fonts/README.md); }')
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _build_in(run_fresh, project, "pdf", f"content/{NAME}", "-o", str(tmp_path / "out"), cache=cache)
    assert result.returncode == 1
    assert _lines(result, "error") == [f"styles/fonts.css:{len(lines)}: error: WeasyPrint: Font-face 'Broken Face' "
                                       "cannot be loaded  [font.missing]"], result.stderr
    assert not any((tmp_path / "out" / name).exists() for name in PDFS)


def _mount_read_only(folder: Path) -> bool:
    """A read-only bind mount of `folder` over itself (root with CAP_SYS_ADMIN only)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    if subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode != 0:
        return False
    if subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True).returncode != 0:
        subprocess.run(["umount", str(folder)], capture_output=True)
        return False
    return True


def test_a_read_only_output_folder_is_one_error_line(issue, tmp_path, clean, run_fresh):
    out = tmp_path / "out"
    cache = tmp_path / "cache"
    shutil.copytree(clean[1], cache, symlinks=True)
    env = {"PRESS_CACHE_DIR": str(cache), "SOURCE_DATE_EPOCH": "1577836800"}
    assert run_fresh("pdf", str(issue), "-o", str(out), env=env).returncode == 0
    earlier = _digests(out)
    listing = sorted(os.listdir(out))
    if not _mount_read_only(out):
        pytest.skip("no read-only mount here: needs root with CAP_SYS_ADMIN (mount --bind, then remount ro)")
    try:
        # Another date: the PDFs must be made again, and cannot be written.
        result = run_fresh("pdf", str(issue), "-o", str(out), env={**env, "SOURCE_DATE_EPOCH": "1580515200"})
    finally:
        subprocess.run(["umount", str(out)], check=True)
    assert result.returncode == 1
    assert _lines(result, "error") == [f"{os.path.relpath(out / PDFS[0], ROOT)}: error: cannot be written: "
                                       "Read-only file system  [output.write]"], result.stderr
    assert _digests(out) == earlier and sorted(os.listdir(out)) == listing


def test_the_proof_leaves_no_temporary_files(issue, tmp_path, clean):
    cache = tmp_path / "cache"
    shutil.copytree(clean[1], cache, symlinks=True)
    out = tmp_path / "out"
    for _ in range(2):  # the second over unchanged sources: its PDFs are those of the first
        result = build_here("proof", str(issue), "-o", str(out), env={"PRESS_CACHE_DIR": str(cache)})
        assert result.returncode == 0, result.stderr
        assert _lines(result, "error") == []
        assert sorted(p.name for p in (out / "proof").glob("*.pdf")) == sorted(PDFS)
        assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []
    assert _digests(out / "proof") == _digests(out)


def test_a_damaged_page_image_of_the_proof_is_drawn_again(issue, tmp_path, clean):
    """The proof draws again only the pages that changed: an image it would keep must still be
    the one it drew (here one cut short, one holding another page's image)."""
    cache = tmp_path / "cache"
    shutil.copytree(clean[1], cache, symlinks=True)
    out = tmp_path / "out"
    env = {"PRESS_CACHE_DIR": str(cache)}
    assert build_here("proof", str(issue), "-o", str(out), env=env).returncode == 0
    pages = sorted((out / "proof" / "pages").glob("p*.jpg"))
    drawn = {page.name: page.read_bytes() for page in pages}
    assert len(pages) >= 3
    _cut(pages[1])
    pages[0].write_bytes(drawn[pages[-1].name])
    result = build_here("proof", str(issue), "-o", str(out), env=env)
    assert result.returncode == 0 and _lines(result, "error") == [], result.stderr
    assert {page.name: page.read_bytes() for page in pages} == drawn


def test_the_proof_of_a_reused_build_checks_the_font_subsets_it_reads(issue, tmp_path, clean):
    """The PDFs come from the manifest, untouched; the proof's reading view reads the subsets itself."""
    cache = tmp_path / "cache"
    shutil.copytree(clean[1], cache, symlinks=True)
    out = tmp_path / "out"
    env = {"PRESS_CACHE_DIR": str(cache)}
    assert build_here("pdf", str(issue), "-o", str(out), env=env).returncode == 0
    built = set(_entries(cache, "fonts"))
    assert build_here("proof", str(issue), "-o", str(out), env=env).returncode == 0
    # The reading view's subsets (its characters are the articles', not the pages'), else the build's.
    read = set(_entries(cache, "fonts")) - built or built
    for entry in read:
        _flip(entry)
    result = build_here("proof", str(issue), "-o", str(out), env=env)
    assert result.returncode == 0 and _lines(result, "error") == [], result.stderr
    assert _damage_notes(result) == {entry.resolve() for entry in read}, result.stderr
    proof_fonts = {p.name: p.read_bytes() for p in (out / "proof" / "fonts").iterdir()}
    assert proof_fonts and all(_is_font(data) for data in proof_fonts.values())


def _is_font(data: bytes) -> bool:
    import io

    from fontTools.ttLib import TTFont

    try:
        TTFont(io.BytesIO(data)).ensureDecompiled()
    except Exception:  # noqa: BLE001 (any way of not being a font)
        return False
    return True


EARLY_PROOF = """
import sys
from press.config import load_config
from press.pipeline import proof
from press.session import Session
for built in proof(load_config(sys.argv[1], sys.argv[2]), Session(), early=True):
    pass
"""


def test_the_early_proof_of_serve_leaves_no_temporary_files(issue, tmp_path, clean, fork_server):
    """serve publishes the proof from the bilingual issue as laid out, before any PDF is written,
    then links each PDF into the proof folder as it is written."""
    cache = tmp_path / "cache"
    shutil.copytree(clean[1], cache, symlinks=True)
    out = tmp_path / "out"
    result, _ = fork_server.run((str(issue), str(out)), code=EARLY_PROOF, env={"PRESS_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (out / "proof").glob("*.pdf")) == sorted(PDFS)
    assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []
    assert _digests(out / "proof") == _digests(out)


def test_an_image_weasyprint_cannot_use_is_an_error_of_its_article(tmp_path):
    """Preflight refuses such an image first; should one pass, WeasyPrint logs an error and leaves
    a hole, which the typesetter turns into an error of the article's source."""
    from press.fonts import subset_fonts
    from press.render import RenderedHtml
    from press.typeset import Typesetter, isolate_fontconfig

    isolate_fontconfig(ROOT / "fonts", tmp_path / "cache")
    issue = tmp_path / "issue"
    (issue / "images").mkdir(parents=True)
    (issue / "images" / "broken.svg").write_text("<svg", encoding="utf-8")  # not fetched at print size: as it is
    fonts = subset_fonts(ROOT / "fonts", set("Some text"), tmp_path / "cache")
    typesetter = Typesetter(issue, ROOT / "styles", ROOT / "templates", ROOT / "fonts", tmp_path / "cache", fonts)
    assert typesetter.messages == ()  # the project's sheets: nothing to say
    html = '<html lang="en"><body><p>Some text</p><img src="images/broken.svg" alt="a"></body></html>'
    from press.article import ArticleKey

    first = ArticleKey("note", "en")
    for key, article, source in (("article/note.en", first, "note.en.md"), ("article/note+more.en", first, "note.en.md"),
                                 ("cover.zh-en", None, "issue.yaml")):
        part = typesetter.typeset(RenderedHtml(key, html, "en", article))
        # Named as the fetcher names files: a build says them in its own folders (Typesetting.problems).
        assert [(p.path, p.line, p.severity) for p in part.messages] == [(Path("issue", source), None, "error")], \
            part.messages
        assert part.messages[0].message == "WeasyPrint: Failed to load image at 'images/broken.svg'"


def test_a_full_output_file_system_is_one_error_line(issue, tmp_path, clean, run_fresh):
    """An output folder on a file system with room for the earlier PDFs and little more: the new
    PDFs cannot be written, which is said once, at the file; the earlier ones stay as they were,
    and no temporary file is left behind."""
    good = tmp_path / "good"
    cache = tmp_path / "cache"
    shutil.copytree(clean[1], cache, symlinks=True)
    env = {"PRESS_CACHE_DIR": str(cache), "SOURCE_DATE_EPOCH": "1577836800"}
    assert run_fresh("pdf", str(issue), "-o", str(good), env=env).returncode == 0
    # The earlier files, each in whole pages of tmpfs, and room for half of the smallest new PDF.
    used = sum(-(-p.stat().st_size // 4096) * 4096 for p in good.iterdir())
    room = min(p.stat().st_size for p in good.glob("*.pdf")) // 2
    out = tmp_path / "out"
    out.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={used + room}", "tmpfs",
                                            str(out)], capture_output=True).returncode != 0:
        pytest.skip("no tmpfs mount here: needs root with CAP_SYS_ADMIN")
    try:
        for p in good.iterdir():
            shutil.copy2(p, out / p.name)
        earlier = _digests(out)
        listing = sorted(os.listdir(out))
        # Another date: the PDFs must be made again, and there is no room for them.
        result = run_fresh("pdf", str(issue), "-o", str(out), env={**env, "SOURCE_DATE_EPOCH": "1580515200"})
        assert result.returncode == 1
        errors = _lines(result, "error")
        assert len(errors) == 1 and errors[0].endswith(": error: cannot be written: No space left on device  [output.write]"), \
            result.stderr
        assert errors[0].split(":")[0] in {os.path.relpath(out / name, ROOT) for name in PDFS}
        assert "Traceback" not in result.stderr
        assert _digests(out) == earlier and sorted(os.listdir(out)) == listing
    finally:
        subprocess.run(["umount", str(out)], check=True)


def _get(port: int, path: str, host: str | None) -> bytes:
    import socket

    head = f"GET {path} HTTP/1.1\r\n" + (f"Host: {host}\r\n" if host is not None else "") + "Connection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_serve_answers_the_loopback_by_its_ipv6_name_too(tmp_path):
    """A tab opened at http://[::1]:PORT/ sends `Host: [::1]:PORT`: answered as 127.0.0.1 is. The
    server process of serve itself, without a build: it serves whatever the proof folder holds."""
    import multiprocessing

    from press.serve import _serve_http

    proof = tmp_path / "proof"
    proof.mkdir()
    (proof / "page.png").write_bytes(b"a page")
    context = multiprocessing.get_context("fork")
    builds, server_end = context.Pipe()
    server = context.Process(target=_serve_http, args=(server_end, builds, proof, 0), daemon=True)
    server.start()
    server_end.close()
    try:
        port = int(builds.recv().rstrip("/").rsplit(":", 1)[1])
        for host in (f"[::1]:{port}", "[::1]", f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST"):
            answer = _get(port, "/page.png", host)
            assert answer.startswith(b"HTTP/1.0 200") and answer.endswith(b"a page"), host
        for host in (f"[::1]:{port + 1}", f"[::2]:{port}", "[::1", f"::1:{port}", f"[::1]:{port}x", f"[::ffff:7f00:1]:{port}",
                     f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", "", None):
            assert _get(port, "/page.png", host).startswith(b"HTTP/1.0 403"), host
    finally:
        builds.close()  # the server shuts down when its builder is gone
        server.join(timeout=10)
    assert server.exitcode == 0


SERVE_BLIND = """
import sys
import watchfiles

def watch(*paths, **options):  # as watchfiles fails when the system's inotify watches run out
    raise OSError(28, "OS file watch limit reached")
    yield

watchfiles.watch = watch
import build
sys.exit(build.main(sys.argv[1:]))
"""


def test_serve_whose_watcher_dies_says_so_and_stops(tmp_path, fork_server):
    """serve would otherwise go on showing the proof of the last build as if edits were seen."""
    import time

    issue = _small_issue(tmp_path / "issue")
    cache = tmp_path / "cache"
    started = time.monotonic()
    result, _ = fork_server.run(("serve", str(issue), "-o", str(tmp_path / "out")), code=SERVE_BLIND, seconds=300,
                                env={"PRESS_CACHE_DIR": str(cache)})
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert _lines(result, "error") == [f"{os.path.relpath(issue, ROOT)}: error: serve stopped watching for changes "
                                       "(OSError: [Errno 28] OS file watch limit reached): an edit would no longer "
                                       "be rebuilt; start serve again  [serve.watch]"], result.stderr
    assert time.monotonic() - started < 300


def _small_issue(folder: Path, zh: str = "中文。\n", en: str = "English.\n") -> Path:
    return small_issue(folder, {"small.zh.md": "---\ntitle: 小\n---\n" + zh, "small.en.md": "---\ntitle: Small\n---\n" + en})


@pytest.mark.parametrize("how", ["flipped", "truncated", "folder"])
def test_a_damaged_fontconfig_cache_is_made_again(issue, clean, tmp_path, how, run_fresh):
    """fontconfig's own cache (of the fallback face, in the cache folder) is checked against the
    digests press recorded when it made it, and made again when it differs: fontconfig itself
    would use a file whose header is intact."""
    reference, warm = clean
    cache = tmp_path / "cache"
    shutil.copytree(warm, cache, symlinks=True)
    # fontconfig names its files after the folder they cache: a cache in another folder has its own.
    first = run_fresh("pdf", str(issue), "-o", str(tmp_path / "first"), env={"PRESS_CACHE_DIR": str(cache)})
    assert first.returncode == 0, first.stderr
    shutil.rmtree(cache / "parts")  # so that the build typesets, with fontconfig
    record = (cache / "fontconfig" / "press-digests").read_text(encoding="utf-8")
    entries = sorted((cache / "fontconfig").glob("*.cache-*"))
    assert entries and all(f"{entry.name} {hashlib.sha256(entry.read_bytes()).hexdigest()}" in record for entry in entries)
    for entry in entries:
        if how == "flipped":
            _flip(entry)
        elif how == "truncated":
            _cut(entry)
        else:
            entry.unlink()
            entry.mkdir()
    result = run_fresh("pdf", str(issue), "-o", str(tmp_path / "out"), env={"PRESS_CACHE_DIR": str(cache)})
    assert result.returncode == 0 and _lines(result, "error") == [], result.stderr
    # Said, as press's own damaged entries are: one note each.
    assert _damage_notes(result) == {entry.resolve() for entry in entries}, result.stderr
    assert len([line for line in _lines(result, "note") if "damaged cache entry" in line]) == len(entries)
    assert _digests(tmp_path / "out") == _digests(reference)
    # Made again: the files hold what the record says.
    assert (cache / "fontconfig" / "press-digests").read_text(encoding="utf-8") == record
    for entry in entries:
        assert entry.is_file() and f"{entry.name} {hashlib.sha256(entry.read_bytes()).hexdigest()}" in record
