"""Count the violations of the page rules (press/pagerules.py) on the printed pages of PDFs,
and how the body is set: word spaces of justified English lines, hyphenated line ends,
short Chinese lines (press.pagerules.measure_pdf), and how many table cells go on to a second
line (press.pagerules.cell_breaks; the page rule "table cell" counts those that break a number
or a term).

    python tools/clreq_report.py build/2020-02/*.pdf [--show 5]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import statistics  # noqa: E402

from press.pagerules import cell_breaks, check_pdf, measure_pdf, read_lines  # noqa: E402
from press.rules import WORD_SPACE_MAX, WORD_SPACE_MEDIAN  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pdf", type=Path, nargs="+")
    parser.add_argument("--show", type=int, default=3)
    args = parser.parse_args()
    for pdf in args.pdf:
        totals: dict[str, list[str]] = {}
        for page, rule, problem in check_pdf(pdf):
            totals.setdefault(rule, []).append(f"p{page}: {problem}")
        print(f"{pdf}: {sum(map(len, totals.values()))} problems")
        for rule, found in totals.items():
            print(f"  {rule:24} {len(found):4}  {'; '.join(found[:args.show])}")
        import pypdfium2 as pdfium

        breaks = [f"p{i + 1}: {a!r} / {b!r}" for i in range(len(pdfium.PdfDocument(pdf)))
                  for a, b in cell_breaks(read_lines(pdf, i))]
        if breaks:
            print(f"  Tables: {len(breaks)} cells go on to a second line  {'; '.join(breaks[:args.show])}")
        m = measure_pdf(pdf)
        if m.english_lines:
            low, high = WORD_SPACE_MEDIAN
            print(f"  English: {m.english_lines} justified lines, {len(m.loose)} with a word space over {WORD_SPACE_MAX} em"
                  f" ({100 * len(m.loose) / m.english_lines:.1f} %), median space {statistics.median(m.spaces):.3f} em"
                  f" ({low}-{high} wanted),"
                  f" {m.hyphenated} hyphenated ends, longest run {m.longest_hyphen_run}")
            for page, space, text in sorted(m.loose, key=lambda found: -found[1])[:args.show]:
                print(f"    p{page} {space:.2f} em  {text!r}")
        if m.chinese_lines:
            print(f"  Chinese: {m.chinese_lines} body lines, {len(m.short)} short"
                  " (1-8 em before the edge, not a paragraph's end)")
            for page, gap, text in sorted(m.short, key=lambda found: -found[1])[:args.show]:
                print(f"    p{page} {gap:.2f} em short  {text!r}")


if __name__ == "__main__":
    main()
