"""Translation review: the two language versions of each article, aligned block by block and compared.

The alignment anchors on structure (a heading only pairs with a heading, a
figure with a figure, notes go by their number), then on order and length
(a dynamic programme in the manner of Gale and Church, which also considers
a block dropped, added, or two merged into one), then on what survives
translation: numbers, dates, addresses, Latin names. Each aligned pair is
then checked for the mistakes translators make: a different number or date,
a changed address, a name left out, a heading at another level, another
image. Every finding is a warning on the English file's line, naming the
Chinese file's line, e.g.
`x.en.md:22: warning: number 1,000 here but 1099 in x.zh.md (x.zh.md:53: …)`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .blocks import FRONT_FIELDS, NAMES, TEXT_KINDS, Block, split_blocks
from .errors import Problem, warning
from .issue import Article, Issue
from .quantities import quantities
from .rules import HAN, IS_HAN
from .session import Session
from .translation import silence, stale

LABEL = re.compile(r"^\s*[\"“]?(?:(?:\d{1,3}(?:\.\d{1,3})*[.)]|[(（]\d{1,3}[)）]|[a-z][.)]|[(（][a-z][)）])\s|\d{1,3}．)")
SKIP = 4.0  # cost of a block with no counterpart
MERGE = 3.2  # cost of two blocks for one, on top of their length


@dataclass(frozen=True)
class Row:
    """One line of the reading view: blocks that translate each other (none on a side that lacks them)."""
    zh: tuple[Block, ...]
    en: tuple[Block, ...]
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Pair:
    slug: str
    zh: Article | None
    en: Article | None
    rows: tuple[Row, ...]
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Review:
    pairs: tuple[Pair, ...]
    cover: tuple[Problem, ...] = ()  # the cover photos' captions in issue.yaml

    @property
    def problems(self) -> list[Problem]:
        return [*self.cover, *(p for pair in self.pairs for p in pair.problems)]


def review(issue: Issue, session: Session | None = None) -> Review:
    """Every article of the issue as aligned rows, with the parity and stale-translation warnings.
    A process that stays up (serve) aligns again only the pairs that changed (session.compared)."""
    pairs = []
    for slug in issue.slugs:
        zh, en = issue.article(slug, "zh"), issue.article(slug, "en")
        if zh is None or en is None:
            only = zh or en
            if only is not None:
                rows = [Row(*((b,), ()) if only.lang == "zh" else ((), (b,)))
                        for b in _notes_after_calls(split_blocks(only, session))]
                pairs.append(Pair(slug, zh, en, tuple(rows), ()))
            continue
        if session is None:
            rows = _Comparison(zh, en).rows()
        else:
            rows = session.compared.get((zh.path, zh.text, en.text), lambda: _Comparison(zh, en, session).rows())
        rows = [Row(r.zh, r.en, (*r.problems, *more)) for r, more in zip(rows, stale(issue.dir, slug, zh, en, rows, session))]
        rows = silence(issue.dir, slug, rows)
        pairs.append(Pair(slug, zh, en, tuple(rows), tuple(p for r in rows for p in r.problems)))
    return Review(tuple(_caption_hints(pairs)), tuple(_cover_problems(issue)))


def _notes_after_calls(blocks) -> list[Block]:
    """Each note right after the block that first calls it, as the reading view shows them."""
    notes = {b.label: b for b in blocks if b.kind == "note"}
    out = []
    for block in blocks:
        if block.kind == "note":
            continue
        out.append(block)
        out += [notes.pop(label) for label in block.refs if label in notes]
    return out + list(notes.values())


class _Comparison:
    def __init__(self, zh: Article, en: Article, session: Session | None = None):
        self.zh, self.en = zh, en
        self.zh_name, self.en_name = zh.path.name, en.path.name
        zb, eb = split_blocks(zh, session), split_blocks(en, session)
        self.front = ([b for b in zb if b.kind in FRONT_FIELDS or b.kind == "abstract_en"],
                      [b for b in eb if b.kind in FRONT_FIELDS])
        self.body = ([b for b in zb if b.kind not in FRONT_FIELDS and b.kind not in ("note", "abstract_en")],
                     [b for b in eb if b.kind not in FRONT_FIELDS and b.kind != "note"])
        self.notes = ([b for b in zb if b.kind == "note"], [b for b in eb if b.kind == "note"])
        # Notes are numbered in the order they are first called, as on the page.
        self.numbers = tuple({label: i for i, label in enumerate(dict.fromkeys(r for b in body for r in b.refs), 1)}
                             for body in self.body)
        # The alignment weighs each block (and pair of blocks) many times: its length and facts are
        # kept by the block's identity (the blocks live as long as this object), and so is how the
        # facts of two groups agree, which the second alignment (a new ratio) asks again.
        self.lengths: dict[tuple[int, str], float] = {}
        self.facts: dict = {}
        self.matched: dict = {}
        zh_len = sum(self._length(b, "zh") for b in self.body[0] if b.kind in TEXT_KINDS)
        en_len = sum(self._length(b) for b in self.body[1] if b.kind in TEXT_KINDS)
        self.ratio = en_len / zh_len if zh_len and en_len else 3.0
        self.note_map: dict[int, int] = {}  # English note number → Chinese, set by _note_rows
        self.dropped_notes: set[int] = set()  # Chinese notes without an English one: reported once, as such

    def rows(self) -> list[Row]:
        rows = self._front_rows()
        notes = self._note_rows()
        self.path = self._align(*self.body)
        # The ratio again, from the blocks that pair one to one: a dropped block no longer skews it.
        pairs = [(zh[0], en[0]) for zh, en in self.path if len(zh) == len(en) == 1 and zh[0].kind in TEXT_KINDS]
        if pairs:
            ratio = sum(self._length(b) for _, b in pairs) / sum(self._length(a, "zh") for a, _ in pairs)
            if abs(ratio - self.ratio) > 0.01 * self.ratio:
                self.ratio = ratio
                self.path = self._align(*self.body)
        for zh, en in self.path:
            rows.append(self._row(zh, en))
            # A note's row follows the row that calls it.
            called = {self.numbers[0].get(r) for b in zh for r in b.refs} | {self._zh_note(self.numbers[1].get(r, 0))
                                                                             for b in en for r in b.refs}
            for number in sorted(n for n in called if n in notes):
                rows.append(notes.pop(number))
        return rows + [notes[n] for n in sorted(notes)]

    # -- alignment -------------------------------------------------------------------------------

    def _align(self, zh: list[Block], en: list[Block]) -> list[tuple[tuple[Block, ...], tuple[Block, ...]]]:
        """The cheapest sequence of 1-1, 1-0, 0-1, 2-1 and 1-2 steps through both block lists."""
        n, m = len(zh), len(en)
        cost = [[math.inf] * (m + 1) for _ in range(n + 1)]
        step = [[(0, 0)] * (m + 1) for _ in range(n + 1)]
        cost[0][0] = 0.0
        for i in range(n + 1):
            for j in range(m + 1):
                if i == j == 0:
                    continue
                for di, dj in ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2)):
                    if i < di or j < dj or cost[i - di][j - dj] == math.inf:
                        continue
                    c = cost[i - di][j - dj] + self._cost(zh[i - di:i], en[j - dj:j])
                    if c < cost[i][j]:
                        cost[i][j], step[i][j] = c, (di, dj)
        path, i, j = [], n, m
        while i or j:
            di, dj = step[i][j]
            path.append((tuple(zh[i - di:i]), tuple(en[j - dj:j])))
            i, j = i - di, j - dj
        return path[::-1]

    def _cost(self, zh: list[Block], en: list[Block]) -> float:
        if not zh or not en:
            kind = (zh or en)[0].kind
            return SKIP + (1.0 if kind in ("heading", "figure") else 0.0)
        kinds = {b.kind for b in zh} | {b.kind for b in en}
        if len(kinds) > 1:
            return math.inf
        kind = kinds.pop()
        if len(zh) + len(en) > 2 and kind not in TEXT_KINDS:
            return math.inf
        length = self._length_cost(sum(self._length(b, "zh") for b in zh), sum(self._length(b) for b in en))
        key = (*map(id, zh), None, *map(id, en))
        found = self.matched.get(key)
        shared, differ = found if found is not None else self.matched.setdefault(key, _fact_match(zh, en, self.facts))
        content = 1.0 * differ - 0.4 * min(shared, 5)
        if kind == "heading":
            return 0.3 * length + (0.5 if zh[0].level != en[0].level else 0.0) + content
        if kind == "figure":
            return 0.5 * length + (1.0 if zh[0].image != en[0].image else 0.0) + content
        return length + content + (MERGE if len(zh) + len(en) > 2 else 0.0)

    def _facts(self, blocks: tuple[Block, ...], side: str) -> "_Facts":
        """The facts of a group of this pair's own blocks, as the alignment read them."""
        key = (side, *map(id, blocks))
        found = self.facts.get(key)
        return found if found is not None else self.facts.setdefault(key, _Facts(blocks, side))

    def _length(self, block: Block, side: str = "en") -> float:
        key = (id(block), side)
        found = self.lengths.get(key)
        return found if found is not None else self.lengths.setdefault(key, _length(block, side))

    def _length_cost(self, zh_len: int, en_len: int) -> float:
        # The spread of length ratios narrows as texts grow (Gale and Church): short blocks may differ more.
        d = math.log((en_len + 1) / (self.ratio * zh_len + 1))
        sigma = 0.14 + 1.0 / math.sqrt(zh_len + 4)
        return d * d / (2 * sigma * sigma)

    # -- rows and their findings -----------------------------------------------------------------

    def _front_rows(self) -> list[Row]:
        zh, en = ({b.kind: b for b in side} for side in self.front)
        rows = []
        for kind in (*FRONT_FIELDS, "abstract_en"):
            a, b = zh.get(kind), en.get(kind)
            if kind == "abstract_en":
                if a is not None and "abstract" not in en:
                    rows.append(Row((), (a,)))  # the Chinese article's English abstract, where the English one is missing
                continue
            if a is None and b is None:
                continue
            if a is None or b is None:
                where = b.line if b else 1
                problem = self._warn(where, f"front matter '{kind}' is " + (
                    f"not in {self.zh_name}" if a is None else f"missing here but set in {self.zh_name}"),
                    a.line if a else 1, a.text if a else "", "parity.front")
                rows.append(Row((a,) if a else (), (b,) if b else (), (problem,)))
                continue
            rows.append(Row((a,), (b,), tuple(self._compare((a,), (b,)))))
        return rows

    def _note_rows(self) -> dict[int, Row]:
        """Notes aligned as the body is: a dropped note does not shift the others. Each row is keyed by its
        Chinese number (1000 + its English number when it has none)."""
        # In the order they are written: translators keep it, and a note left uncalled keeps its place.
        zh, en = (sorted(notes, key=lambda b: b.line) for notes in self.notes)
        path = self._align(zh, en)
        number = lambda k, b: self.numbers[k].get(b.label, 0)  # noqa: E731
        self.note_map = {number(1, b[0]): number(0, a[0]) for a, b in path if a and b}
        self.dropped_notes = {number(0, a[0]) for a, b in path if a and not b}
        rows = {}
        for k, (a, b) in enumerate(path):
            if a and b:
                rows[number(0, a[0])] = Row(a, b, tuple(self._compare(a, b)))
            elif a:
                after = next((e[0] for _, e in path[k + 1:] if e), None)
                line = after.line if after else self._last_line(1)
                rows[number(0, a[0])] = Row(a, (), (self._warn(line, f"note {number(0, a[0])} of {self.zh_name} has no "
                                                               "counterpart here: dropped?", a[0].line, a[0].text, "parity.note"),))
            else:
                before = next((z[0] for z, _ in path[k + 1:] if z), None)
                rows[1000 + number(1, b[0])] = Row((), b, (self._warn(
                    b[0].line, f"note {number(1, b[0])} has no counterpart in {self.zh_name}",
                    before.line if before else self._last_line(0), "", "parity.note"),))
        return rows

    def _row(self, zh: tuple[Block, ...], en: tuple[Block, ...]) -> Row:
        if not en:
            block = zh[0]
            line = self._en_line_near(block)
            return Row(zh, en, (self._warn(line, f"the {NAMES[block.kind]} at {self.zh_name}:{block.line} has no "
                                                 "counterpart here: dropped?", block.line, block.text, "parity.missing"),))
        if not zh:
            block = en[0]
            near = self._zh_line_near(block)
            return Row(zh, en, (self._warn(block.line, f"this {NAMES[block.kind]} has no counterpart in {self.zh_name}: "
                                                       "added, or is its original missing?", near, "", "parity.added"),))
        problems = []
        if len(zh) > 1:
            problems.append(self._warn(en[0].line, f"this {NAMES[en[0].kind]} translates two of {self.zh_name}: merged? "
                                                   f"(also {self.zh_name}:{zh[1].line})", zh[0].line, zh[0].text, "parity.merged"))
        if len(en) > 1:
            problems.append(self._warn(en[0].line, f"this {NAMES[en[0].kind]} and the next ({self.en_name}:{en[1].line}) "
                                                   f"translate one of {self.zh_name}: split?", zh[0].line, zh[0].text, "parity.split"))
        return Row(zh, en, tuple(problems + self._compare(zh, en)))

    def _compare(self, zh: tuple[Block, ...], en: tuple[Block, ...]) -> list[Problem]:
        a, b = zh[0], en[0]
        at, zline, ztext = b.line, a.line, a.text
        problems = []

        def warn(message: str, code: str) -> None:
            problems.append(self._warn(at, message, zline, ztext, code))

        if a.kind == "heading" and a.level != b.level:
            warn(f"heading level {'#' * b.level} here but {'#' * a.level} in {self.zh_name}:{zline}", "parity.heading")
        if a.kind == "figure" and a.image != b.image:
            warn(f"the figure shows {b.image} here but {a.image} in {self.zh_name}:{zline}", "parity.figure")
        where = f"{self.zh_name}:{zline}"
        cells = [blk.text.split(" | ") for blk in (a, b)] if a.kind == "row" and len(zh) == len(en) == 1 else None
        if cells and len(cells[0]) == len(cells[1]) > 1:
            # A table row cell by cell: columns stand in the same order in both tables.
            columns = [(k, differences(_Facts([Block("row", a.line, zc)], "zh"), _Facts([Block("row", b.line, ec)], "en"),
                                       where)) for k, (zc, ec) in enumerate(zip(*cells), start=1)]
            columns = [(k, found) for k, found in columns if found]
            if len(columns) > 1 and not differences(self._facts(zh, "zh"), self._facts(en, "en"), where):
                # The row holds the same values, in other columns: one finding, not one per column.
                shown = " | ".join(c.strip() for c in cells[1])
                warn(f"columns {_list(k for k, _ in columns)} hold each other's values here ({shown}) "
                     f"but not in {where}: swapped?", "parity.columns")
            row_differs = len(columns) == 1 or differences(self._facts(zh, "zh"), self._facts(en, "en"), where)
            for k, found in columns if row_differs else ():
                for code, message in found:
                    warn(f"column {k}: {message}", code)
        else:
            for code, message in differences(self._facts(zh, "zh"), self._facts(en, "en"), where):
                warn(message, code)
        calls = [sorted(self.numbers[k].get(r, 0) for blk in side for r in blk.refs) for k, side in enumerate((zh, en))]
        if a.kind != "note" and [n for n in calls[0] if n not in self.dropped_notes] != sorted(
                self._zh_note(n) for n in calls[1]):
            warn(f"note call(s) {_list(calls[1]) or 'none'} here but {_list(calls[0]) or 'none'} in {self.zh_name}:{zline}",
                 "parity.call")
        return problems

    def _zh_note(self, en_number: int) -> int:
        """The Chinese number of the note that the English note `en_number` translates."""
        return self.note_map.get(en_number, 1000 + en_number)

    def _warn(self, line: int, message: str, zh_line: int, zh_text: str, code: str) -> Problem:
        excerpt = " ".join(zh_text.split())
        excerpt = excerpt[:24] + "…" if len(excerpt) > 24 else excerpt
        where = f"{self.zh_name}:{zh_line}"
        if where in message:  # already named with its value: the excerpt alone says which block
            return warning(self.en.path, line, f"{message}{' (' + excerpt + ')' if excerpt else ''}", code)
        return warning(self.en.path, line, f"{message} ({where}{': ' + excerpt if excerpt else ''})", code)

    def _last_line(self, side: int) -> int:
        blocks = self.notes[side] or self.body[side]
        return blocks[-1].line if blocks else (self.zh, self.en)[side].body_line

    def _en_line_near(self, zh_block: Block) -> int:
        """Where a dropped block would stand in the English file: at the block after it."""
        for zh, en in self.path:
            if en and zh and zh[0].line > zh_block.line:
                return en[0].line
        return self.body[1][-1].line if self.body[1] else self.en.body_line

    def _zh_line_near(self, en_block: Block) -> int:
        for zh, en in self.path:
            if en and zh and en[0].line > en_block.line:
                return zh[0].line
        return self.body[0][-1].line if self.body[0] else self.zh.body_line


