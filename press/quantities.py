"""The numbers, dates and periods of a block, read so that the two languages compare.

Chinese and English write the same quantity differently: 270 万 and 2.7 million,
20 多万 and over 200,000, 19858.3 亿元 and 1,985.83 billion yuan, 1099, 1,099 and
the UN's 1 099; 六成 and 60 %; 2020 年 3 月 27 日, 27 March 2020 and 2020-03-27;
6 月 2 日至 3 日 and 2 and 3 June; 上午 10 时 15 分 and 10.15 a.m.; 90 后 and the
1990s; 21 世纪 and the 21st century; 2020 年春 and spring 2020. Each is read into a
value, a number with the rounding its shown digits allow (2.7 million is anything
from 2.65 to 2.75 million, 2,712,345 is exact), so that a translator may round.
"多", "余", "more than", "over" make a number approximate, which is not a difference.
Letters and digits in one word are a name, not a quantity (5G, 3D, COVID-19,
H1N1, Long March-2F, Chang'e-6, 18A.128), on both sides alike. Numbers written in
digits must be found on the other side; numbers written in words (三个方面, three
aspects) only help to find them, since translators spell them out or not at will.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .rules import HAN

MONTHS = {name: i for i, names in enumerate(
    ("january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
     "august aug", "september sep sept", "october oct", "november nov", "december dec"), start=1)
    for name in names.split()}
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_ORD = r"(?:st|nd|rd|th)?"
_AND = r"(?:[-–—~～]|to|and|through|until)"
ISO_DATE = re.compile(r"(?<![\d.])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d.])")
# A range of days in one month: 3 月 27 日至 29 日, 5 月 13 日和 14 日, 27-29 March, 2 and 3 June, March 27 to 29.
# A list of days in one month: 4 月 22、23、24、29 和 30 日; 19, 20, 23 and 24 March.
ZH_DAY_LIST = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*((?:\d{1,2}\s*[日号]?\s*[、,，和及]\s*)+\d{1,2})\s*[日号]")
EN_DAY_LIST = re.compile(rf"\b((?:\d{{1,2}}{_ORD},\s*)+\d{{1,2}}{_ORD},?\s+(?:and|or)\s+\d{{1,2}}){_ORD}\s+{_MONTH}(?:,?\s+(\d{{4}}))?")
# A range of months: 2014 年 7-8 月, 9 月-10 月
ZH_MONTHS = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*(?:月\s*)?[-–—至到~～]\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])")
ZH_DAYS = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?\s*[至到~～—–\-和及、]\s*(\d{1,2})\s*[日号]")
EN_DAYS = (re.compile(rf"\b(\d{{1,2}}){_ORD}\s*{_AND}\s*(\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH}(?:,?\s+(\d{{4}}))?"),
           re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}){_ORD}\s*{_AND}\s*(\d{{1,2}}){_ORD}\b(?:,?\s+(\d{{4}}))?"))
# A range across months: 26 May-3 June 2015, 27 April to 22 May; May to November 1947, between May and August 2015.
EN_MONTHS = (re.compile(rf"\b(\d{{1,2}}){_ORD}\s+{_MONTH}\s*{_AND}\s*(\d{{1,2}}){_ORD}\s+{_MONTH}(?:,?\s+(\d{{4}}))?"),
             re.compile(rf"\b{_MONTH}\s*{_AND}\s*{_MONTH}(?:,?\s+(\d{{4}}))?"))
# A month in words: 十月事件 (the October events), 三月五日.
ZH_MONTH_WORDS = re.compile(r"(?<![一二三四五六七八九十两几个每])(十[一二]?|[一二三四五六七八九])月(?:份)?"
                            r"(?:([一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])[日号])?")
ZH_DATE = re.compile(r"(?:(\d{4})\s*年\s*(?:度\s*)?)?(\d{1,2})\s*月\s*(?:份\s*)?(?:(\d{1,2})\s*[日号])?")
EN_DATES = (  # (pattern, which groups hold year, month, day)
    # 22 Oct 14: a short month may take a short year, as in tables
    (re.compile(rf"\b(\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH}(?:,?\s+(\d{{4}}|(?<=\b[A-Z][a-z]{{2}} )\d{{2}}(?!\d|%|\.\d)))?"),
     (3, 2, 1)),
    (re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}){_ORD}\b(?!\s*(?:per|%|million|billion))(?:,?\s+(\d{{4}}))?"), (3, 1, 2)),
    (re.compile(rf"\b{_MONTH}\s+(?:of\s+)?(\d{{4}})"), (2, 1, None)),
    (re.compile(r"(?:(?<=of |in |by |to )|(?<=late )|(?<=mid-)|(?<=early )|(?<=since )|(?<=until ))(May)\b(?![-‐]\d)"),
     (None, 1, None)),
    # A month alone; not "May", which is more often a verb, nor a month in a name (Long March-5).
    (re.compile(r"(?<!Long )\b(January|February|March|April|June|July|August|September|October|November|December)\b"
                r"(?![-‐]\d)"),
     (None, 1, None)),
)
# Times of day: 上午 10 时 15 分 = 10.15 a.m.; 下午 3 时 = 3 p.m. (compared on a 12-hour dial).
ZH_TIME = re.compile(r"(?:上午|下午|晚上|中午|凌晨|早上)?\s*(\d{1,2}|零)\s*时(?!期(?!间)|[代间候刻段节])\s*(?:(\d{1,2})\s*分|(半))?(?![\d])")
EN_TIME = re.compile(r"\b(\d{1,2})(?:[.:](\d{2}))?\s*(?:a\.\s?m\.?|p\.\s?m\.?|am\b|pm\b|o'clock)"
                     r"|\b([01]\d|2[0-3])([0-5]\d)(?:\s*hours\b|Z\b|(?<=[Aa]t \d{4})(?=,)|(?=\s*(?:to|and|-|–)\s*"
                     r"(?:[01]\d|2[0-3])[0-5]\d\s*hours\b))"
                     r"|\b([01]?\d|2[0-3]):([0-5]\d)(?![\d:])", re.I)  # 10.15 a.m., 1855 hours, 2359Z, 8:12; not 18 hours
# Decades and centuries: 90 后 / 1990s, 20 世纪 90 年代 / the 1990s, 21 世纪 / 21st century.
ZH_DECADE = re.compile(r"(?:(\d{2})\s*世纪\s*)?(\d{2}|\d{4})\s*(?:后|年代)")
EN_DECADE = re.compile(r"(?:\b(1[5-9]|20)|['’])(\d0)['’]?s\b")
ZH_CENTURY = re.compile(r"(\d{1,2})\s*世纪(?!议程)")  # 21 世纪议程 is Agenda 21
# The same in words: 二十世纪八十年代, 九十年代, 二十一世纪.
ZH_DECADE_WORDS = re.compile(r"(?:([一二]十[一二三四五六七八九]?)世纪)?([一二三四五六七八九]十)年代")
ZH_CENTURY_WORDS = re.compile(r"([一二]?十[一二三四五六七八九]?)世纪")
EN_CENTURY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)[\s-]+century", re.I)
EN_CENTURY_WORDS = re.compile(r"\b(?:(twenty)-)?(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
                              r"twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|"
                              r"twentieth)[\s-]+century", re.I)
# Seasons: 2020 年春(季|天) / spring 2020.
SEASONS = {"春": 1, "夏": 2, "秋": 3, "冬": 4, "spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}
ZH_SEASON = re.compile(r"(?:(\d{4})\s*年\s*)([春夏秋冬])(?:季|天)?")
EN_SEASON = re.compile(r"\b(spring|summer|autumn|winter)\s+(?:of\s+)?(\d{4})", re.I)  # a season alone is a word
# Letters and digits in one word are a name: 5G, 3D, COVID-19, H1N1, SARS-CoV-2, 2F, Chang'e-6, A/69, 18A.128.
NAME = re.compile(r"(?<![A-Za-z0-9'’])(?:([A-Za-z]+(?:['’][A-Za-z]+)?)[-‐'’/]?\d(?:[./-]?[A-Za-z0-9])*"
                  r"|\d+(?:\.\d+)?[A-Za-z](?:[./-]?[A-Za-z0-9])*)")
# In Chinese, a name joined to digits by a hyphen: 铀-235丰度, 全球环境展望-5进程 (U-235, GEO-5); not 为-0.75%.
ZH_NAME = re.compile(rf"(?<=[{HAN}])[-‐]\d+(?=[{HAN}])(?![年月日号时])")
# A note's mark left at the end of a block, after its semicolon: 报告；4 / report;4
NOTE_MARK = re.compile(r"(?<=[;；])\s*\d{1,2}\s*$")
# A currency's letters joined to its sign ($A45,000, US$5, HK$3) are the sign: the digits are an amount.
CURRENCY = re.compile(r"\b(?:US|A|AU|NZ|HK|S|C)\$|\$(?:US|A|NZ|AU)(?=\s?\d)")
# …but not a number after a word that only qualifies or measures it: post-2015, mid-2020, US$5, EUR475,000.
NOT_NAMES = {"post", "pre", "mid", "early", "late", "end", "top", "over", "under", "non", "us", "usd", "eur", "euro",
             "euros", "rmb", "cny", "chf", "gbp", "jpy", "rs", "no", "nos", "approx", "ca", "c"}
_EN_SUFFIX = re.compile(r"^(?:st|nd|rd|th|s|bn|m|km|kg|cm|mm|mw|gw|kw|kwh|gb|tb|mb|ghz|mhz|khz|hz|nm|w|t)$", re.I)
# A number not glued to another: 1,099 is one number, and a number after a comma (张喆，33 岁) is read.
_DIGITS = r"(?<![A-Za-z0-9])(?<!\d[,.])(?<![A-Za-z][-‐])(\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?![\d,])|\d+)(\.\d+)?"
ZH_NUMBER = re.compile(_DIGITS + r"\s*([多余几]?)\s*((?:[百千万]|亿)*)\s*([多余]?)\s*(成(?![为立功果员本长熟交绩就])|个百分点|%)?")
# In English a number glued to the punctuation after a word (Committee,16; communities.25) is a note's mark
# left in the text.
EN_NUMBER = re.compile(r"(?<![A-Za-z)][,;:])(?<!\d;)(?<![a-z]{2}\.)" + _DIGITS + r"(?:st|nd|rd|th)?(?=$|[^A-Za-z\d]|(?:km|kg|cm|mm|m|t|bn|MW|GW|kW|kWh|GHz|MHz|nm)\b)"
                                 r"(?:\)?\s*(hundred|thousand|million|billion|trillion|bn)\b)?(?:\s*%|\s+per\s?cent\b)?")
ZH_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
EN_UNITS = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12, "bn": 10**9}
ZH_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
ZH_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
EN_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())} | {
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "thousand": 1000, "dozen": 12, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
    "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
    "hundredth": 100,
    "half": Decimal("0.5"), "once": 1, "twice": 2, "single": 1, "double": 2, "both": 2, "a": 1, "an": 1}
EN_WORD = re.compile(r"\b(?:(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(one|two|three|four|five|six|seven|"
                     r"eight|nine|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|(" + "|".join(EN_WORDS) + r"))"
                     r"(?:[\s-]+(hundred|thousand|million|billion))?\b", re.I)


@dataclass(frozen=True)
class Date:
    """A day, month or year, or a period: kind "date" (year, month, day), "time" (month = hour on a
    12-hour dial, day = minute), "decade" and "century" (year), "season" (year, month = 1 for spring…)."""
    year: int | None
    month: int | None
    day: int | None
    written: str
    kind: str = "date"

    def matches(self, other: "Date") -> bool:
        """Equal where both say something: 3 月 26 日 (no year) is 26 March 2020."""
        return self.kind == other.kind and all(a is None or b is None or a == b for a, b in (
            (self.year, other.year), (self.month, other.month), (self.day, other.day)))


@dataclass(frozen=True)
class Number:
    value: Decimal
    written: str
    ulp: Decimal = Decimal(0)  # the rounding step its shown digits allow: 10,000 for 2.7 million, 0 when exact

    def matches(self, other: Decimal | "Number") -> bool:
        value, ulp = (other.value, other.ulp) if isinstance(other, Number) else (other, Decimal(0))
        return abs(self.value - value) <= max(self.ulp, ulp) / 2


@dataclass(frozen=True)
class Quantities:
    numbers: tuple[Number, ...]  # written in digits
    words: frozenset[Decimal]  # written in words
    dates: tuple[Date, ...]

    def has(self, number: Number) -> bool:
        """Whether the number stands here too, in digits (within the rounding either allows) or in words."""
        return any(number.matches(n) for n in self.numbers) or any(number.matches(w) for w in self.words)


def quantities(text: str, lang: str, drop: tuple[str, ...] = ()) -> Quantities:
    """The numbers and dates of a block's text; `drop` are parts (addresses) that hold digits but no quantity."""
    text = unicodedata.normalize("NFKC", text.replace("，", "、"))  # NFKC would make 4，5 one number
    text = NOTE_MARK.sub("", CURRENCY.sub(" $ ", text))
    for part in sorted(drop, key=len, reverse=True):
        text = text.replace(unicodedata.normalize("NFKC", part), " ")
    dates: list[Date] = []

    def take(match: re.Match, year, month, day, kind: str = "date") -> str:
        if kind == "date":
            month = MONTHS.get(month.lower().rstrip(".")) if month and not month.isdigit() else int(month)
            if not (month and 1 <= month <= 12) or (day and not 1 <= int(day) <= 31):
                return match[0]
        if year and kind == "date" and len(str(year)) == 2:
            year = 2000 + int(year)
        dates.append(Date(int(year) if year else None, month, int(day) if day is not None else None,
                          match[0].strip(), kind))
        return " "

    def days(match: re.Match, year, month, first, last) -> str:
        if take(match, year, month, first) == " ":
            take(match, year, month, last)
            return " "
        return match[0]

    def days2(match: re.Match, year, first, last) -> str:
        if take(match, year, *first) == " ":
            take(match, year, *last)
            return " "
        return match[0]

    def decade(match: re.Match, century, digits) -> str:
        year = int(digits)
        if len(digits) == 2:
            year += (int(century) - 1) * 100 if century else (1900 if year >= 30 else 2000)
        return take(match, year, None, None, "decade") if year % 10 == 0 else match[0]

    def day_list(match: re.Match, year, month, listed) -> str:
        for day in re.findall(r"\d{1,2}", listed):
            if take(match, year, month, day) != " ":
                return match[0]
        return " "

    text = ISO_DATE.sub(lambda m: take(m, m[1], m[2], m[3]), text)
    if lang == "zh":
        text = ZH_DAY_LIST.sub(lambda m: day_list(m, m[1], m[2], m[3]), text)
    else:
        text = EN_DAY_LIST.sub(lambda m: day_list(m, m[3], m[2], re.sub(r"(?<=\d)(?:st|nd|rd|th)", "", m[1])), text)
    if lang == "en":
        text = EN_MONTHS[0].sub(lambda m: days2(m, m[5], (m[2], m[1]), (m[4], m[3])), text)
        text = EN_MONTHS[1].sub(lambda m: days2(m, m[3], (m[1], None), (m[2], None)), text)
    if lang == "en":
        text = EN_TIME.sub(lambda m: take(m, None, int(m[1] or m[3] or m[5]) % 12, int(m[2] or m[4] or m[6] or 0), "time"), text)
    else:
        text = ZH_NAME.sub(" ", text)
    text = NAME.sub(_name, text)
    if lang == "zh":
        text = ZH_DAYS.sub(lambda m: days(m, m[1], m[2], m[3], m[4]), text)
        text = ZH_MONTHS.sub(lambda m: days2(m, m[1], (m[2], None), (m[3], None)), text)
        text = ZH_DECADE.sub(lambda m: decade(m, m[1], m[2]), text)
        text = ZH_CENTURY.sub(lambda m: take(m, m[1], None, None, "century"), text)
        text = ZH_DECADE_WORDS.sub(lambda m: decade(m, m[1] and _zh_numeral(m[1]), str(_zh_numeral(m[2]))), text)
        text = ZH_CENTURY_WORDS.sub(lambda m: take(m, _zh_numeral(m[1]), None, None, "century"), text)
        text = ZH_SEASON.sub(lambda m: take(m, m[1], SEASONS[m[2]], None, "season"), text)
        text = ZH_DATE.sub(lambda m: take(m, m[1], m[2], m[3]), text)
        text = ZH_MONTH_WORDS.sub(lambda m: take(m, None, str(_zh_numeral(m[1])), m[2] and str(_zh_numeral(m[2]))), text)
        text = ZH_TIME.sub(lambda m: take(m, None, int(m[1].replace("零", "0")) % 12, 30 if m[3] else int(m[2] or 0),
                                          "time"), text)
    else:
        text = EN_DAYS[0].sub(lambda m: days(m, m[4], m[3], m[1], m[2]), text)
        text = EN_DAYS[1].sub(lambda m: days(m, m[4], m[1], m[2], m[3]), text)
        text = EN_DECADE.sub(lambda m: decade(m, None, (m[1] or "") + m[2]), text)
        text = EN_CENTURY.sub(lambda m: take(m, m[1], None, None, "century"), text)
        text = EN_CENTURY_WORDS.sub(lambda m: take(m, (20 if m[1] else 0) + EN_WORDS[m[2].lower()], None, None,
                                                   "century"), text)
        text = EN_SEASON.sub(lambda m: take(m, m[2], SEASONS[m[1].lower()], None, "season"), text)
        for pattern, (y, mo, d) in EN_DATES:
            text = pattern.sub(lambda m: take(m, y and m[y], m[mo], d and m[d]), text)
    return Quantities(tuple(_numbers(text, lang)), frozenset(_words(text, lang)), tuple(dates))


