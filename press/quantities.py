"""The numbers and dates of a block, normalised so that the two languages compare.

Chinese and English write the same quantity differently: 270 万 and 2.7 million,
20 多万 and over 200,000, 1.2 亿 and 120 million, 1099 and 1,099; 2020 年 3 月 27 日,
27 March 2020 and 2020-03-27. Each is read into a value; "多", "余", "more than",
"over" make a number approximate, which is not a difference. Numbers written in
digits must be found on the other side; numbers written in words (三个方面, three
aspects) only help to find them, since translators spell them out or not at will.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MONTHS = {name: i for i, names in enumerate(
    ("january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
     "august aug", "september sep sept", "october oct", "november nov", "december dec"), start=1)
    for name in names.split()}
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_ORD = r"(?:st|nd|rd|th)?"
ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
# A range of days in one month: 3 月 27 日至 29 日, 27-29 March, March 27 to 29.
ZH_DAYS = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*[至到~～—–-]\s*(\d{1,2})\s*[日号]")
EN_DAYS = (re.compile(rf"\b(\d{{1,2}}){_ORD}\s*(?:[-–—]|to)\s*(\d{{1,2}}){_ORD}\s+{_MONTH}(?:,?\s+(\d{{4}}))?"),
           re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}){_ORD}\s*(?:[-–—]|to)\s*(\d{{1,2}}){_ORD}\b(?:,?\s+(\d{{4}}))?"))
ZH_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(?:(\d{1,2})\s*[日号])?")
EN_DATES = (  # (pattern, which groups hold year, month, day)
    (re.compile(rf"\b(\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH}(?:,?\s+(\d{{4}}))?"), (3, 2, 1)),
    (re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}){_ORD}\b(?:,?\s+(\d{{4}}))?"), (3, 1, 2)),
    (re.compile(rf"\b{_MONTH}\s+(?:of\s+)?(\d{{4}})"), (2, 1, None)),
    # A month alone; not "May", which is more often a verb, nor a month in a name (Long March-5).
    (re.compile(r"(?<!Long )\b(January|February|March|April|June|July|August|September|October|November|December)\b"
                r"(?![-‐]\d)"),
     (None, 1, None)),
)
# A number not glued to a name: COVID-19, H1N1, SARS-CoV-2 and note labels hold digits that are not quantities.
_DIGITS = r"(?<![A-Za-z0-9,])(?<!\d\.)(?<![A-Za-z]-)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
ZH_NUMBER = re.compile(_DIGITS + r"\s*([多余几]?)\s*([十百千万亿]{0,2})\s*([多余]?)")
EN_NUMBER = re.compile(_DIGITS + r"(?:st|nd|rd|th)?(?![A-Za-z\d])(?:\s*(hundred|thousand|million|billion|trillion)\b)?")
ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
EN_UNITS = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12}
ZH_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
ZH_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
EN_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())} | {
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "thousand": 1000, "dozen": 12, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
EN_WORD = re.compile(r"\b(" + "|".join(EN_WORDS) + r")(?:\s+(hundred|thousand|million|billion))?\b", re.I)


@dataclass(frozen=True)
class Date:
    year: int | None
    month: int
    day: int | None
    written: str

    def matches(self, other: "Date") -> bool:
        """Equal where both say something: 3 月 26 日 (no year) is 26 March 2020."""
        return self.month == other.month and all(a is None or b is None or a == b
                                                 for a, b in ((self.year, other.year), (self.day, other.day)))


@dataclass(frozen=True)
class Quantities:
    numbers: tuple[tuple[Decimal, str], ...]  # written in digits: (value, as written)
    words: frozenset[Decimal]  # written in words
    dates: tuple[Date, ...]


def quantities(text: str, lang: str, drop: tuple[str, ...] = ()) -> Quantities:
    """The numbers and dates of a block's text; `drop` are parts (addresses) that hold digits but no quantity."""
    text = unicodedata.normalize("NFKC", text)
    for part in drop:
        text = text.replace(unicodedata.normalize("NFKC", part), " ")
    dates: list[Date] = []

    def take(match: re.Match, year, month, day) -> str:
        month_value = MONTHS.get(month.lower().rstrip(".")) if month and not month.isdigit() else int(month)
        if month_value and 1 <= month_value <= 12:
            dates.append(Date(int(year) if year else None, month_value, int(day) if day else None, match[0].strip()))
            return " "
        return match[0]

    def days(match: re.Match, year, month, first, last) -> str:
        take(match, year, month, first)
        return take(match, year, month, last)

    text = ISO_DATE.sub(lambda m: take(m, m[1], m[2], m[3]), text)
    if lang == "zh":
        text = ZH_DAYS.sub(lambda m: days(m, m[1], m[2], m[3], m[4]), text)
    else:
        text = EN_DAYS[0].sub(lambda m: days(m, m[4], m[3], m[1], m[2]), text)
        text = EN_DAYS[1].sub(lambda m: days(m, m[4], m[1], m[2], m[3]), text)
    if lang == "zh":
        text = ZH_DATE.sub(lambda m: take(m, m[1], m[2], m[3]), text)
    else:
        for pattern, (y, mo, d) in EN_DATES:
            text = pattern.sub(lambda m: take(m, y and m[y], m[mo], d and m[d]), text)
    return Quantities(tuple(_numbers(text, lang)), frozenset(_words(text, lang)), tuple(dates))


