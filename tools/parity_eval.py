"""Measure the translation review: false warnings on real translations, and injected mistakes caught.

    python tools/parity_eval.py            # both, as a table
    python tools/parity_eval.py --corpus   # precision only, each false warning printed
    python tools/parity_eval.py --part held-out

Precision: every pair of tests/corpus/un2015.jsonl (published translations, see its README) is
laid out as articles of ten paragraphs each, in an issue folder of its own, and reviewed as
`check` reviews an issue; every warning on it is false. Recall: each mistake of
MISTAKES below is injected into a copy of content/2020-06 (or 2020-02), and counted as caught when a
warning of `build.py check` stands at its English line, names its Chinese line and says what changed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

CORPUS = ROOT / "tests" / "corpus" / "un2015.jsonl"
PER_ARTICLE = 10
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!~])")


def load_corpus(part: str | None = None) -> list[dict]:
    pairs = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [p for p in pairs if part in (None, p["part"])]


def markdown(text: str) -> str:
    """A paragraph of plain text as Markdown that reads back as the same text."""
    text = _SPECIAL.sub(r"\\\1", text)
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", text)  # 31. Recognizes…: a paragraph number, not a list


def write_corpus_issue(folder: Path, pairs: list[dict]) -> list[tuple[str, list[dict]]]:
    """The pairs as articles of an issue; (slug, its pairs) in order."""
    groups = [pairs[i:i + PER_ARTICLE] for i in range(0, len(pairs), PER_ARTICLE)]
    slugs = [f"un-{k:03d}" for k in range(len(groups))]
    (folder / "issue.yaml").write_text('id: "corpus"\ntitle: {zh: 语料, en: Corpus}\nnumber: {zh: 一, en: One}\n'
                                       f"date: 2020-01-01\narticles: [{', '.join(slugs)}]\n", encoding="utf-8")
    for slug, group in zip(slugs, groups):
        for lang, title in (("zh", "语料"), ("en", "Corpus")):
            body = "\n\n".join(markdown(p[lang]) for p in group)
            (folder / f"{slug}.{lang}.md").write_text(f"---\ntitle: {title}\n---\n{body}\n", encoding="utf-8")
    return list(zip(slugs, groups))


def corpus_warnings(pairs: list[dict]) -> list[tuple[dict | None, str]]:
    """Every warning the review gives on the pairs, with the pair it stands on."""
    from press.issue import load_issue
    from press.parity import review

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        articles = dict(write_corpus_issue(folder, pairs))
        for problem in review(load_issue(folder)).problems:
            slug = problem.path.name.split(".")[0]
            group = articles.get(slug, [])
            # front matter of 3 lines, then one paragraph every 2 lines; the Chinese line named says which pair
            line = re.search(rf"{slug}\.zh\.md:(\d+)", problem.message)
            index = ((int(line[1]) if line else problem.line) - 4) // 2
            pair = group[index] if 0 <= index < len(group) else None
            out.append((pair, problem.message))
    return out


def precision(part: str | None = None) -> dict:
    """The review of the corpus: false warnings on the correct pairs (laid out ten to an article), and whether
    each pair that the corpus marks as really differing (its `differs`) is reported, alone in its article."""
    pairs = load_corpus(part)
    correct = [p for p in pairs if "differs" not in p]
    differing = [p for p in pairs if "differs" in p]
    false = corpus_warnings(correct)
    caught = [p for p in differing if corpus_warnings([p])]
    return {"pairs": len(pairs), "correct": len(correct), "false": false,
            "silent": len(correct) - len({id(p) for p, _ in false if p is not None}),
            "differing": len(differing), "differing_caught": len(caught)}


@dataclass(frozen=True)
class Mistake:
    """A mistake injected into a copy of an issue: `edits` are (file, old, new) replacements, applied in order
    (an edit may first add a correct passage to both sides); the warning must stand in `at_file` on the line
    holding `at`, name `zh_file`'s line holding `zh_at`, and hold every one of `words`."""
    name: str
    edits: tuple[tuple[str, str, str], ...]
    at_file: str
    at: str
    zh_file: str
    zh_at: str
    words: tuple[str, ...] = ()
    issue: str = "2020-06"


