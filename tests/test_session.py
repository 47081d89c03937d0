"""One session: what a process keeps from one build to the next lives in press.session.Session,
passed down, and nowhere else in press/ (issue 24: no module-level caches)."""

from __future__ import annotations

import ast
from dataclasses import replace

from press.issue import load_issue
from press.markup import to_html
from press.session import Memo, Session

from conftest import ISSUE, ROOT

# Module-level names that hold a mutable value and are not caches: constants never written
# after import (tables of characters, labels, keys), and what is by nature one per process.
ALLOWED = {
    # Constants: tables read, never written.
    ("blocks", "NAMES"), ("fonts", "BASE_CHARS"), ("inks", "_FLAT"), ("issue", "ISSUE_KEYS"),
    ("issue", "COVER_KEYS"), ("issue", "FRONT_KEYS"), ("makeup", "HEADINGS"), ("makeup", "TEXT"),
    ("manifest", "IMAGE_SUFFIXES"), ("markup", "ALLOWED_ATTRS"), ("markup", "BREAK_AFTER"),
    ("markup", "BREAK_BEFORE"), ("markup", "TRANSPARENT"), ("pagerules", "NOTE_CALL"),
    ("patches", "WRITTEN_FOR"), ("patches", "PACKAGE_NAMES"), ("preflight", "IMAGE_SUFFIXES"),
    ("preflight", "_PREPARED"), ("quantities", "MONTHS"), ("quantities", "SEASONS"), ("quantities", "NOT_NAMES"),
    ("quantities", "ZH_UNITS"), ("quantities", "EN_UNITS"), ("quantities", "ZH_DIGIT"), ("quantities", "EN_WORDS"),
    ("render", "LANG_TAGS"), ("render", "LABELS"), ("typeset", "TEXT_SOURCES"),
    # One per process by nature: WeasyPrint's functions, once patched, are patched for the process;
    # the counter that makes temporary names unique; the handler WeasyPrint's log goes to, and the
    # lock that keeps WeasyPrint to one part at a time in the process.
    ("patches", "_INSTALLED"), ("output", "_SERIAL"), ("typeset", "_ENGINE_LOG"), ("typeset", "_IN_PROCESS"),
}
# Memoised pure functions: the value is a function of the arguments alone (no file, no time), so
# nothing kept can be stale; bounded, and the same in every session.
PURE = {
    ("blocks", "_parser"),  # the one Markdown parser, made on first use
    ("composition", "_gaps"), ("issue", "_line_starts"),  # of a string
    ("manifest", "environment"),  # the installed packages and libraries: what this process loaded
    ("pagerules", "_as_drawn"),  # of a PDF's bytes (the tests' page checker)
    ("pagerules", "_lines_drawn"),  # of a page of a PDF's bytes, the same
}
MUTABLE_CALLS = {"dict", "list", "set", "Counter", "defaultdict", "OrderedDict", "deque", "bytearray"}
# What a module-level call may make and still be a constant: anything else made at import (a
# scratch document, a registry) is an object that each use may change, and is state.
VALUE_CALLS = {"id", "compile", "frozenset", "MappingProxyType", "getLogger", "object", "TypeVar", "read_bytes", "Path",
               "Params", "Claim", "Patch"}  # the last three: frozen dataclasses
MUTABLE_NODES = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)
CACHES = {"lru_cache", "cache"}


def module_state(source: str) -> tuple[set[str], set[str], list[int]]:
    """The module-level names bound to a mutable value, the functions with a cache decorator,
    and the lines of `global` statements."""
    tree = ast.parse(source)
    mutable, cached, globals_ = set(), set(), []
    for node in tree.body:
        targets, value = [], None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        if value is not None and any(_mutable(v) for v in (value.elts if isinstance(value, ast.Tuple) else [value])):
            mutable.update(ast.unparse(target) for target in targets)
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            globals_.append(node.lineno)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                called = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
                if name in CACHES:
                    cached.add(node.name)
    return mutable, cached, globals_


