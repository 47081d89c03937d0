"""Measure the translation review: false warnings on real translations, and injected mistakes caught.

    python tools/parity_eval.py            # both, as a table
    python tools/parity_eval.py --corpus   # precision only, each false warning printed
    python tools/parity_eval.py --part held-out

Precision: every pair of tests/corpus/un2015.jsonl (published translations, see its README) is
laid out as articles of ten paragraphs each, in an issue folder of its own, and reviewed as
`check` reviews an issue; every warning on it is false. Recall: each mistake of
tests/parity_mistakes.py is injected into a copy of content/2020-06 (or 2020-02), and counted as
caught when a warning stands at its English line naming its Chinese line.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
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
        from parity_mistakes import MISTAKES, caught  # noqa: E402

        total = 0
        for mistake in MISTAKES:
            messages = caught(mistake)
            total += bool(messages)
            print(f"{'caught' if messages else 'MISSED'}  {mistake.name}: {messages[0] if messages else ''}")
        print(f"mistakes: {total} of {len(MISTAKES)} caught at their lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