class _Facts:
    """What of a group of blocks survives translation."""

    def __init__(self, blocks: tuple[Block, ...] | list[Block], side: str):
        # A Chinese block is read as Chinese even when Latin names fill most of it; one in English (a source
        # named in English) as English.
        lang = "zh" if side == "zh" and _is_chinese(blocks) else "en"
        self.text = "\n".join(b.text for b in blocks)
        self.urls = [u for b in blocks for u in b.urls]
        # A paragraph's own number (31. …, (a) …) labels it: one side may number and the other not.
        self.q = quantities("\n".join(LABEL.sub("", b.text) for b in blocks), lang, tuple(self.urls))
        self.numbers, self.dates = self.q.numbers, self.q.dates
        # Every value written here, in digits or words: a number of the other side's equal to one is here
        # without the scan of Quantities.has, which made the review of 1,000 numbers a side (a paragraph of
        # 1,000 links) 4 million comparisons.
        self.values = frozenset(n.value for n in self.numbers) | self.q.words
        # A letter that labels an item ((f) …, A. …) or marks a table's note (资源a) is no name to look for;
        # X in X 光机 is.
        # Chinese names standing in an English block (Xu Yi (许燚)) are looked for in the Chinese.
        self.hanzi = re.findall(f"[{HAN}]+", self.text) if lang == "en" else []
        self.latin = ([re.sub(r"(?<=[a-z])\d{4}$", "", w) for b in blocks for w in b.latin_words()  # Name2015年: a year
                      if len(w) > 1 or w.isupper() and not re.search(rf"[(（]{w}[)）]|^{w}[.)\s]", b.text)]
                       if lang == "zh" else [])

    def has(self, number) -> bool:
        """Quantities.has, the same answer: a value equal to the number's matches within any rounding."""
        return number.value in self.values or self.q.has(number)