def _numbers(text: str, lang: str) -> list[tuple[Decimal, str]]:
    found = []
    for match in (ZH_NUMBER if lang == "zh" else EN_NUMBER).finditer(text):
        value = _decimal(match[1].replace(",", "") + (match[2] or ""))
        if value is None:
            continue
        if lang == "zh":
            units = match[4]
            if units.endswith("千") and text[match.end():match.end() + 1] in "米克瓦卡帕赫焦":
                units = units[:-1]  # 千米, 千克: kilometres and kilograms, not thousands
            for unit in units:
                value *= ZH_UNITS[unit]
        elif match[3]:
            value *= EN_UNITS[match[3].lower()]
        found.append((value.normalize(), match[0].strip()))
    return found


def _words(text: str, lang: str) -> set[Decimal]:
    if lang == "zh":
        values = {_zh_numeral(m[0]) for m in ZH_NUMERAL.finditer(text)}
        # 百分之五十: a percentage in words
        values |= {_zh_numeral(m[1]) for m in re.finditer(r"百分之([零〇一二两三四五六七八九十百]+)", text)}
        # A unit with no number of its own, as in a table head's （亿元）, is that many: "100 million yuan".
        values |= {Decimal(ZH_UNITS[m[1]]) for m in re.finditer(r"(?:^|[^\d\s零〇一二两三四五六七八九十百千])\s*([万亿])", text)}
    else:
        values = {Decimal(EN_WORDS[m[1].lower()]) * (EN_UNITS[m[2].lower()] if m[2] else 1)
                  for m in EN_WORD.finditer(text)}
    return {v.normalize() for v in values if v is not None}


def _zh_numeral(text: str) -> Decimal | None:
    """三 = 3, 十二 = 12, 二十 = 20, 一百零五 = 105, 七万 = 70000; None for what is not a number."""
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in ZH_DIGIT:
            digit = ZH_DIGIT[ch]
        elif ch in ("十", "百", "千"):
            section += (1 if digit is None else digit) * ZH_UNITS[ch]
            digit = None
        elif ch in ("万", "亿"):
            total = (total + section + (digit or 0)) * ZH_UNITS[ch]
            section, digit = 0, None
    value = total + section + (digit or 0)
    return Decimal(value) if value else None


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def same(value: Decimal, values) -> bool:
    return any(value == other for other in values)