def _name(match: re.Match) -> str:
    """A name is dropped; a measure (10km, 1990s, 7439th) is kept, and a number after a qualifier stands apart."""
    word = match[0]
    if match[1] is None:
        if re.fullmatch(r"\d{4}[a-rt-z]", word):
            return word[:4]  # 2014-2015a: a table note's mark on a year
        return word if _EN_SUFFIX.match(re.sub(r"^[\d.]+", "", word)) else " "
    if match[1].lower() in NOT_NAMES:
        return match[1] + " " + word[len(match[1]):].lstrip("-‐'’/")
    if match[1].lower() in MONTHS:
        return word  # Long March-5: neither a date nor a number (see EN_DATES and _DIGITS)
    return " "


def _numbers(text: str, lang: str) -> list[Number]:
    found = []
    for match in (ZH_NUMBER if lang == "zh" else EN_NUMBER).finditer(text):
        digits = re.sub(r"[,\s]", "", match[1]) + (match[2] or "")
        value = _decimal(digits)
        if value is None:
            continue
        scale = 1
        if lang == "zh":
            units = match[4]
            if units.endswith("千") and text[match.end(4):match.end(4) + 1] in "米克瓦卡帕赫焦":
                units = units[:-1]  # 千米, 千克: kilometres and kilograms, not thousands
            for unit in units:
                scale *= ZH_UNITS[unit]
            if match[6] == "成":
                scale *= 10  # 六成: six tenths, 60 %
        elif match[3]:
            scale = EN_UNITS[match[3].lower()]
        step = Decimal(1).scaleb(-len(match[2]) + 1) if match[2] else Decimal(1)
        value *= scale
        found.append(Number(value.normalize(), match[0].strip(), (step * scale).normalize() if scale > 1 else Decimal(0)))
    return found


