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
