"""Count the violations of the page rules (press/pagerules.py) on the printed pages of PDFs,
and how the body is set: word spaces of justified English lines, hyphenated line ends,
short Chinese lines (press.pagerules.measure_pdf), and how many table cells go on to a second
line (press.pagerules.cell_breaks; the page rule "table cell" counts those that break a number
or a term). With --issue, also who set the justified lines of each article part: the paragraph
composer (press/paragraphs.py), or WeasyPrint and why (composer_lines).

    python tools/clreq_report.py build/2020-02/*.pdf [--show 5] [--issue content/2020-02]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import statistics  # noqa: E402
from collections import Counter  # noqa: E402

from press.pagerules import cell_breaks, check_pdf, measure_pdf, read_lines  # noqa: E402
from press.rules import WORD_SPACE_MAX, WORD_SPACE_MEDIAN  # noqa: E402


SET_BY_COMPOSER = ("planned", "replanned", "shortened")  # press.paragraphs: any other answer is a line WeasyPrint set


def composer_lines(issue_dir: Path) -> dict[str, Counter]:
    """Article part (its key) → its justified English and Chinese lines by who set them, as the
    build's typesetting records them in each part (press.typeset.TypesetPart.composer). The
    parts come from the project's part cache when the issue was built with this code, else they
    are typeset now."""
    from press.config import load_config
    from press.edition import article_runs
    from press.fonts import subset_fonts
    from press.render import Renderer
    from press.session import Session
    from press.stages import characters, check
    from press.typeset import Typesetting

    cfg, session = load_config(str(issue_dir)), Session()
    checked = check(cfg, session)
    renderer = Renderer(cfg.templates_dir)
    runs = article_runs(checked.issue, checked.bodies)
    pages = [renderer.articles(checked.issue, [checked.bodies[key] for key in run]) for run in runs.values()]
    with Typesetting(cfg, session) as typesetting:
        typesetting.use_fonts(subset_fonts(cfg.fonts_dir, characters(checked.issue, pages, cfg.templates_dir),
                                           cfg.cache_dir))
        return {part.key: Counter(dict(part.composer)) for part in typesetting.many(pages)}


def fallbacks(lines: Counter) -> Counter:
    """The lines of `lines` (composer_lines) that WeasyPrint set, by reason."""
    return Counter({how: n for how, n in lines.items() if how not in SET_BY_COMPOSER})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pdf", type=Path, nargs="*")
    parser.add_argument("--show", type=int, default=3)
    parser.add_argument("--issue", type=Path, action="append", default=[],
                        help="an issue folder: count the lines its composer set and those it left to WeasyPrint")
    args = parser.parse_args()
    for issue_dir in args.issue:
        parts = composer_lines(issue_dir)
        total = sum(parts.values(), Counter())
        left = fallbacks(total)
        print(f"{issue_dir}: {sum(total[how] for how in SET_BY_COMPOSER)} justified lines set by the composer"
              f" ({total['replanned']} from a plan made again mid-paragraph, {total['shortened']} a word short of"
              f" their plan), {sum(left.values())} by WeasyPrint")
        for key, lines in parts.items():
            for how, n in fallbacks(lines).most_common():
                print(f"  {key}: {n} lines, {how}")
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
                  f" ({low}-{high} wanted), the narrowest twentieth under"
                  f" {statistics.quantiles(m.spaces, n=20)[0]:.3f} em (how far lines shrink),"
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