RD, YS = "rd-funding", "young-scientists"
MISTAKES = (
    Mistake("a paragraph dropped",
            ((f"{RD}.en.md", "R&D spending grew about 5 percentage points faster than nominal GDP, the fastest growth of "
              "the Thirteenth Five-Year Plan period. China's total R&D spending has ranked second in the world for several "
              "years, after that of the United States.[^2]\n\n", ""),),
            f"{RD}.en.md", "![China's R&D expenditure", f"{RD}.zh.md", "从增长速度看", ("dropped",)),
    Mistake("two paragraphs merged",
            ((f"{RD}.en.md", "in the year before.\n\nR&D spending grew", "in the year before. R&D spending grew"),),
            f"{RD}.en.md", "In 2019 China spent 2,214.36 billion yuan on R&D,", f"{RD}.zh.md", "2019 年，全国共投入", ("merged",)),
    Mistake("a number changed",
            ((f"{RD}.en.md", "246.57 billion yuan or", "264.57 billion yuan or"),),
            f"{RD}.en.md", "264.57 billion", f"{RD}.zh.md", "2465.7 亿元", ("264.57 billion", "2465.7 亿")),
    Mistake("a date changed",
            ((f"{RD}.en.md", "On 27 August 2020 the", "On 28 August 2020 the"),),
            f"{RD}.en.md", "On 28 August 2020", f"{RD}.zh.md", "2020 年 8 月 27 日，国家统计局", ("28 August 2020", "8 月 27 日")),
    Mistake("a caption swapped with another article's",
            ((f"{YS}.en.md", "![Zhou Fang checks the cryogenic system of a receiver in the laboratory. Young scientists "
              "increasingly run and use China's large research facilities.]",
              "![China's R&D expenditure and R&D intensity, 2010–2019. In ten years spending more than tripled, and "
              "intensity rose from 1.71% to 2.23%.]"),),
            f"{YS}.en.md", "images/lab-portrait.jpg", f"{YS}.zh.md", "images/lab-portrait.jpg", ("swapped", "rd-chart.png")),
    Mistake("an image swapped",
            (("working-together.en.md", "images/russia-team.jpg", "images/placeholder"),
             ("working-together.en.md", "images/who-briefing.jpg", "images/russia-team.jpg"),
             ("working-together.en.md", "images/placeholder", "images/who-briefing.jpg")),
            "working-together.en.md", "images/russia-team.jpg", "working-together.zh.md", "images/who-briefing.jpg",
            ("shows images/russia-team.jpg here but images/who-briefing.jpg",), issue="2020-02"),
    Mistake("a heading moved down a level",
            ((f"{RD}.en.md", "## II. Basic research", "### II. Basic research"),),
            f"{RD}.en.md", "### II. Basic research", f"{RD}.zh.md", "## 二、基础研究", ("heading level ### here but ##",)),
    Mistake("an address changed",
            ((f"{RD}.en.md", "t20200731_3559705", "t20200731_3559706"),),
            f"{RD}.en.md", "t20200731_3559706", f"{RD}.zh.md", "t20200731_3559705", ("address", "3559706", "3559705")),
    Mistake("the Chinese edited after the translation was confirmed",
            (("working-together.zh.md", "中国愿就此持续加强与国际社会的合作。", "中国愿就此持续深化与国际社会的合作。"),),
            "working-together.en.md", "In its battle against the virus", "working-together.zh.md", "中国愿就此持续深化",
            ("changed since the translation was confirmed",), issue="2020-02"),
    Mistake("a unit changed (万 → 亿)",
            ((f"{RD}.zh.md", "46.1 万元", "46.1 亿元"),),
            f"{RD}.en.md", "461,000 yuan", f"{RD}.zh.md", "46.1 亿元", ("461,000", "46.1 亿")),
    Mistake("a table cell changed",
            ((f"{RD}.en.md", "| Universities | 1,796.6 | 23.2% | 8.1% |", "| Universities | 1,796.6 | 23.2% | 8.4% |"),),
            f"{RD}.en.md", "| Universities |", f"{RD}.zh.md", "| 高等学校 |", ("column 4", "8.4", "8.1")),
    Mistake("two numbers swapped (in a table row)",
            ((f"{RD}.en.md", "| Enterprises | 16,921.8 | 11.1% | 76.4% |", "| Enterprises | 16,921.8 | 76.4% | 11.1% |"),),
            f"{RD}.en.md", "| Enterprises |", f"{RD}.zh.md", "| 企业 |", ("columns 3, 4", "76.4% | 11.1%", "swapped")),
    Mistake("a year changed in a note",
            ((f"{RD}.en.md", "budget expenditure 2019,", "budget expenditure 2018,"),),
            f"{RD}.en.md", "[^4]: Ministry of Finance", f"{RD}.zh.md", "[^4]: 财政部", ("2018", "2019")),
    Mistake("a list item dropped",
            ((f"{YS}.en.md", "- Ma Biao (马骉), condensed matter physics: superconductivity in two-dimensional materials;\n",
              ""),),
            f"{YS}.en.md", "- Li Yue (李玥)", f"{YS}.zh.md", "- 马骉", ("list item", "dropped")),
    Mistake("a table row dropped",
            ((f"{RD}.en.md", "| Others | 344.4 | 6.2% | 1.6% |\n", ""),),
            f"{RD}.en.md", "| Total |", f"{RD}.zh.md", "| 其他 |", ("table row", "dropped")),
    Mistake("a note dropped",
            ((f"{RD}.en.md", "still has much room to grow.[^3]", "still has much room to grow."),
             (f"{RD}.en.md", "[^3]: Shares of basic research from OECD R&D statistics, "
              "https://stats.oecd.org/Index.aspx?DataSetCode=GERD_TOE\n", "")),
            f"{RD}.en.md", "[^4]: Ministry of Finance", f"{RD}.zh.md", "[^3]: 各国基础研究", ("note 3", "no counterpart", "dropped")),
    Mistake("a percentage changed",
            ((f"{RD}.en.md", "Their shares were 6.03%, 11.3% and 82.7%.", "Their shares were 6.3%, 11.3% and 82.7%."),),
            f"{RD}.en.md", "Their shares were 6.3%", f"{RD}.zh.md", "分活动类型看", ("6.3% here", "6.03%")),
    Mistake("a date range shortened",
            ((f"{YS}.zh.md", "本刊记者近期采访了五位青年科学家。", "2020 年 10 月 12 日至 16 日，本刊记者采访了五位青年科学家。"),
             (f"{YS}.en.md", "We talked to five young scientists.", "From 12 to 16 October 2020, we talked to five young "
              "scientists."),
             (f"{YS}.en.md", "From 12 to 16 October 2020", "From 12 to 15 October 2020")),
            f"{YS}.en.md", "From 12 to 15 October 2020", f"{YS}.zh.md", "10 月 12 日至 16 日", ("15 October", "16 日")),
    Mistake("a name's spelling changed",
            (("news-jiuzhang.en.md", "H.-S. Zhong et al.", "H.-S. Zhang et al."),),
            "news-jiuzhang.en.md", "H.-S. Zhang", "news-jiuzhang.zh.md", "H.-S. Zhong", ("'Zhong'", "not found")),
    Mistake("a cover caption that belongs to another photo",
            (("issue.yaml", "en: A Long March-5 Y5 rocket carrying the Chang'e-5 probe lifts off from the Wenchang Spacecraft "
              "Launch Site on 24 November 2020.", "en: PLACEHOLDER"),
             ("issue.yaml", "en: Technicians check equipment at a ground station after the BeiDou-3 global navigation system "
              "was declared complete.", "en: A Long March-5 Y5 rocket carrying the Chang'e-5 probe lifts off from the Wenchang "
              "Spacecraft Launch Site on 24 November 2020."),
             ("issue.yaml", "en: PLACEHOLDER", "en: Technicians check equipment at a ground station after the BeiDou-3 "
              "global navigation system was declared complete.")),
            "issue.yaml", "images/cover-2.jpg", "issue.yaml", "images/cover-2.jpg",
            ("cover photo 2", "24 November 2020", "swapped", "cover photo 1")),
    Mistake("a sentence dropped from inside a paragraph",
            ((f"{RD}.en.md", " Spending per full-time equivalent R&D worker was 461,000 yuan, 12,000 yuan more than in the "
              "year before.", ""),),
            f"{RD}.en.md", "In 2019 China spent 2,214.36 billion yuan on R&D,", f"{RD}.zh.md", "2019 年，全国共投入",
            ("46.1 万", "1.2 万")),
)


