"""Diagnostics as docs/format.md's "Problems" says: what stops a build, what is only said, and in which order."""

from __future__ import annotations

import html as html_module
import os
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml
from PIL import Image

from conftest import ISSUE, ROOT, build_here, run_build

FIGURE_MM = 84.7  # a figure's printed width, one column (styles/press.css)


def rel(path: Path) -> str:
    return os.path.relpath(path, ROOT)


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def coarse(issue: Path, ppi: int) -> tuple[Path, int]:
    """Replace the one figure of share-solutions.zh.md by a photo of `ppi` at a column's width;
    the article and the line that places it."""
    article = issue / "share-solutions.zh.md"
    width = round(ppi * FIGURE_MM / 25.4)
    Image.new("RGB", (width, width * 2 // 3), (90, 120, 160)).save(issue / "images" / "iraq-team.jpg", quality=80)
    return article, line_of(article, "images/iraq-team.jpg")


def one_language(issue: Path) -> list[tuple[Path, str, str]]:
    """(file, slug, missing language) of every article that exists in one language only."""
    slugs = yaml.safe_load((issue / "issue.yaml").read_text(encoding="utf-8"))["articles"]
    found = []
    for slug in slugs:
        langs = [lang for lang in ("zh", "en") if (issue / f"{slug}.{lang}.md").exists()]
        if len(langs) == 1:
            found.append((issue / f"{slug}.{langs[0]}.md", slug, "en" if langs[0] == "zh" else "zh"))
    return found


def test_an_article_in_one_language_is_a_note_even_with_strict(issue_copy):
    singles = one_language(issue_copy)
    assert singles, "the sample issue has Chinese-only articles: this test needs one"
    result = build_here("check", str(issue_copy), "--strict")
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if ": note: " in line]
    assert notes == sorted(f"{rel(path)}:1: note: article '{slug}' has no {missing} version: it appears only in "
                           f"the {path.name.split('.')[1]} part and edition  [article.single]" for path, slug, missing in singles)
    assert ": warning: " not in result.stderr and ": error: " not in result.stderr


def test_a_coarse_image_is_a_warning_and_the_reading_pdfs_and_the_proof_are_made(issue_copy, tmp_path):
    article, line = coarse(issue_copy, 90)
    out = tmp_path / "out"
    result = build_here("proof", str(issue_copy), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert f"{rel(article)}:{line}: warning: image 'images/iraq-team.jpg' is 90 ppi at its printed width of 85 mm: " \
           "300 wanted  [image.ppi]" in result.stderr.splitlines()
    assert {p.name for p in out.glob("*.pdf")} == {"2020-02.pdf", "2020-02.zh.pdf", "2020-02.en.pdf"}
    assert (out / "proof" / "index.html").is_file()


def test_with_press_an_image_under_150_ppi_is_an_error_that_withholds_only_the_press_pdf(issue_copy, tmp_path):
    article, line = coarse(issue_copy, 90)
    out = tmp_path / "out"
    result = build_here("pdf", str(issue_copy), "-o", str(out), "--press")
    assert result.returncode == 1, result.stderr
    errors = [entry for entry in result.stderr.splitlines() if ": error: " in entry]
    assert len(errors) == 1, result.stderr
    match = re.fullmatch(rf"{re.escape(rel(article))}:{line}: error: image 'images/iraq-team\.jpg' is (\d+) ppi as placed "
                         r"\(\d+ × \d+ mm\) on page \d+ of 2020-02\.press\.pdf: at least 150, 300 wanted for print  \[image\.ppi\]", errors[0])
    assert match and int(match[1]) < 150, errors[0]
    # The warning of the reading PDFs comes with the error.
    assert f"{rel(article)}:{line}: warning: image 'images/iraq-team.jpg' is 90 ppi at its printed width of 85 mm: " \
           "300 wanted  [image.ppi]" in result.stderr.splitlines()
    assert {p.name for p in out.glob("*.pdf")} == {"2020-02.pdf", "2020-02.zh.pdf", "2020-02.en.pdf"}


def test_warnings_are_printed_when_a_layout_error_fails_the_build(issue_copy, tmp_path):
    article, line = coarse(issue_copy, 150)
    table = issue_copy / "working-together.en.md"
    table.write_text(table.read_text(encoding="utf-8") + "\n| a | b | c | d | e | f | g | h |\n|---|---|---|---|---|---|---|---|\n|"
                     + " Supercalifragilistic |" * 8 + "\n", encoding="utf-8")
    result = build_here("pdf", str(issue_copy), "-o", str(tmp_path / "out"))
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert any(entry.startswith(f"{rel(table)}:{line_of(table, '| Supercalifragilistic')}: error: ") and "wider than its column" in entry
               for entry in lines), result.stderr
    assert f"{rel(article)}:{line}: warning: image 'images/iraq-team.jpg' is 150 ppi at its printed width of 85 mm: " \
           "300 wanted  [image.ppi]" in lines
    assert sum(": note: " in entry for entry in lines) == len(one_language(issue_copy))


SEVERITY = {"error": 0, "warning": 1, "note": 2}


def test_diagnostics_are_sorted_by_file_and_line_the_same_on_every_run(issue_copy):
    # Problems in several files, out of order: a warning, errors, notes.
    coarse(issue_copy, 150)
    for name, old, new in (("working-together.zh.md", "images/who-briefing.jpg", "images/gone.jpg"),
                           ("knowledge-sharing.zh.md", "1100多篇[^1]", "1100多篇[^1][^7]"),
                           ("global-fight.zh.md", "date: 2020-04-04", "dtae: 2020-04-04"),
                           ("issue.yaml", "publisher:", "publsher:")):
        path = issue_copy / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    # Each in a process of its own, as an editor runs it: with its own hash seed, which an order
    # taken from a set would follow.
    runs = [run_build("check", str(issue_copy)) for _ in range(3)]
    assert all(run.returncode == 1 for run in runs)
    assert runs[0].stderr == runs[1].stderr == runs[2].stderr
    found = []
    for entry in runs[0].stderr.splitlines():
        match = re.match(r"(.+?):(?:(\d+):)? (error|warning|note): (.*)", entry)
        assert match, entry
        found.append((match[1], int(match[2] or 0), SEVERITY[match[3]], match[4]))
    assert found == sorted(found)
    assert {severity for *_, severity, _ in found} == {0, 1, 2}
    assert len({path for path, *_ in found}) >= 5


def test_a_reused_build_reports_the_current_folders_paths(tmp_path):
    first, second, out = tmp_path / "a" / "2020-02", tmp_path / "b" / "2020-02", tmp_path / "out"
    shutil.copytree(ISSUE, first)
    result = build_here("pdf", str(first), "-o", str(out))
    assert result.returncode == 0, result.stderr
    written = {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
    shutil.copytree(first, second)
    shutil.rmtree(first)
    again = build_here("pdf", str(second), "-o", str(out))
    assert again.returncode == 0, again.stderr
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")} == written, "the build was not reused"
    expected = sorted(f"{rel(second / path.name)}:1: note: article '{slug}' has no {missing} version: it appears "
                      f"only in the {path.name.split('.')[1]} part and edition  [article.single]"
                      for path, slug, missing in one_language(second))
    assert [entry for entry in again.stderr.splitlines() if ": note: " in entry] == expected
    assert rel(first) not in again.stderr


def test_a_table_too_wide_is_said_at_the_line_of_the_cell_that_makes_it_so(issue_copy, tmp_path):
    """The cell named by its row (the head row first, as in the source) and column, at its own line:
    read back from the page's boxes (data-line), not found by searching for its text."""
    long_number = "3141592653589793238462643383279502884197169399375105820974944592307816406286"
    rows = ["| Item | Value |", "| --- | ---: |", "| a | 1 |", f"| b | {long_number} |", "| c | 2 |"]
    article = issue_copy / "working-together.en.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = build_here("pdf", str(issue_copy), "-o", str(tmp_path / "out"))
    assert result.returncode == 1, result.stderr
    errors = [entry for entry in result.stderr.splitlines() if ": error: " in entry]
    row = next(i for i, text in enumerate(rows, 1) if long_number in text) - 1  # the delimiter row is no row
    column = next(text.strip(" |").split(" | ").index(long_number) + 1 for text in rows if long_number in text)
    assert len(errors) == 1, result.stderr
    assert re.fullmatch(rf"{re.escape(rel(article))}:{line_of(article, long_number)}: error: cell '{long_number[:40]}' "
                        rf"\(row {row}, column {column}\) makes its table wider than its column on page \d+ of "
                        r"2020-02\.pdf: break it, shorten it or make it smaller  \[layout\.overflow\]", errors[0]), errors[0]


# A code as press names one (family.name), and the file names that look like one.
CODE = re.compile(r"[a-z]+\.[a-z]+(?:-[a-z]+)*")
FILE_SUFFIXES = {"py", "json", "conf", "css", "html", "yaml", "md", "pdf", "png", "jpg", "txt", "icc"}


def codes_in(path: Path) -> set[str]:
    """The codes of the file's table of codes: the one whose head starts `| code |`."""
    table = re.search(r"^\| code \|.*?\n((?:\|.*\n)+)", path.read_text(encoding="utf-8"), re.M)
    assert table, f"{path.name} has no table of codes"
    return set(re.findall(r"^\| `([a-z]+\.[a-z-]+)` \|", table[1], re.M))


def test_every_code_press_gives_is_documented_and_every_documented_code_is_given():
    import ast

    given: dict[str, set[str]] = {}
    for module in (ROOT / "press").glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.fullmatch(node.value) \
                    and node.value.rsplit(".", 1)[1] not in FILE_SUFFIXES:
                given.setdefault(node.value, set()).add(module.name)
            if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(node.value, ast.Constant):
                assert CODE.fullmatch(node.value.value), f"{module.name}: {node.value.value!r} is not a code"
    readme, contract = codes_in(ROOT / "README.md"), codes_in(ROOT / "docs" / "format.md")
    assert len(given) > 50, "the codes were not found in press/: has the way they are given changed?"
    assert sorted(set(given) - readme) == [], "codes given by press/ that the README's table leaves out"
    assert sorted(readme - set(given)) == [], "codes in the README's table that press/ never gives"
    assert contract == readme, "docs/format.md's table of codes differs from the README's"


# Sample issues with page warnings of their own, which the make-up cannot mend yet (issue 21):
# strict, so that the day it mends them this says so, and the mark goes.
KNOWN_WARNINGS: dict[str, str] = {}  # none left: the openings' holes are mended (press/makeup.py, _mend_openings)
SAMPLES = [pytest.param(p.name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_WARNINGS[p.name]))
           if p.name in KNOWN_WARNINGS else p.name
           for p in sorted((ROOT / "content").iterdir()) if (p / "issue.yaml").is_file()]


@pytest.mark.parametrize("issue_id", SAMPLES)
def test_a_good_build_prints_its_outputs_and_nothing_else(issue_id, tmp_path, session_build, run_fresh):
    """On stdout the PDFs written, one a line; on stderr only the notes the sources call for (an
    article in one language), never a warning, an engine's log line or a progress message: the same
    from the session's build, which typesets the issue's parts (conftest.session_build; its --press,
    for 2020-02 and 2020-06, adds the press PDF's own warnings), from a fresh copy into a new folder,
    from the PDFs reused, and from the cached parts into another folder."""

    def notes(issue: Path) -> list[str]:
        return sorted(f"{rel(path)}:1: note: article '{slug}' has no {missing} version: it appears only in "
                      f"the {path.name.split('.')[1]} part and edition  [article.single]"
                      for path, slug, missing in one_language(issue))

    # What the press PDF adds (an image short of 300 ppi for print) is test_press's.
    said = [line for line in session_build(issue_id)[1].splitlines() if ".press.pdf" not in line]
    assert said == notes(ROOT / "content" / issue_id)
    issue = tmp_path / issue_id
    shutil.copytree(ROOT / "content" / issue_id, issue)
    expected_notes = notes(issue)
    for out in ("out", "out", "again"):  # a new folder; the PDFs reused; the typeset parts reused
        # All that a new process prints (forked from one that has done the imports, which printed nothing).
        result = run_fresh("pdf", str(issue), "-o", str(tmp_path / out))
        assert result.returncode == 0, result.stderr
        written = sorted(str(path) for path in (tmp_path / out).glob("*.pdf"))
        assert len(written) >= 2 and sorted(result.stdout.splitlines()) == written, result.stdout
        assert result.stderr.splitlines() == expected_notes, result.stderr


def test_what_is_too_wide_in_the_front_matter_is_said_at_its_key(issue_copy, tmp_path):
    """The template gives the title, abstract and source the line of their front-matter key: here
    the title, set across the page (the body's columns break what is too long, the head does not)."""
    article = issue_copy / "working-together.en.md"
    digits = "1234567890" * 30  # no break inside a number
    text = article.read_text(encoding="utf-8")
    assert '\ntitle: "' in text
    article.write_text(text.replace('\ntitle: "', f'\ntitle: "{digits} ', 1), encoding="utf-8")
    result = build_here("pdf", str(issue_copy), "-o", str(tmp_path / "out"))
    assert result.returncode == 1, result.stderr
    errors = [entry for entry in result.stderr.splitlines() if ": error: " in entry]
    assert len(errors) == 1 and re.fullmatch(
        rf"{re.escape(rel(article))}:{line_of(article, 'title: ')}: error: '{digits[:40]}' is wider than its column "
        r"on page \d+ of 2020-02\.pdf: break it, shorten it or make it smaller  \[layout\.overflow\]", errors[0]), result.stderr


def test_a_layout_error_still_writes_the_proof_with_the_fault_marked_on_its_page(issue_copy, tmp_path):
    """No PDF is written, and the run fails; the proof shows the issue as set, the page at fault
    marked with the error as printed, so that the editor sees what is too wide."""
    long_number = "3141592653589793238462643383279502884197169399375105820974944592307816406286"
    article = issue_copy / "working-together.en.md"
    article.write_text(article.read_text(encoding="utf-8") + f"\n| Item | Value |\n| --- | ---: |\n| b | {long_number} |\n",
                       encoding="utf-8")
    out = tmp_path / "out"
    result = build_here("proof", str(issue_copy), "-o", str(out))
    assert result.returncode == 1, result.stderr
    errors = [entry for entry in result.stderr.splitlines() if ": error: " in entry]
    assert len(errors) == 1, result.stderr
    page = int(re.search(r" on page (\d+) of 2020-02\.pdf", errors[0])[1])
    assert list(out.rglob("*.pdf")) == [out / "proof" / "draft.pdf"], "a failed build wrote a PDF among the outputs"
    html = (out / "proof" / "index.html").read_text(encoding="utf-8")
    figures = re.findall(r'<figure class="page( fault)?" id="page-(\d+)">.*?</figure>', html, re.S)
    assert len(figures) == len(list((out / "proof" / "pages").glob("p*.jpg"))) >= page
    assert [int(number) for fault, number in figures if fault] == [page]
    marked = re.search(rf'<figure class="page fault" id="page-{page}">.*?</figure>', html, re.S)[0]
    message = errors[0].split(": error: ", 1)[1].split("  [")[0]
    assert message in html_module.unescape(marked), marked


def rune_face(character: str) -> bytes:
    """A face of one glyph (a box) for `character`: what an editor adds to fonts/extra/."""
    import io

    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "box"])
    builder.setupCharacterMap({ord(character): "box"})
    pen = TTGlyphPen(None)
    pen.moveTo((100, 0))
    pen.lineTo((500, 0))
    pen.lineTo((500, 700))
    pen.closePath()
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "box": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (600, 0), "box": (600, 100)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Press Test Rune", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()


