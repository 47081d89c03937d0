"""What press.quantities reads as the same number or date in Chinese and in English."""

from __future__ import annotations

import pytest

from press.quantities import quantities


def values(text: str, lang: str) -> list:
    return sorted(n.value for n in quantities(text, lang).numbers)


def dates(text: str, lang: str) -> list:
    return [(d.year, d.month, d.day) for d in quantities(text, lang).dates]


@pytest.mark.parametrize("zh, en", [
    ("270 万次", "2.7 million views"),
    ("20 多万名用户", "over 200,000 users"),
    ("1.2 亿元", "120 million yuan"),
    ("1099 例", "1,099 cases"),
    ("8 万多确诊病例", "more than 80,000 confirmed cases"),
    ("7.6万余访客", "more than 76,000 visitors"),
    ("800 多万次", "more than 8 million"),
    ("1.5 万亿", "1.5 trillion"),
    ("增长 12.5%", "up 12.5 %"),
    ("3～5 天", "3-5 days"),
    ("第 2 期", "No.2"),
])
def test_the_same_number(zh, en):
    assert values(zh, "zh") == values(en, "en") != []


@pytest.mark.parametrize("text, lang", [
    ("COVID-19 and SARS-CoV-2, H1N1", "en"), ("COVID-19 疫情", "zh"), ("5 千米", "zh"),
])
def test_digits_that_are_not_those_quantities(text, lang):
    assert values(text, lang) in ([], [5])


@pytest.mark.parametrize("zh, en", [
    ("2020 年 3 月 27 日", "27 March 2020"),
    ("2020 年 3 月 27 日", "March 27, 2020"),
    ("2020-03-27", "27 March 2020"),
    ("3 月 26 日", "26 March"),
    ("2020 年 3 月 27 日至 29 日", "27-29 March 2020"),
])
def test_the_same_date(zh, en):
    a, b = quantities(zh, "zh").dates, quantities(en, "en").dates
    assert a and len(a) == len(b) and all(x.matches(y) for x, y in zip(a, b))
    assert values(zh, "zh") == values(en, "en") == []  # a date's digits are not numbers too


def test_different_dates_do_not_match():
    a, b = quantities("2020 年 3 月 26 日", "zh").dates, quantities("25 March 2020", "en").dates
    assert not a[0].matches(b[0])


def test_numbers_in_words_are_read_but_kept_apart():
    q = quantities("中国将从三个方面推动", "zh")
    assert q.numbers == () and 3 in q.words
    assert 3 in quantities("in three ways", "en").words


def test_a_month_in_a_name_is_no_date():
    assert dates("a Long March-5 rocket lifted off", "en") == []
    assert dates("the March-5 launch", "en") == []
    assert dates("in March the probe", "en") == [(None, 3, None)]


def test_a_bare_unit_in_chinese_stands_for_its_amount():
    # A table head: 经费（亿元） against "Spending (100 million yuan)".
    assert 100_000_000 in quantities("经费（亿元）", "zh").words
    assert 100_000_000 not in quantities("经费 1.2 亿元", "zh").words


# -- the false alarms of issue 22, and the quantities and periods that caused them --------------------------------

@pytest.mark.parametrize("zh, en", [
    ("张喆，33 岁", "Zhang Zhe, 33"),
    ("……秘书处，2020 年。", "…, 2020."),
    ("第 4，5，6 段", "paragraphs 4, 5 and 6"),
    ("19858.3 亿元", "1,985.83 billion yuan"),
    ("2.639 亿美元", "$263.9 million"),
    ("1 036 201 000 美元", "$1,036,201,000"),
    ("捐款 475 000 欧元", "a total of EUR475,000"),
    ("六成", "60 %"),
    ("6 成", "60 per cent"),
    ("提高 0.09 个百分点", "up 0.09 percentage points"),
    ("过去 20 年", "over the last two decades"),
    ("5G 网络和 3D 打印，长征二号 F", "5G networks and 3D printing, Long March-2F"),
    ("COVID-19 疫情，嫦娥六号", "the COVID-19 epidemic, Chang'e-6"),
])
def test_the_same_quantity_written_otherwise(zh, en):
    a, b = quantities(zh, "zh"), quantities(en, "en")
    assert all(b.has(n) for n in a.numbers) and all(a.has(n) for n in b.numbers), (a, b)


@pytest.mark.parametrize("zh, en", [
    ("19858.3 亿元", "1,958.83 billion yuan"),  # digits swapped
    ("1.2 亿元", "130 million yuan"),  # beyond what rounding allows
    ("46.1 亿元", "461,000 yuan"),  # 万 → 亿
    ("六成", "70 %"),
])
def test_a_different_quantity(zh, en):
    a, b = quantities(zh, "zh"), quantities(en, "en")
    assert not all(b.has(n) for n in a.numbers) or not all(a.has(n) for n in b.numbers), (a, b)


def test_rounding_goes_as_far_as_the_shown_digits():
    assert quantities("2.7 million", "en").has(quantities("2,712,345", "en").numbers[0])
    assert not quantities("2.7 million", "en").has(quantities("2,760,000", "en").numbers[0])
    assert not quantities("1,099", "en").has(quantities("1,000", "en").numbers[0])  # digits without a scale are exact


@pytest.mark.parametrize("zh, en", [
    ("6 月 2 日至 3 日", "on 2 and 3 June"),
    ("2015 年 5 月 26 日至 6 月 3 日", "26 May-3 June 2015"),
    ("4 月 22、23 和 30 日", "on 22, 23 and 30 April"),
    ("2024 年 7 月", "July 2024"),
    ("“90 后”", "born in the 1990s"),
    ("二十世纪八十年代", "the 1980s"),
    ("21 世纪", "the 21st century"),
    ("二十一世纪", "the twenty-first century"),
    ("2020 年春", "spring 2020"),
    ("上午 10 时 15 分", "at 10.15 a.m."),
    ("18 时 55 分", "at 1855 hours"),
    ("1947 年 5 月至 11 月", "from May to November 1947"),
])
def test_the_same_date_or_period(zh, en):
    a, b = quantities(zh, "zh"), quantities(en, "en")
    assert a.dates and all(any(d.matches(e) for e in b.dates) for d in a.dates), (a, b)
    assert all(any(e.matches(d) for d in a.dates) for e in b.dates), (a, b)
    assert not a.numbers and not b.numbers, (a, b)


@pytest.mark.parametrize("zh, en", [
    ("6 月 2 日至 3 日", "on 2 June"),
    ("“90 后”", "born in the 1980s"),
    ("2020 年春", "autumn 2020"),
    ("上午 10 时 15 分", "at 10.45 a.m."),
])
def test_a_different_date_or_period(zh, en):
    a, b = quantities(zh, "zh"), quantities(en, "en")
    assert not all(any(d.matches(e) for e in b.dates) for d in a.dates)


def test_a_note_beside_a_long_address():
    from press.parity import _Facts, differences
    from press.blocks import Block
    url = "http://www.stats.gov.cn/tjsj/zxfb/202408/t20240827_1786198.html"
    zh = _Facts([Block("note", 3, f"国家统计局：《公报》，2024 年 7 月，{url}", urls=(url,))], "zh")
    en = _Facts([Block("note", 3, f"National Bureau of Statistics: Communiqué, July 2024, {url}", urls=(url,))], "en")
    assert differences(zh, en, "x.zh.md:3") == []