def _mutable(value: ast.expr) -> bool:
    if isinstance(value, ast.BinOp):  # {…} | {…}, […] + […]
        return _mutable(value.left) or _mutable(value.right)
    if not isinstance(value, ast.Call):
        return isinstance(value, MUTABLE_NODES)
    called = value.func.id if isinstance(value.func, ast.Name) else getattr(value.func, "attr", None)
    return called in MUTABLE_CALLS or called not in VALUE_CALLS


def test_press_keeps_no_state_in_its_modules():
    found, seen = [], set()
    for path in sorted((ROOT / "press").glob("*.py")):
        mutable, cached, globals_ = module_state(path.read_text(encoding="utf-8"))
        found += [f"{path.name}: {name} is a module-level mutable value" for name in mutable
                  if (path.stem, name) not in ALLOWED]
        found += [f"{path.name}: {name} has a cache decorator" for name in cached if (path.stem, name) not in PURE]
        found += [f"{path.name}:{line}: a global statement" for line in globals_]
        seen |= {(path.stem, name) for name in mutable | cached}
    assert not found, "\n".join(found) + "\n(keep it in press.session.Session, passed down)"
    assert (ALLOWED | PURE) <= seen, f"allowed, but gone: {sorted((ALLOWED | PURE) - seen)}"  # the list stays true


def test_the_scan_sees_each_kind_of_module_state():
    source = ("from functools import lru_cache, cache\nKNOWN: dict = {}\nSEEN = set()\nA, B = [], []\nC = {} | {}\n"
              "@lru_cache(maxsize=1)\ndef f(): pass\n@cache\ndef g(): pass\n"
              "def h():\n    global KNOWN\n    KNOWN = {}\n"
              "D = pikepdf.Pdf.new()\nE = re.compile('x')\nF = frozenset('ab')\n")
    mutable, cached, globals_ = module_state(source)
    assert mutable == {"KNOWN", "SEEN", "(A, B)", "C", "D"} and cached == {"f", "g"} and globals_ == [11]


def test_a_build_keeps_what_the_last_build_used_and_drops_the_rest():
    memo, made = Memo(), []

    def make(value: str):
        return lambda: made.append(value) or value

    memo.new_build()
    assert memo.get("a", make("a")) == "a" and memo.get("b", make("b")) == "b"
    memo.new_build()
    assert memo.get("a", make("a again")) == "a"  # used by the last build: kept
    memo.new_build()  # "b" was not used by the build just done
    assert memo.get("b", make("b again")) == "b again"
    assert memo.get("a", make("a, third")) == "a"
    assert made == ["a", "b", "b again"] and len(memo) == 2


def test_an_article_is_converted_once_per_text_within_a_session():
    """What serve relies on: an article that did not change is not converted again, an edited
    one is (its key is its text); with no session, every call converts."""
    article = load_issue(ISSUE).articles[0]
    session = Session()
    first = to_html(article, session)
    session.new_build()
    assert to_html(article, session) is first
    edited = replace(article, text=article.text + "\nOne more paragraph.\n", body=article.body + "\nOne more paragraph.\n")
    again = to_html(edited, session)
    assert again is not first and "paragraph.</p>" in again.html and "paragraph.</p>" not in first.html
    assert to_html(edited, session) is again
    assert to_html(article) is not to_html(article)


def test_an_article_is_named_by_its_key_alone():
    """Its anchor, note ids, file name and record name are spelled in press/article.py, nowhere else."""
    import re

    spelled = re.compile(r"\{[\w.]*slug\}[.\-+]\{[\w.]*lang\}|\{[\w.]*slug\}\.(zh|en)\.md|note-\{[\w.]*slug")
    found = [f"{path.name}:{n}: {line.strip()}" for path in sorted((ROOT / "press").glob("*.py")) if path.name != "article.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if spelled.search(line)]
    assert not found, "\n".join(found)