def differences(zh: "_Facts", en: "_Facts", where: str) -> list[tuple[str, str]]:
    """What the English says otherwise than the Chinese at `where` (file:line): one (code, message) per kind
    of fact, naming the values on both sides."""
    out = []
    missing = [n.written for n in zh.numbers if not en.has(n) and not _one_of_a_kind(n, zh.text)
               and not _relative_year(n, en.text)]
    extra = [n.written for n in en.numbers if not zh.has(n)]
    if missing or extra:
        out.append(("parity.number", _difference("number", extra, missing, where)))
    missing = [d.written for d in zh.dates if not any(d.matches(e) for e in en.dates)]
    extra = [e.written for e in en.dates if not any(e.matches(d) for d in zh.dates)]
    if missing or extra:
        out.append(("parity.date", _difference("date", extra, missing, where)))
    missing = [u for u in zh.urls if u not in en.urls]
    extra = [u for u in en.urls if u not in zh.urls]
    if missing or extra:
        out.append(("parity.address", _difference("address", extra, missing, where)))
    absent = [w for w in zh.latin if not _has_word(en.text, w)]
    if absent:
        out.append(("parity.name", f"{', '.join(repr(w) for w in absent)} of {where} not found here"))
    return out


def _fact_match(zh, en, cache: dict | None = None) -> tuple[int, int]:
    """How many facts of the two sides agree, and how many do not: the alignment's content evidence."""
    cache = {} if cache is None else cache
    a, b = (cache.get(key) or cache.setdefault(key, _Facts(blocks, key[0]))
            for key, blocks in ((("zh", *map(id, zh)), zh), (("en", *map(id, en)), en)))
    return _match(a, b)