def test_a_face_added_to_fonts_extra_or_taken_away_is_seen_by_the_next_check(tmp_path):
    """What the faces can draw is kept in the cache folder from one run to the next (press/preflight.py,
    _drawable), by the state of every face: a face added to fonts/extra/ draws its characters at the
    next check, and once it is taken away they are errors again, each state's record kept."""
    from conftest import small_issue

    project = tmp_path / "project"
    (project / "fonts" / "extra").mkdir(parents=True)
    for entry in (ROOT / "fonts").iterdir():
        if entry.name != "extra":
            (project / "fonts" / entry.name).symlink_to(entry)
    for name in ("templates", "styles"):
        (project / name).symlink_to(ROOT / name)
    rune = "\u16a0"
    issue = small_issue(project / "content" / "runes", {"runes.en.md": f"---\ntitle: Runes\n---\n\nThe rune {rune}.\n"})
    article, cache = issue / "runes.en.md", tmp_path / "cache"
    missing = [f"{os.path.relpath(article, project)}:{line_of(article, rune)}: error: no font can draw {rune!r} "
               f"(U+16A0 {unicodedata.name(rune)}): put a font that has it, with its licence, in fonts/extra/ "
               "(see fonts/README.md)  [glyph.missing]"]

    def errors_of_check() -> list[str]:
        result = build_here("check", str(issue), cwd=project, env={"PRESS_CACHE_DIR": str(cache)})
        errors = [entry for entry in result.stderr.splitlines() if ": error: " in entry]
        assert result.returncode == (1 if errors else 0) and "Traceback" not in result.stderr, result.stderr
        return errors

    assert errors_of_check() == missing
    assert len(list((cache / "coverage").iterdir())) == 1
    (project / "fonts" / "extra" / "PressTestRune.ttf").write_bytes(rune_face(rune))
    assert errors_of_check() == []
    (project / "fonts" / "extra" / "PressTestRune.ttf").unlink()
    assert errors_of_check() == missing
    assert len(list((cache / "coverage").iterdir())) == 2  # the faces without the rune, and with it
