"""The rulebook (press/rules.py) is the one place the typographic rules are written: its sets
against clreq's lists, and the code of press/ read for any other copy of them."""

import ast
import re
import sys
import unicodedata
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from press import composition, linebreak, pagerules, rules  # noqa: E402

PRESS = Path(__file__).resolve().parent.parent / "press"
MODULES = sorted(PRESS.glob("*.py"))


def _imports(path: Path) -> set[str]:
    """The modules of press/ that `path` imports (`from .x import`, `from press.x import`, `from . import x`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level and not module:
                found |= {alias.name for alias in node.names}
            elif node.level or module.startswith("press."):
                found.add(module.removeprefix("press."))
        elif isinstance(node, ast.Import):
            found |= {alias.name.removeprefix("press.") for alias in node.names if alias.name.startswith("press.")}
    return found


def test_layout_imports_nothing_from_the_checker_nor_the_patch_module():
    """The page checker reads the page; the composer, the patches, the text preparation and the
    review take their rules from the rulebook, never from the checker, and nothing but the patch
    installer imports the patch module."""
    for path in MODULES:
        imported = _imports(path)
        if path.stem != "pagerules":
            assert "pagerules" not in imported, f"{path.name} imports the page checker"
        if path.stem != "patches":
            assert "composition" not in imported, f"{path.name} imports the patch module press/composition.py"
    assert _imports(PRESS / "rules.py") == set(), "the rulebook is a leaf: it imports nothing of press"


def test_import_check_sees_an_import():
    """The check above can fail: it finds the imports it looks for."""
    assert {"rules", "linebreak"} <= _imports(PRESS / "paragraphs.py")
    assert "composition" in _imports(PRESS / "patches.py")


_BLOCKS = ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))


def _in_cjk_blocks(char: str) -> bool:
    return any(low <= ord(char) <= high for low, high in _BLOCKS)


def _rule_literals(path: Path) -> list[str]:
    """Where a module writes a character class of its own: a string (not a docstring) holding a
    run of 3 or more Chinese punctuation marks, or a range between two CJK characters (a regex
    class, written as the characters or as \\uXXXX escapes); or a CJK character compared with `<`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    marks = "".join(re.escape(c) for c in sorted(rules.CJK_PUNCTUATION))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), node.value)
            for run in re.findall(f"[{marks}]{{3,}}", text):
                found.append(f"{path.name}:{node.lineno}: the marks {run!r}")
            for a, b in re.findall(r"(.)-(.)", text):
                if _in_cjk_blocks(a) and _in_cjk_blocks(b):
                    found.append(f"{path.name}:{node.lineno}: the range {a}-{b} (U+{ord(a):04X}-U+{ord(b):04X})")
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for op in node.ops):
            for side in (node.left, *node.comparators):
                if isinstance(side, ast.Constant) and isinstance(side.value, str) and len(side.value) == 1 \
                        and _in_cjk_blocks(side.value):
                    found.append(f"{path.name}:{node.lineno}: the bound {side.value!r} (U+{ord(side.value):04X})")
    return found


def test_no_module_but_the_rulebook_writes_a_class_of_chinese_characters():
    found = [problem for path in MODULES if path.stem != "rules" for problem in _rule_literals(path)]
    assert found == []


@pytest.mark.parametrize("source, what", [
    ('X = set("，。、；")\n', "the marks '，。、；'"),
    ('X = r"[\\u3400-\\u9fff]"\n', "the range"),
    ('Y = "[（）《》]"\n', "the marks '（）《》'"),
    ('def f(c):\n    return "\\u3000" <= c <= "\\u303f"\n', "the bound"),
])
def test_the_scan_finds_a_copied_class(tmp_path, source, what):
    """The scan above can fail: each way of writing a class of one's own is found."""
    path = tmp_path / "copy.py"
    path.write_text(source, encoding="utf-8")
    found = _rule_literals(path)
    assert found and what in found[0], found


def test_a_docstring_may_name_marks():
    path = PRESS / "clreq.py"
    assert "，：；！？" in ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert _rule_literals(path) == []