def _match(a: "_Facts", b: "_Facts") -> tuple[int, int]:
    shared = differ = 0
    for n in a.numbers:
        if not _one_of_a_kind(n, a.text):
            shared, differ = (shared + 1, differ) if b.has(n) else (shared, differ + 1)
    differ += sum(1 for n in b.numbers if not a.has(n))
    for d in a.dates:
        shared, differ = (shared + 1, differ) if any(d.matches(e) for e in b.dates) else (shared, differ + 1)
    # Latin words go in phrases (a title quoted in English): words missing weigh as one difference, not one each.
    found = [_has_word(b.text, w) for w in a.latin]
    shared, differ = shared + sum(found), differ + (not all(found))
    shared += len(set(a.urls) & set(b.urls))
    found = [w in a.text for w in b.hanzi]
    shared, differ = shared + sum(found), differ + (not all(found))
    return shared, differ


def _one_of_a_kind(number, text: str) -> bool:
    """1 个, 1 名: a count of one, which English says with "a", "the" or the singular alone."""
    return number.value == 1 and re.search(rf"(?<![\d.]){re.escape(number.written)}\s*[个名项份位家所座台件]", text) is not None


def _relative_year(number, english: str) -> bool:
    """A year that the English names from another or from now (2014 … 2013: "the previous year", "this year")."""
    return 1900 <= number.value <= 2100 and re.search(
        r"\b(?:previous|preceding|following|next|same|prior|this|current) year\b|\ba year (?:earlier|later|before)\b"
        r"|\bduring the year\b", english, re.I) is not None


