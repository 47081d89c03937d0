"""Translation review: the real translation is silent, and each usual mistake is reported at its lines.

Every mistake is injected into a copy of the issue and looked for in the
warnings of the real command line (`build.py check`), with the line it
stands on in the English file and the line of its original in the Chinese
one. Lines are found in the sources by their words, never copied from output.
share-solutions has no published English version: tests/fixtures holds one
made for these tests, which adds the pair with 1099 cases and 26 March.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import build
from conftest import ISSUE, ROOT, SAMPLE

FIXTURES = Path(__file__).parent / "fixtures"
WARNING = re.compile(r"^(.+?\.(?:zh|en)\.md):(\d+): warning: (.*?)(?:  \[[a-z.-]+\])?$")  # the message without its code


def warnings(issue: Path, capsys) -> list[tuple[str, int, str]]:
    """(file name, line, message) of every warning about an article of `issue`."""
    status = build.main(["check", str(issue)])
    err = capsys.readouterr().err
    assert status == 0, err
    return [(Path(m[1]).name, int(m[2]), m[3]) for line in err.splitlines() if (m := WARNING.match(line))]


def line_of(path: Path, words: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    found = [i for i, line in enumerate(lines, start=1) if words in line]
    assert len(found) == 1, (words, found)
    return found[0]


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def issue(issue_copy, monkeypatch) -> Path:
    """A copy of the issue with the English share-solutions of tests/fixtures added."""
    monkeypatch.chdir(ROOT)
    shutil.copy(FIXTURES / "share-solutions.en.md", issue_copy)
    return issue_copy


def pair_warnings(found, slug: str) -> list[tuple[str, int, str]]:
    return [w for w in found if w[0].startswith(slug + ".")]


def test_the_real_translation_gives_no_parity_warning(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert (ISSUE / "working-together.en.md").exists() and (ISSUE / "working-together.translation.yaml").exists()
    assert pair_warnings(warnings(ISSUE, capsys), "working-together") == []


def test_the_test_translation_gives_none_either(issue, capsys):
    assert pair_warnings(warnings(issue, capsys), "share-solutions") == []


def reported(found, slug: str, en_line: int, zh_line: int, *words: str) -> list[str]:
    """The warnings at `en_line` of the English file that name `zh_line` of the Chinese one and hold `words`."""
    return [msg for name, line, msg in found if name == f"{slug}.en.md" and line == en_line
            and f"{slug}.zh.md:{zh_line}" in msg and all(w in msg for w in words)]


def test_a_dropped_paragraph(issue, capsys):
    en, zh = issue / "working-together.en.md", issue / "working-together.zh.md"
    paragraph = next(line for line in en.read_text().split("\n") if line.startswith('The "platform for sharing'))
    replace(en, paragraph + "\n\n", "")
    found = warnings(issue, capsys)
    # Reported where it should stand: before the heading that now follows.
    assert reported(found, "working-together", line_of(en, "### Creating a multi-tiered"), line_of(zh, "中华医学期刊网搭建了"),
                    "dropped"), found


def test_two_paragraphs_merged(issue, capsys):
    en, zh = issue / "working-together.en.md", issue / "working-together.zh.md"
    replace(en, "common homeland of humanity.\n\nThe Chinese scientific", "common homeland of humanity. The Chinese scientific")
    found = warnings(issue, capsys)
    messages = reported(found, "working-together", line_of(en, "We have explored the establishment"),
                        line_of(zh, "中国探索与有关国家"), "merged")
    assert messages and f"working-together.zh.md:{line_of(zh, '中国科技界和广大科技工作者')}" in messages[0], found


def test_a_changed_number(issue, capsys):
    en, zh = issue / "share-solutions.en.md", issue / "share-solutions.zh.md"
    replace(en, "analysed 1,099 cases", "analysed 1,000 cases")
    found = warnings(issue, capsys)
    assert reported(found, "share-solutions", line_of(en, "analysed 1,000 cases"), line_of(zh, "1099 例"), "1,000", "1099"), found


def test_a_changed_date(issue, capsys):
    en, zh = issue / "share-solutions.en.md", issue / "share-solutions.zh.md"
    replace(en, "On 26 March 2020", "On 25 March 2020")
    found = warnings(issue, capsys)
    assert reported(found, "share-solutions", line_of(en, "On 25 March 2020"), line_of(zh, "2020 年 3 月 26 日"),
                    "25 March 2020", "3 月 26 日"), found


def test_a_caption_swapped_with_another_articles(issue, capsys):
    wt, ss = issue / "working-together.en.md", issue / "share-solutions.en.md"
    caption = {path: re.search(r"^!\[(.*)\]\(images/(?:who-briefing|iraq-team)\.jpg\)$", path.read_text(), re.M)[1]
               for path in (wt, ss)}
    replace(wt, caption[wt], caption[ss])
    replace(ss, caption[ss], caption[wt])
    found = warnings(issue, capsys)
    zh = issue / "working-together.zh.md"
    messages = reported(found, "working-together", line_of(wt, "images/who-briefing.jpg"), line_of(zh, "images/who-briefing.jpg"),
                        "2020 年 3 月 27 日")
    assert messages and "images/iraq-team.jpg" in messages[0] and "swapped" in messages[0], found
    assert reported(found, "share-solutions", line_of(ss, "images/iraq-team.jpg"),
                    line_of(issue / "share-solutions.zh.md", "images/iraq-team.jpg"), "27 March 2020"), found


def test_an_image_swapped(issue, capsys):
    en, zh = issue / "working-together.en.md", issue / "working-together.zh.md"
    replace(en, "images/russia-team.jpg", "images/placeholder")
    replace(en, "images/who-briefing.jpg", "images/russia-team.jpg")
    replace(en, "images/placeholder", "images/who-briefing.jpg")
    found = warnings(issue, capsys)
    for shown, original in (("russia-team", "who-briefing"), ("who-briefing", "russia-team")):
        assert reported(found, "working-together", line_of(en, f"images/{shown}.jpg"), line_of(zh, f"images/{original}.jpg"),
                        f"shows images/{shown}.jpg here but images/{original}.jpg"), found


def test_a_heading_moved_down_a_level(issue, capsys):
    en, zh = issue / "working-together.en.md", issue / "working-together.zh.md"
    replace(en, "## II. Actively", "### II. Actively")
    found = warnings(issue, capsys)
    assert reported(found, "working-together", line_of(en, "### II. Actively"), line_of(zh, "## 二、积极推动"),
                    "heading level ### here but ##"), found


def test_a_changed_url(issue, capsys):
    en, zh = issue / "working-together.en.md", issue / "working-together.zh.md"
    address = "https://www.most.gov.cn/kjbgz/202004/t20200404_153123.html"
    zh.write_text(zh.read_text() + f"\n全文见[科技部网站]({address})。\n", encoding="utf-8")
    en.write_text(en.read_text() + f"\nThe full text is on the [ministry's website]({address}).\n", encoding="utf-8")
    assert not [w for w in pair_warnings(warnings(issue, capsys), "working-together") if "address" in w[2]]
    replace(en, address, address.replace("153123", "153128"))
    found = warnings(issue, capsys)
    assert reported(found, "working-together", line_of(en, "The full text is on"), line_of(zh, "全文见"),
                    "address", "153128", "153123"), found


def test_a_doi_is_an_address_not_a_number(issue, capsys):
    """A DOI stands the same in both languages: its digits are no quantity (a new issue's correct
    translation got "number 10.1038 ... is missing here"), and a changed DOI is a changed address."""
    en, zh = issue / "working-together.en.md", issue / "working-together.zh.md"
    doi = "10.1038/s41586-020-03093-8"
    zh.write_text(zh.read_text() + f"\n论文见[Nature]{{lang=en}}（doi:{doi}）。\n", encoding="utf-8")
    en.write_text(en.read_text() + f"\nThe paper is in *Nature* (doi:{doi}).\n", encoding="utf-8")
    assert not [w for w in pair_warnings(warnings(issue, capsys), "working-together")
                if "number" in w[2] or "address" in w[2]]
    replace(en, doi, doi.replace("03093", "03098"))
    found = warnings(issue, capsys)
    assert reported(found, "working-together", line_of(en, "The paper is in"), line_of(zh, "论文见"),
                    "address", "03098", "03093"), found


def test_a_stale_translation_until_confirmed(issue, capsys):
    en, zh = issue / "working-together.en.md", issue / "working-together.zh.md"
    replace(zh, "中国愿就此持续加强与国际社会的合作。", "中国愿就此持续深化与国际社会的合作。")
    found = warnings(issue, capsys)
    assert reported(found, "working-together", line_of(en, "In its battle against the virus"), line_of(zh, "中国愿就此持续深化"),
                    "changed since the translation was confirmed", "translated working-together"), found
    status = build.main(["translated", "working-together", str(issue)])
    assert status == 0
    assert "- '" in (issue / "working-together.translation.yaml").read_text()
    capsys.readouterr()
    assert pair_warnings(warnings(issue, capsys), "working-together") == []


def test_confirming_an_article_without_a_translation_is_an_error(issue, capsys):
    assert build.main(["translated", "global-fight", str(issue)]) == 1
    assert "has no en version" in capsys.readouterr().err


def test_table_rows_list_items_and_quotes_are_aligned_one_by_one(issue, capsys):
    en, zh = issue / "working-together.en.md", issue / "working-together.zh.md"
    zh.write_text(zh.read_text() + "\n| 项目 | 数量 |\n| --- | ---: |\n| 期刊 | 120 |\n| 论文 | 840 |\n\n"
                  "- 世界卫生组织（WHO）\n- 流行病防范创新联盟（CEPI）\n\n> 数据截至 2020 年 3 月 27 日。\n", encoding="utf-8")
    en.write_text(en.read_text() + "\n| Item | Number |\n| --- | ---: |\n| Journals | 120 |\n| Papers | 840 |\n\n"
                  "- World Health Organization (WHO)\n- Coalition for Epidemic Preparedness Innovations (CEPI)\n\n"
                  "> Data as of 27 March 2020.\n", encoding="utf-8")
    assert build.main(["translated", "working-together", str(issue)]) == 0
    capsys.readouterr()
    assert pair_warnings(warnings(issue, capsys), "working-together") == []
    replace(en, "| Papers | 840 |", "| Papers | 850 |")
    replace(en, "- Coalition for Epidemic Preparedness Innovations (CEPI)\n", "")
    replace(en, "27 March 2020.", "26 March 2020.")
    found = warnings(issue, capsys)
    assert reported(found, "working-together", line_of(en, "| Papers | 850 |"), line_of(zh, "| 论文 | 840 |"), "850", "840"), found
    assert reported(found, "working-together", line_of(en, "> Data as of"), line_of(zh, "- 流行病防范创新联盟"),
                    "list item", "dropped"), found
    assert reported(found, "working-together", line_of(en, "> Data as of"), line_of(zh, "> 数据截至"), "26 March 2020"), found


BITS = ["\n\n", "## 标题\n", "### Head\n", "- item\n", "1. one\n", "> quote\n", "| a | b |\n|---|--:|\n| 1 | 2 |\n",
        "![图 2020 年 3 月 27 日](images/who-briefing.jpg)\n", "![cap](images/x.jpg)", "[^1]", "\n[^1]: 注 http://a.cn/x\n",
        "[link](https://a.cn/)", "[The Lancet]{lang=en}", "20 多万", "1,099", "2.7 million", "27 March 2020", "3 月 26 日",
        "WHO", "COVID-19", "一、", "```\ncode 12\n```\n", "<b>x</b>", "百分之五十", "99999999999999999999 亿", "\\", "*"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(zh=st.lists(st.one_of(st.sampled_from(BITS), st.text(alphabet="中文，。 0123456789.,-年月日多万亿", max_size=12)),
                   max_size=20).map("".join),
       en=st.lists(st.one_of(st.sampled_from(BITS), st.text(alphabet="ab .,0123456789-MarchJune", max_size=12)),
                   max_size=20).map("".join))
def test_any_pair_of_texts_gives_warnings_not_crashes(tmp_path_factory, zh, en):
    from press.issue import load_issue
    from press.parity import review

    folder = tmp_path_factory.mktemp("pair")
    (folder / "issue.yaml").write_text('id: "x"\ntitle: {zh: 甲, en: A}\nnumber: {zh: 一, en: One}\ndate: 2020-01-01\n'
                                       "articles: [a]\n", encoding="utf-8")
    (folder / "a.zh.md").write_text(f"---\ntitle: 甲\ndate: 2020-03-27\n---\n{zh}\n文。\n", encoding="utf-8")
    (folder / "a.en.md").write_text(f"---\ntitle: A\n---\n{en}\nText.\n", encoding="utf-8")
    for problem in review(load_issue(folder)).problems:
        assert problem.path == folder / "a.en.md" and problem.line and "a.zh.md:" in problem.message, problem


def test_a_note_called_in_another_place(issue, capsys):
    en, zh = issue / "working-together.en.md", issue / "working-together.zh.md"
    replace(zh, "科技创新使命。\n", "科技创新使命。[^1]\n\n[^1]: 来源：科技部。\n")
    replace(en, "community with a shared future for mankind.\n", "community with a shared future for mankind.[^1]\n\n"
            "[^1]: Source: Ministry of Science and Technology.\n")
    assert build.main(["translated", "working-together", str(issue)]) == 0
    capsys.readouterr()
    assert pair_warnings(warnings(issue, capsys), "working-together") == []
    replace(en, "for mankind.[^1]\n", "for mankind.\n")
    replace(en, "the common homeland of humanity.", "the common homeland of humanity.[^1]")
    found = warnings(issue, capsys)
    assert reported(found, "working-together", line_of(en, "We have explored the establishment"), line_of(zh, "中国探索与有关国家"),
                    "note call(s) 1 here but none"), found
    assert reported(found, "working-together", line_of(en, "The Chinese scientific community and"), line_of(zh, "中国科技界和广大"),
                    "note call(s) none here but 1"), found


# -- measured: published translations, and the mistakes of tools/parity_eval.py -------------------------------

sys.path.insert(0, str(ROOT / "tools"))
import parity_eval  # noqa: E402


def test_published_translations_give_no_false_warning():
    """tests/corpus/un2015.jsonl: 1,817 pairs of the UN Parallel Corpus test set. Every warning on a correct
    pair is false; each pair the corpus marks as really differing must be reported."""
    result = parity_eval.precision()
    assert result["correct"] >= 300
    assert [(p and p["line"], m) for p, m in result["false"]] == []
    assert result["differing_caught"] == result["differing"] > 0


@pytest.mark.parametrize("mistake", parity_eval.MISTAKES, ids=[m.name for m in parity_eval.MISTAKES])
def test_each_injected_mistake_is_caught_at_its_line(mistake):
    assert parity_eval.caught(mistake), mistake.name


def test_the_second_issue_is_silent(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    status = build.main(["check", str(SAMPLE)])
    err = capsys.readouterr().err
    assert status == 0 and " warning: " not in err, err


def _git(folder: Path, *args: str, when: str = "2026-01-01T10:00:00") -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
           "PATH": os.environ["PATH"], "HOME": str(folder)}
    subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)


def _committed_sample(tmp_path: Path, monkeypatch) -> Path:
    """A copy of 2020-06 without translation records, committed to a git repository of its own:
    what a later commit changes is what the review finds stale."""
    monkeypatch.chdir(ROOT)
    issue = tmp_path / "2020-06"
    shutil.copytree(SAMPLE, issue)
    (issue / "news-jiuzhang.translation.yaml").unlink()
    _git(issue, "init", "-q")
    _git(issue, "add", ".")
    _git(issue, "commit", "-qm", "issue")
    return issue


def test_a_chinese_block_changed_in_a_later_commit_is_reported_without_a_record(tmp_path, monkeypatch, capsys):
    issue = _committed_sample(tmp_path, monkeypatch)
    en, zh = issue / "rd-funding.en.md", issue / "rd-funding.zh.md"
    assert warnings(issue, capsys) == []
    replace(zh, "财政科技支出占国家财政支出的比重为 4.49%，与上年基本持平。", "财政科技支出占国家财政支出的比重为 4.49%。")
    _git(issue, "commit", "-qam", "shorter", when="2026-02-01T10:00:00")
    found = warnings(issue, capsys)
    assert found == [("rd-funding.en.md", line_of(en, "Government spending on science and technology was"),
                      found[0][2])] and f"rd-funding.zh.md:{line_of(zh, '2019 年，国家财政科学技术支出')}" in found[0][2] \
        and "changed in a later commit" in found[0][2], found
    # The English updated in a later commit still: silent again.
    replace(en, ", about the same share as in the year before.", ".")
    _git(issue, "commit", "-qam", "English too", when="2026-03-01T10:00:00")
    assert warnings(issue, capsys) == []
    # Without git on the PATH, or outside a repository, nothing is said and nothing breaks.
    replace(zh, "比上年增长 12.6%", "比上年增长 12.6 %")
    assert len(warnings(issue, capsys)) == 1  # not committed: later than anything
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert warnings(issue, capsys) == []


def test_a_front_matter_key_changed_in_a_later_commit_is_reported_alone(tmp_path, monkeypatch, capsys):
    """Each key of the front matter is a block of its own line: a changed source makes the source
    stale, not the title and author above it."""
    issue = _committed_sample(tmp_path, monkeypatch)
    en, zh = issue / "rd-funding.en.md", issue / "rd-funding.zh.md"
    replace(zh, "source: 国家统计局、科学技术部、财政部", "source: 国家统计局、科技部、财政部")
    _git(issue, "commit", "-qam", "short name", when="2026-02-01T10:00:00")
    found = warnings(issue, capsys)
    assert [(name, line) for name, line, _ in found] == [("rd-funding.en.md", line_of(en, "source: "))], found


def test_a_warning_accepted_as_intended_is_silent_until_either_block_changes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    issue = tmp_path / "2020-06"
    shutil.copytree(SAMPLE, issue)
    en, zh = issue / "rd-funding.en.md", issue / "rd-funding.zh.md"
    replace(en, "Government spending on science and technology was 1,071.74 billion yuan",
            "Government spending on science and technology was about 1,070 billion yuan")  # rounded further
    replace(en, "Universities | 1,796.6 | 23.2% | 8.1% |", "Universities | 1,796.6 | 23.2% | 8.2% |")  # a mistake
    at, cell = line_of(en, "was about 1,070 billion"), line_of(en, "| Universities |")
    found = warnings(issue, capsys)
    assert sorted(line for _, line, _ in found) == sorted([at, cell]), found
    assert build.main(["translated", "rd-funding", str(issue), "--accept", str(at)]) == 0
    assert capsys.readouterr().out.strip().endswith("rd-funding.accepted.yaml")
    assert "1,070 billion here but 10717.4 亿" in (issue / "rd-funding.accepted.yaml").read_text(encoding="utf-8")
    assert [line for _, line, _ in warnings(issue, capsys)] == [cell]  # that one alone: the other still stands
    # Lines moving above it do not bring it back; an edit of its Chinese block does.
    replace(en, "## I. Record R&D spending", "\n\n## I. Record R&D spending")
    assert [line for _, line, _ in warnings(issue, capsys)] == [line_of(en, "| Universities |")]
    replace(zh, "与上年基本持平。", "与上年持平。")
    assert line_of(en, "was about 1,070 billion") in [line for _, line, _ in warnings(issue, capsys)]


def test_accepting_where_there_is_no_warning_is_an_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    issue = tmp_path / "2020-06"
    shutil.copytree(SAMPLE, issue)
    assert build.main(["translated", "rd-funding", str(issue), "--accept", "3"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"rd-funding\.en\.md:3: error: no translation warning at this line to accept", err), err
    assert not (issue / "rd-funding.accepted.yaml").exists()


def test_an_unreadable_list_of_accepted_warnings_is_a_warning(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    issue = tmp_path / "2020-06"
    shutil.copytree(SAMPLE, issue)
    (issue / "rd-funding.accepted.yaml").write_text("zh: [unclosed\n", encoding="utf-8")
    status = build.main(["check", str(issue)])
    err = capsys.readouterr().err
    assert status == 0 and re.search(r"rd-funding\.accepted\.yaml:1: warning: cannot read this list", err), err


def test_a_number_is_found_on_the_other_side_as_the_whole_scan_finds_it():
    """parity._Facts.has looks a number's value up before it scans (1,000 links a side once made the
    review 4 million comparisons): the same answer as Quantities.has, for a number equal, equal within
    the rounding either side's digits allow (269.8 万 is 2.7 million), written in words, and absent."""
    from press.blocks import Block
    from press.parity import _Facts

    zh = _Facts([Block("p", 1, "经费 269.8 万元，3 个方面，增长 12.5%，共 1,000 人。")], "zh")
    en = _Facts([Block("p", 1, "Funding of 2.7 million yuan in three areas, up 12.5% to 1000 people, 41 more.")], "en")
    for a, b in ((zh, en), (en, zh)):
        assert [b.has(n) for n in a.numbers] == [b.q.has(n) for n in a.numbers]
    assert {n.written: zh.has(n) for n in en.numbers} == {"2.7 million": True, "12.5%": True, "1000": True, "41": False}
    assert {n.written: en.has(n) for n in zh.numbers} == {"269.8 万": True, "3": True, "12.5%": True, "1,000": True}