def caught(mistake: Mistake) -> list[str]:
    """The warnings of `build.py check` on a copy of the issue with the mistake in it, that stand where they
    should and say what they should; [] when it goes unreported."""
    import contextlib
    import io
    import os
    import shutil

    import build

    with tempfile.TemporaryDirectory() as tmp:
        issue = Path(tmp) / mistake.issue
        shutil.copytree(ROOT / "content" / mistake.issue, issue)
        for name, old, new in mistake.edits:
            path = issue / name
            text = path.read_text(encoding="utf-8")
            if text.count(old) != 1:
                raise ValueError(f"{mistake.name}: {old!r} is not once in {name}")
            path.write_text(text.replace(old, new), encoding="utf-8")
        at, zh_at = _line_of(issue / mistake.at_file, mistake.at), _line_of(issue / mistake.zh_file, mistake.zh_at)
        err, here = io.StringIO(), os.getcwd()
        try:
            os.chdir(ROOT)
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                build.main(["check", str(issue)])
        finally:
            os.chdir(here)
    found = [m for m in (WARNING.match(line) for line in err.getvalue().splitlines()) if m]
    return [m[3] for m in found if Path(m[1]).name == mistake.at_file and int(m[2]) == at
            and f"{mistake.zh_file}:{zh_at}" in m[3] and all(w in m[3] for w in mistake.words)]