# clreq's lists [#prohibition_rules_for_line_start_end], "basic" level: pause or stop marks, closing
# quotation marks, brackets and book-title marks, connector marks and interpuncts start no line;
# opening quotation marks, brackets and book-title marks end none. GB-style adds: no solidus ends
# a line; strict adds: no two-em dash or ellipsis starts one.
@pytest.mark.parametrize("mark", list("、，。：；！？”’」』）》〉】～·・—…"))
def test_line_start_prohibited(mark):
    assert mark in rules.NO_LINE_START
    assert mark not in rules.NO_LINE_END


@pytest.mark.parametrize("mark", list("“‘「『（《〈【／"))
def test_line_end_prohibited(mark):
    assert mark in rules.NO_LINE_END
    assert mark not in rules.NO_LINE_START


def test_brackets_open_and_close():
    """Each opening bracket is an opening (or initial quotation) mark in Unicode, each closing one a
    closing (or final) mark, and they come in pairs."""
    assert [unicodedata.category(c) for c in rules.OPENING_BRACKETS] == \
        ["Pi" if c in rules.CURLY_QUOTES else "Ps" for c in rules.OPENING_BRACKETS]
    assert [unicodedata.category(c) for c in rules.CLOSING_BRACKETS] == \
        ["Pf" if c in rules.CURLY_QUOTES else "Pe" for c in rules.CLOSING_BRACKETS]
    assert len(rules.OPENING_BRACKETS) == len(rules.CLOSING_BRACKETS)
    assert set(rules.OPENING_BRACKETS) <= rules.NO_LINE_END
    assert set(rules.CLOSING_BRACKETS) <= rules.NO_LINE_START


def test_half_blank_marks_are_the_pause_stop_and_bracket_marks():
    """[#h-punctuation_adjustment_space]: what the punctuation pairs compress; not the dashes, the
    ellipsis or the interpuncts, whose ink is centred."""
    assert rules.HALF_BLANK_MARKS == set(rules.PAUSE_OR_STOP + rules.OPENING_BRACKETS + rules.CLOSING_BRACKETS)
    assert not rules.HALF_BLANK_MARKS & set(rules.INSEPARABLE + rules.INTERPUNCTS)
    assert rules.HALF_BLANK_MARKS <= rules.CJK_PUNCTUATION


def test_ideographs_of_the_symbols_block_are_no_punctuation():
    """〇 and 々 stand in the CJK Symbols and Punctuation block but are set as Han characters: a
    justified line widens the gaps beside them ([#principles_of_arrangement_of_han_characters])."""
    assert "〇" not in rules.CJK_PUNCTUATION and "々" not in rules.CJK_PUNCTUATION
    assert rules.is_cjk("〇") and rules.is_cjk("中") and rules.is_cjk("，") and not rules.is_cjk("A")
    assert composition._gaps("二〇二〇年") == (0, 1, 2, 3)
    assert composition._gaps("，。") == ()  # two marks: a 'chws' pair stays tight


def test_the_composer_the_patches_and_the_checker_share_one_rulebook():
    assert linebreak.NO_LINE_START is pagerules.NO_LINE_START is rules.NO_LINE_START
    assert linebreak.NO_LINE_END is pagerules.NO_LINE_END is rules.NO_LINE_END
    assert linebreak.OPENING_MARKS is composition.OPENING_MARKS is pagerules.OPENING_MARKS
    assert linebreak.CJK_STRETCH == composition.MAX_SPACING == rules.MAX_SPACING
    assert linebreak.Params().max_hyphen_run == composition.MAX_HYPHENATED_LINES == rules.MAX_HYPHENATED_LINES


def test_the_composer_breaks_where_the_rulebook_allows():
    """A line of 3 em over 、「甲」乙: no break before 、 or 」, nor after 「."""
    text = "甲、「乙」丙丁"
    paragraph = linebreak.chinese(text, [float(i) for i in range(len(text) + 1)], 1.0)
    starts = {s for s in paragraph.starts if s is not None and s < len(text)}
    assert starts == {2, 5, 6}, starts
