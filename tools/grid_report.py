"""The line grid and the column endings of PDFs (press.pagerules.grid_share and endings):
how many right-column body lines sit on the left column's grid (and how many beside one of its
lines), on pages where both columns hold 5 body lines or more, and which article endings leave one column more than a line
longer than the other.

    python tools/grid_report.py build/2020-02/*.pdf [--pages]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from press.pagerules import endings, grid_share  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pdf", type=Path, nargs="+")
    parser.add_argument("--pages", action="store_true", help="the count of every page")
    args = parser.parse_args()
    for pdf in args.pdf:
        share = grid_share(pdf)
        total = share.lines or 1
        print(f"{pdf}: of {share.lines} right-column lines on {len(share.pages)} pages, {share.on_grid}"
              f" ({100 * share.on_grid / total:.0f} %) on the left column's grid, {share.beside}"
              f" ({100 * share.beside / total:.0f} %) beside a left-column line")
        if args.pages:
            for page, beside, on_grid, lines in share.pages:
                print(f"  p{page}: {on_grid}/{lines} on the grid, {beside} beside a line")
        found = endings(pdf)
        unbalanced = [e for e in found if not e.balanced()]
        print(f"  endings: {len(found)}, unbalanced {len(unbalanced)}")
        for e in unbalanced if not args.pages else found:
            lines = "-" if e.left is None or e.right is None else f"{(e.left - e.right) / e.pitch:+.1f} lines"
            print(f"    p{e.page}: left ends at {e.left}, right at {e.right} ({lines})")


if __name__ == "__main__":
    main()