def _is_chinese(blocks) -> bool:
    return any(IS_HAN.search(b.text) for b in blocks)


def _has_word(text: str, word: str) -> bool:
    # An acronym keeps its case (WHO is not "who"); a name may change it at a sentence's start.
    flags = 0 if word.isupper() and len(word) > 1 else re.I
    # P2 is P-2, and a name's words may break differently across lines.
    # Al-Waer is Al Waer.
    pattern = r"\s+".join(re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", "[-‐ ]?", re.escape(part)).replace(r"\-", r"[-‐\s]")
                           for part in word.split())
    return re.search(rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])", text, flags) is not None


def _length(block: Block, side: str = "en") -> float:
    text = "".join(block.text.split())
    if side == "en":
        return len(text) + 1
    # Latin words standing in Chinese text (a title quoted in English) are as long as in the English: a third
    # of their letters is what the Chinese would take for them.
    latin = sum(map(str.isascii, text))
    return len(text) - latin + latin / 3 + 1


def _list(values) -> str:
    return ", ".join(str(v) for v in values)


def _difference(what: str, here: list[str], there: list[str], zh_name: str) -> str:
    if here and there:
        return f"{what} {', '.join(here)} here but {', '.join(there)} in {zh_name}"
    if here:
        return f"{what} {', '.join(here)} here is not in {zh_name}"
    return f"{what} {', '.join(there)} of {zh_name} is missing here"


