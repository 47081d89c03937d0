"""A corpus of bad and hostile inputs (tests/bad_inputs.yaml): exact error lines, exit status, no traceback."""

from __future__ import annotations

import ast
import io
import os
import re
import struct
import subprocess
import zlib
from pathlib import Path

import pypdf
import pytest
import yaml
from PIL import Image

from conftest import ROOT
from pdftext import pages_with

import build  # noqa: E402

CASES = yaml.safe_load((Path(__file__).parent / "bad_inputs.yaml").read_text(encoding="utf-8"))


def png_header(path: Path, width: int, height: int) -> None:
    """A PNG that claims a size in its header and holds no pixels: what a bomb looks like before decoding."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
                     + struct.pack(">I", zlib.crc32(chunk)) + b"\x00\x00\x00\x00IEND\xaeB`\x82")


def repeat(text: str) -> str:
    """<<X*N>> stands for N copies of X: nesting thousands deep, names too long, in a line of YAML."""
    return re.sub(r"<<(.+?)\*(\d+)>>", lambda m: m[1] * int(m[2]), text)


def apply(edit: dict, issue: Path) -> None:
    edit = {key: [repeat(v) if isinstance(v, str) else v for v in value] if isinstance(value, list)
            else repeat(value) if isinstance(value, str) else value for key, value in edit.items()}
    if "png_header" in edit:
        name, width, height = edit["png_header"]
        png_header(issue / name, width, height)
    if "jpeg" in edit:
        name, width, height, *mode = edit["jpeg"]
        mode = mode[0] if mode else "RGB"
        Image.new(mode, (width, height), (90, 120, 160, 0)[:len(mode)]).save(issue / name, quality=80)
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
    if "mkdir" in edit:  # a folder where a file should be
        (issue / edit["mkdir"]).unlink(missing_ok=True)
        (issue / edit["mkdir"]).mkdir()
    if "fifo" in edit:  # a named pipe: reading it would wait forever
        (issue / edit["fifo"]).unlink(missing_ok=True)
        os.mkfifo(issue / edit["fifo"])
    if "write_bytes" in edit:
        name, data = edit["write_bytes"]
        (issue / name).write_bytes(data)
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


def expand(line: str, issue: Path, edit: dict, out: Path | None = None, earlier: dict[str, bytes] | None = None) -> str:
    line = repeat(line)
    if "{last_page:" in line:
        name = line.split("{last_page:", 1)[1].split("}", 1)[0]
        line = line.replace("{last_page:" + name + "}", str(len(pypdf.PdfReader(io.BytesIO(earlier[name])).pages)))
    if "{page:" in line:  # {page:PDF:words}: the page of that PDF of the run that prints the words
        name, words = line.split("{page:", 1)[1].split("}", 1)[0].split(":", 1)
        pages = pages_with(out / name, words)
        assert len(pages) == 1, (name, words, pages)
        line = line.replace("{page:" + name + ":" + words + "}", str(pages[0] + 1))
    if "{line:" in line:
        needle = line.split("{line:", 1)[1].split("}", 1)[0]
        # The line is looked up in the file the message names (read leniently: it may not be UTF-8).
        name = line.split("{issue}/", 1)[1].split(":", 1)[0] if "{issue}/" in line else edit["file"]
        source = (issue / name).read_bytes().decode("utf-8", errors="replace").split("\n")
        number = next(i for i, text in enumerate(source, 1) if needle in text)
        line = line.replace("{line:" + needle + "}", str(number))
    if out is not None:
        line = line.replace("{out}", os.path.relpath(out, ROOT))
    return line.replace("{issue}", os.path.relpath(issue, ROOT))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}


# The modules that judge an issue's files, and the messages of theirs (an example of each) that
# no case here can make, and why.
JUDGES = ("issue", "markup", "preflight", "output")
ELSEWHERE = {
    "cannot be read: Permission denied": "a file the system refuses to read: the tests run as root, who reads any",
    "cannot be written: No space left on device": "test_output.py (a full disk)",
}


def message_patterns(module: str) -> list[tuple[int, str]]:
    """(line, regular expression) of each message given as error(path, line, message),
    warning(…), PressError.at(…) or _unreadable(…) in press/MODULE.py: f-string parts match anything."""
    def pattern(node) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return re.escape(node.value)
        if isinstance(node, ast.JoinedStr):
            return "".join(re.escape(v.value) if isinstance(v, ast.Constant) else ".*" for v in node.values)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = pattern(node.left), pattern(node.right)
            return None if left is None or right is None else left + right
        return None  # a message made elsewhere (a variable): its words are in the cases of its maker

    found = []
    for call in ast.walk(ast.parse((ROOT / "press" / f"{module}.py").read_text(encoding="utf-8"))):
        name = getattr(call.func, "attr", getattr(call.func, "id", None)) if isinstance(call, ast.Call) else None
        if name in ("error", "warning", "at", "_unreadable") and len(call.args) >= 3:
            if (regex := pattern(call.args[2])) is not None:
                found.append((call.lineno, regex))
    return found


def test_every_message_has_a_case():
    """Each message the loader, the Markdown reader, preflight and the output writer can give is
    printed by some case of the corpus (or is made by another test, named in ELSEWHERE)."""
    said = [re.split(r": (?:error|warning): ", line, maxsplit=1)[-1]
            for case in CASES for line in case["expect"] + case.get("warnings", [])] + list(ELSEWHERE)
    patterns = [(f"press/{module}.py:{line}", regex) for module in JUDGES for line, regex in message_patterns(module)]
    assert len(patterns) > 30, "the messages were not found in press/: has the way they are made changed?"
    missing = [f"{where}: {regex}" for where, regex in patterns if not any(re.fullmatch(regex, s) for s in said)]
    assert not missing, "no case in tests/bad_inputs.yaml says:\n" + "\n".join(missing)


@pytest.fixture(scope="module")
def earlier(built) -> dict[str, bytes]:
    """The good output of an earlier build: a failed run must leave it as it was."""
    return snapshot(built)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(case, issue_copy, tmp_path, monkeypatch, capsys, earlier):
    """Run as the editor would: a failing case as `pdf`, into a folder that holds an earlier good
    build, which must come out untouched; a case that passes as `check`, unless it says."""
    apply(case["edit"], issue_copy)
    monkeypatch.chdir(ROOT)
    fails = case.get("exit", 1) != 0
    command = case.get("command", ["pdf"] if fails else ["check"])
    out = tmp_path / "out"
    if case.get("out") == "file":  # -o names a file
        out.write_bytes(b"an earlier file")
        target = out
    elif case.get("out") == "dangling":  # -o names a link to nothing
        out.symlink_to(tmp_path / "gone")
        target = out
    elif case.get("out") == "too_long":  # -o names a folder whose name the file system cannot hold
        target = out = tmp_path / ("o" * 300)
    elif case.get("out") == "under_file":  # -o names a folder inside a file
        out.write_bytes(b"an earlier file")
        target = out / "sub"
    else:
        out.mkdir()
        for name, data in earlier.items():
            (out / name).write_bytes(data)
        if "out_folder" in case:  # a folder where an output file goes
            (out / case["out_folder"]).unlink(missing_ok=True)
            (out / case["out_folder"]).mkdir()
        target = out
    before, made = _state(out)
    issue = issue_copy / case["issue"] if "issue" in case else issue_copy
    argv = [*command, str(issue)] + (["-o", str(target)] if command[0] == "pdf" else [])
    status = build.main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    assert status == case.get("exit", 1), err
    said = [_coded(line) for line in err.splitlines()]
    errors = [text for text, _ in said if ": error: " in text]
    assert errors == [expand(line, issue_copy, case["edit"], out, earlier) for line in case["expect"]], err
    codes = [code for text, code in said if ": error: " in text]
    if "warnings" in case:
        # The page make-up's own warnings (holes, tails, endings: tests/test_composition.py) say
        # how the issue's pages fall, which no case here is about.
        warnings = [text for text, code in said if ": warning: " in text and code not in PAGE_WARNINGS]
        assert warnings == [expand(line, issue_copy, case["edit"], out) for line in case["warnings"]], err
        codes += [code for text, code in said if ": warning: " in text and code not in PAGE_WARNINGS]
    if "notes" in case:
        notes = [text for text, _ in said if ": note: " in text]
        assert notes == [expand(line, issue_copy, case["edit"], out) for line in case["notes"]], err
        codes += [code for text, code in said if ": note: " in text]
    # Every line of the case says its code (tests/bad_inputs.yaml: one code for all its lines, or one a line).
    expected = case["code"] if isinstance(case["code"], list) else [case["code"]] * len(codes)
    assert codes == expected, err
    if fails and command[0] == "pdf":
        assert _state(out) == (before, made), "a failed run changed the earlier output"


PAGE_WARNINGS = {"layout.hole", "layout.tail", "layout.unbalanced"}


def _coded(line: str) -> tuple[str, str | None]:
    """A printed problem without its code, and the code: `PATH:LINE: error: MESSAGE  [CODE]`."""
    match = re.fullmatch(r"(.*?)  \[([a-z]+(?:\.[a-z-]+)+)\]", line)
    return (match[1], match[2]) if match else (line, None)


def _state(out: Path) -> tuple[object, bool]:
    """What is at `out`: a file's bytes or a folder's files, and whether anything is there."""
    try:
        return (out.read_bytes() if out.is_file() else snapshot(out)), out.exists() or out.is_symlink()
    except OSError:  # a name the file system cannot hold: nothing can be there
        return {}, False


def test_a_link_to_another_article_leads_to_its_first_page(tmp_path, monkeypatch, capsys):
    """A link in a note to a sibling article's file once became a link to the sandbox host
    (https://press.invalid/issue/share-solutions.zh.md): now it leads to that article's first
    page, and the sandbox host is nowhere in any PDF. A small issue of two articles, the link in
    the later one to the earlier, as in 2020-02 (global-fight.zh to share-solutions.zh): the
    link is the point, not the issue's pages."""
    from conftest import small_issue
    from pdftext import pages_with

    share = "---\ntitle: 积极沟通 合作共享 中国助力全球战疫\n---\n中国愿将新冠疫情治理方案毫无保留地与其他国家分享。\n"
    fight = "---\ntitle: 携手抗疫\n---\n面对疫情，各国守望相助。\n\n见注释[^l]。\n\n" \
            "[^l]: 另见[《分享方案》](share-solutions.zh.md)。\n"
    fight_en = "---\ntitle: Fighting together\n---\nCountries stand by each other.\n\nSee the note[^l].\n\n" \
               "[^l]: See also [Sharing](share-solutions.en.md).\n"
    share_en = "---\ntitle: Sharing\n---\nChina will share its experience of treatment.\n"
    issue = small_issue(tmp_path / "tiny", {"share-solutions.zh.md": share, "share-solutions.en.md": share_en,
                                            "global-fight.zh.md": fight, "global-fight.en.md": fight_en})
    monkeypatch.chdir(ROOT)
    out = tmp_path / "out"
    assert build.main(["pdf", str(issue), "-o", str(out)]) == 0, capsys.readouterr().err
    for name in ("tiny.pdf", "tiny.zh.pdf"):
        reader = pypdf.PdfReader(out / name)
        [note_page] = pages_with(out / name, "另见《分享方案》")
        # The article's first page: its title is also on the contents page, which is not it.
        share_pages = set(pages_with(out / name, "积极沟通合作共享中国助力全球战疫")) - set(pages_with(out / name, "目录"))
        numbers = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
        targets = [numbers[annot.get_object()["/Dest"][0].idnum]
                   for annot in reader.pages[note_page].get("/Annots", []) if "/Dest" in annot.get_object()]
        assert share_pages and note_page not in share_pages, (name, share_pages, note_page)
        assert min(share_pages) in targets, (name, share_pages, targets)
    for name in ("tiny.pdf", "tiny.zh.pdf", "tiny.en.pdf"):
        subprocess.run(["mutool", "clean", "-d", str(out / name), str(tmp_path / "plain.pdf")], check=True)
        assert b"press.invalid" not in (tmp_path / "plain.pdf").read_bytes(), name


def test_a_build_whose_sources_do_not_parse_never_imports_weasyprint(issue_copy, tmp_path, monkeypatch, capsys):
    """The first typesetting worker is forked as a build starts and imports WeasyPrint only once the
    sources have parsed without an error (press/pipeline.py): a build that fails there, as most bad
    inputs do, costs no import. Each worker's warm-up, which imports it, leaves a mark here."""
    import press.typeset

    marks, warm_up = tmp_path / "warm-ups", press.typeset._warm_up

    def marked(*args):
        marks.mkdir(exist_ok=True)
        (marks / str(os.getpid())).touch()
        return warm_up(*args)

    monkeypatch.setattr(press.typeset, "_warm_up", marked)
    monkeypatch.chdir(ROOT)
    article = issue_copy / "global-fight.zh.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("date: 2020-04-04", "date: [2020-04-04", 1), encoding="utf-8")
    assert build.main(["pdf", str(issue_copy), "-o", str(tmp_path / "out")]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert len(errors) == 1 and "error: YAML syntax: " in errors[0], errors
    assert not marks.exists(), "a worker imported WeasyPrint for a build that failed on its sources"