WARNING = re.compile(r"^(.+?):(\d+): warning: (.*)$")


def _line_of(path: Path, words: str) -> int:
    found = [i for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1) if words in line]
    if len(found) != 1:
        raise ValueError(f"{words!r} is on lines {found} of {path.name}")
    return found[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=("tune", "held-out"))
    parser.add_argument("--corpus", action="store_true", help="precision only, with every false warning")
    parser.add_argument("--mistakes", action="store_true", help="recall only, with every message")
    args = parser.parse_args(argv)
    if not args.mistakes:
        result = precision(args.part)
        if args.corpus:
            for pair, message in result["false"]:
                where = f"line {pair['line']}" if pair else "?"
                print(f"{where}: {message}\n    zh: {pair['zh'] if pair else ''}\n    en: {pair['en'] if pair else ''}")
        print(f"corpus{' (' + args.part + ')' if args.part else ''}: {result['correct']} correct pairs, "
              f"{len(result['false'])} false warnings, {result['silent']} pairs silent "
              f"({100 * result['silent'] / max(result['correct'], 1):.1f} %); "
              f"{result['differing_caught']} of {result['differing']} pairs that really differ reported")
    if not args.corpus:
        total = 0
        for mistake in MISTAKES:
            messages = caught(mistake)
            total += bool(messages)
            print(f"{'caught' if messages else 'MISSED'}  {mistake.name}: {messages[0] if messages else ''}")
        print(f"mistakes: {total} of {len(MISTAKES)} caught at their lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