def _caption_hints(pairs: list[Pair]) -> list[Pair]:
    """A figure whose English caption disagrees with its Chinese one may carry another figure's caption:
    say whose, when another Chinese caption of the issue agrees with it in every fact."""
    figures = [(pair.zh, b) for pair in pairs if pair.zh for row in pair.rows for b in row.zh if b.kind == "figure"]
    out = []
    for pair in pairs:
        rows = []
        for row in pair.rows:
            if row.problems and row.zh and row.en and row.en[0].kind == "figure":
                for article, other in figures:
                    if other is row.zh[0]:
                        continue
                    shared, differ = _fact_match([other], list(row.en))
                    if shared and not differ:
                        hint = (f"its caption matches that of {other.image} at "
                                f"{article.path.name}:{other.line} instead (swapped captions?)")
                        first = row.problems[0]
                        row = Row(row.zh, row.en, (warning(first.path, first.line, f"{first.message}; {hint}", first.code),
                                                   *row.problems[1:]))
                        break
            rows.append(row)
        out.append(Pair(pair.slug, pair.zh, pair.en, tuple(rows), tuple(p for r in rows for p in r.problems)))
    return out


def _cover_problems(issue: Issue) -> list[Problem]:
    """Each cover photo's two captions compared as a figure's are; when the English one agrees with another
    photo's Chinese caption instead, which."""
    facts = [(_Facts([Block("figure", photo.line, photo.caption.zh)], "zh"),
              _Facts([Block("figure", photo.line, photo.caption.en)], "en")) for photo in issue.cover]
    out = []
    for k, (photo, (zh, en)) in enumerate(zip(issue.cover, facts), start=1):
        found = differences(zh, en, f"its Chinese caption ({issue.yaml_path.name}:{photo.line})")
        if not found:
            continue
        message = f"cover photo {k} ({photo.image}), English caption: {'; '.join(m for _, m in found)}"
        for j, (other, (other_zh, _)) in enumerate(zip(issue.cover, facts), start=1):
            if j != k and not differences(other_zh, en, "") and _match(other_zh, en)[0]:
                message += f"; it matches the Chinese caption of cover photo {j} ({other.image}) instead (swapped captions?)"
                break
        out.append(warning(issue.yaml_path, photo.line, message, "parity.cover"))
    return out


def problems_of(issue: Issue, session: Session | None = None) -> list[Problem]:
    """The one entry point of check: every parity and stale-translation warning of the issue."""
    return review(issue, session).problems

