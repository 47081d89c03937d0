"""Build an issue as an editor's last change would leave it, one sentence more or fewer in
one article at a time, and print tools/layout_report.py's counts for each variant: what
the page make-up does with copy it was not tuned on (issue 21's robustness).

    python tools/one_sentence.py content/2020-09 [content/2020-06 ...] [--articles 3] [--keep DIR]

For each issue, three articles of different slugs are taken (the issue's order, languages in
turn, English first); in each, the body paragraph at two thirds of the article gets its first
sentence again at its end (+1), or loses its last sentence (−1). Each variant is a copy of the
issue folder in a temporary folder, built with build.py pdf; the counts are of its
reading PDFs (zh and en, added up), with the build's warnings by code. The original is built
too, as the first row.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import layout_report  # noqa: E402
import yaml  # noqa: E402

# A sentence ends at its stop and the space after it (English), or at a full stop (Chinese).
SENTENCE = re.compile(r".+?(?:[.!?][”\"’)]?(?:\[\^\w+\])?(?=\s|$)|[。！？][”」』）]?(?:\[\^\w+\])?)", re.S)


def sentences(paragraph: str) -> list[str]:
    found = [m.group(0) for m in SENTENCE.finditer(paragraph)]
    rest = paragraph[sum(len(s) for s in found):]
    return found + ([rest] if rest.strip() else [])


def body_paragraphs(lines: list[str]) -> list[int]:
    """Indexes of the lines that are whole plain paragraphs of the body (after the front matter;
    no heading, list, table, quote, picture or note)."""
    fences = [i for i, line in enumerate(lines) if line.strip() == "---"]
    start = fences[1] + 1 if len(fences) > 1 and fences[0] == 0 else 0
    found = []
    for i in range(start, len(lines)):
        line = lines[i].strip()
        if not line or line[0] in "#|>-*![" or re.match(r"\d+\.", line):
            continue
        if (i == 0 or not lines[i - 1].strip()) and (i + 1 == len(lines) or not lines[i + 1].strip()):
            found.append(i)
    return found


def variant(text: str, change: int) -> str | None:
    """The article with its paragraph at two thirds a sentence longer or shorter, or None when
    no paragraph there has two sentences."""
    lines = text.split("\n")
    # A sentence taken out never takes a note's call with it (its note would be left uncalled).
    candidates = [i for i in body_paragraphs(lines) if len(sentences(lines[i])) >= 2
                  and (change > 0 or "[^" not in sentences(lines[i])[-1])]
    if not candidates:
        return None
    i = candidates[(2 * len(candidates)) // 3 if len(candidates) > 1 else 0]
    parts = sentences(lines[i])
    if change > 0:
        first = re.sub(r"\[\^\w+\]", "", parts[0]).strip()  # a note is called once
        joiner = "" if re.search(r"[\u3000-\u9fff]$", parts[-1].rstrip()) else " "
        lines[i] = lines[i].rstrip() + joiner + first
    else:
        lines[i] = "".join(parts[:-1]).rstrip()
    return "\n".join(lines)


def chosen_articles(issue: Path, count: int) -> list[Path]:
    slugs = []
    for path in sorted(issue.glob("*.md")):
        parts = path.name.split(".")
        if len(parts) == 3 and parts[1] in ("zh", "en") and parts[0] not in slugs:
            slugs.append(parts[0])
    listed = yaml.safe_load((issue / "issue.yaml").read_text(encoding="utf-8")).get("articles") or []
    order = [a if isinstance(a, str) else next(iter(a), "") if isinstance(a, dict) else "" for a in listed]
    slugs.sort(key=lambda s: order.index(s) if s in order else len(order))
    picked = []
    for n, slug in enumerate(slugs[:count]):
        for lang in (("en", "zh") if n % 2 == 0 else ("zh", "en")):
            if (issue / f"{slug}.{lang}.md").is_file():
                picked.append(issue / f"{slug}.{lang}.md")
                break
    return picked


def counts(issue: Path, out: Path) -> dict[str, int]:
    build = subprocess.run([sys.executable, str(ROOT / "build.py"), "pdf", str(issue), "-o", str(out)],
                           capture_output=True, text=True, cwd=ROOT)
    if build.returncode != 0:
        return {"exit": build.returncode}
    # The reading PDFs, one language each: in the combined PDF, the report takes the face with
    # the most glyphs for the body, and a part grown longer in the other language can turn the
    # first part's body lines into "other" (2020-12 with a sentence more in open-genomes.en).
    found, on, total = Counter(), 0, 0
    for pdf in sorted(out.glob(f"{issue.name}.*.pdf")):
        if pdf.suffixes[-2] not in (".zh", ".en"):
            continue
        layout = layout_report.read_layout(pdf)
        found.update({name: len(count(layout)) for name, count in layout_report.COUNTS.items()})
        share = layout_report.grid_share(layout)
        on, total = on + share[0], total + share[1]
        found["pages"] += len(layout.pages)
    found = {name: found[name] for name in layout_report.COUNTS} | {"grid %": round(100 * on / total) if total else 0,
                                                                    "pages": found["pages"]}
    warnings = Counter(m.group(1) for m in re.finditer(r"warning: .*\[([\w.]+)\]", build.stderr))
    found["warnings"] = sum(warnings.values())
    found["codes"] = " ".join(f"{code}×{n}" for code, n in sorted(warnings.items()))
    return found


SHORT = {"notes off their call's page": "notes", "openings without body text": "open", "holes": "holes",
         "white over a line (no grid)": "white", "holes above floats": "float-h", "tails": "tails",
         "unbalanced endings": "uneven", "note calls at line starts": "calls", "broken table cells": "cells"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("issue", type=Path, nargs="+")
    parser.add_argument("--articles", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the variants' folders and PDFs here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="one-sentence-") as scratch:
        base = args.keep or Path(scratch)
        for issue in args.issue:
            issue = issue.resolve()
            rows = [("original", counts(issue, base / issue.name / "original" / "out"))]
            for article in chosen_articles(issue, args.articles):
                for change in (+1, -1):
                    text = variant(article.read_text(encoding="utf-8"), change)
                    if text is None:
                        continue
                    name = f"{article.name.removesuffix('.md')}{'+1' if change > 0 else '-1'}"
                    copy = base / issue.name / name / issue.name
                    shutil.rmtree(copy, ignore_errors=True)
                    shutil.copytree(issue, copy)
                    (copy / article.name).write_text(text, encoding="utf-8")
                    rows.append((name, counts(copy, copy.parent / "out")))
            keys = [k for k in rows[0][1] if k != "codes"]
            print(f"{issue.name + ':':26} " + " ".join(f"{SHORT.get(k, k):>8}" for k in keys) + "  warnings by code")
            for name, found in rows:
                cells = " ".join(f"{found.get(k, '-')!s:>8}" for k in keys)
                print(f"  {name:24} {cells}  {found.get('codes', '')}", flush=True)


if __name__ == "__main__":
    main()