def _words(text: str, lang: str) -> set[Decimal]:
    if lang == "zh":
        values = {_zh_numeral(m[0]) for m in ZH_NUMERAL.finditer(text)}
        # 百分之五十: a percentage in words; 六成: six tenths
        values |= {_zh_numeral(m[1]) for m in re.finditer(r"百分之([零〇一二两三四五六七八九十百]+)", text)}
        values |= {10 * _zh_numeral(m[1]) for m in re.finditer(r"([一二三四五六七八九十])成", text)}
        # A unit with no number of its own, as in a table head's （亿元）, is that many: "100 million yuan".
        values |= {Decimal(ZH_UNITS[m[1]]) for m in re.finditer(r"(?:^|[^\d\s零〇一二两三四五六七八九十百千])\s*([万亿])", text)}
    else:
        values = set()
        for m in EN_WORD.finditer(text):
            value = Decimal(EN_WORDS[m[1].lower()] + EN_WORDS[m[2].lower()]) if m[1] else Decimal(EN_WORDS[m[3].lower()])
            values.add(value * (EN_UNITS[m[4].lower()] if m[4] else 1))
        # one hundred and eleven
        for m in re.finditer(r"\b(one|two|three|four|five|six|seven|eight|nine|a)\s+hundred(?:\s+and\s+([a-z]+(?:-[a-z]+)?))?",
                             text, re.I):
            tail = m[2] and m[2].lower().split("-")
            extra = sum(EN_WORDS.get(t, 0) for t in tail) if tail and all(t in EN_WORDS for t in tail) else 0
            values.add(Decimal(EN_WORDS[m[1].lower()] * 100 + extra))
        # a trimester, a quarter (of a year): three months
        values |= {Decimal(3) for _ in re.finditer(r"\b(?:trimester|quarter)s?\b", text, re.I)}
        # two decades: 20 (years)
        values |= {Decimal(10 * (EN_WORDS.get(m[1].lower(), 1))) for m in
                   re.finditer(r"\b(a|one|two|three|four|five|six|seven|eight|nine)\s+decades?\b", text, re.I)}
        # "a quarter", "a third": proportions in words, and their per cent
        values |= {Decimal(v) for w, v in (("quarter", 25), ("third", 33), ("half", 50)) if re.search(rf"\b{w}\b", text, re.I)}
    return {v.normalize() for v in values if v is not None}


def _zh_numeral(text: str) -> Decimal | None:
    """三 = 3, 十二 = 12, 二十 = 20, 一百零五 = 105, 七万 = 70000, 一六三 = 163, 二〇二〇 = 2020; None for what
    is not a number."""
    if len(text) > 1 and all(ch in ZH_DIGIT for ch in text):
        return Decimal("".join(str(ZH_DIGIT[ch]) for ch in text))
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
