"""The line grid and the column endings of PDFs (press.pagerules.grid_share and endings):
how many right-column body lines sit on the left column's grid (and how many beside one of its
lines), on pages where both columns hold 5 body lines or more; of the right-column lines that
have a left-column body line beside them (less than a line away), how many stand on its
baseline; what the left column holds beside each of the others (a picture, a heading, the line
of space above a heading, a caption or a table, nothing below its end); and which article
endings leave one column more than a line longer than the other.

    python tools/grid_report.py build/2020-02/*.pdf [--pages]
"""

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from layout_report import read_layout  # noqa: E402

from press.pagerules import endings, grid_share  # noqa: E402

TOLERANCE = 0.5  # pt: a line on another's baseline


def beside(pdf: Path) -> tuple[int, int, Counter, list[str]]:
    """(right-column lines facing a left-column body line, of those on its baseline, what the left
    column holds beside the others by kind, one line per such right-column line), on the pages
    grid_share counts."""
    layout = read_layout(pdf)
    facing = aligned = 0
    kinds: Counter = Counter()
    where = []
    for page in layout.pages:
        left, right = page.body(0), page.body(1)
        if len(left) < 5 or len(right) < 5:
            continue
        ys = [line.baseline for line in left]
        pitch = page.line_height
        for line in right:
            y = line.baseline
            nearest = min(ys, key=lambda x: abs(x - y))
            if abs(nearest - y) < pitch - TOLERANCE:
                facing += 1
                if abs(nearest - y) <= TOLERANCE:
                    aligned += 1
                    continue
                kind = f"a left-column line {nearest - y:+.1f} pt off"
            else:
                kind = _left_holds(page, y, ys)
            kinds[kind.split(" (")[0]] += 1
            where.append(f"p{page.index + 1} {line.text[:10]!r}: {kind}")
    return facing, aligned, kinds, where


def _left_holds(page, y: float, ys: list[float]) -> str:
    pitch = page.line_height
    pictures = [im for im in page.images if (im[0] + im[2]) / 2 <= page.middle and im[1] - 2 <= y <= im[3] + 2]
    if pictures:
        return "a picture"
    other = [line for line in page.lines if line.column == 0 and line.kind != "body" and abs(line.baseline - y) < pitch]
    if other:
        line = min(other, key=lambda line: abs(line.baseline - y))
        kind = "a heading" if line.em > page.body(0)[0].em else "a caption, table or quotation"
        return f"{kind} ({line.text[:10]!r})"
    if y < min(ys):
        return "nothing: below the left column's end"
    below = [line for line in page.lines if line.column == 0 and line.kind != "body" and 0 < y - line.baseline < 2 * pitch]
    return "the space above a heading" if below else "nothing"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pdf", type=Path, nargs="+")
    parser.add_argument("--pages", action="store_true", help="the count of every page, and every line not beside one")
    args = parser.parse_args()
    for pdf in args.pdf:
        share = grid_share(pdf)
        total = share.lines or 1
        print(f"{pdf}: of {share.lines} right-column lines on {len(share.pages)} pages, {share.on_grid}"
              f" ({100 * share.on_grid / total:.0f} %) on the left column's grid, {share.beside}"
              f" ({100 * share.beside / total:.0f} %) beside a left-column line")
        facing, aligned, kinds, where = beside(pdf)
        print(f"  facing a left-column body line: {facing}, on its baseline {aligned}")
        print("  beside the others, the left column holds: " + ", ".join(f"{kind} {n}" for kind, n in kinds.most_common()))
        if args.pages:
            for page, next_to, on_grid, lines in share.pages:
                print(f"  p{page}: {on_grid}/{lines} on the grid, {next_to} beside a line")
            for line in where:
                print(f"    {line}")
        found = endings(pdf)
        unbalanced = [e for e in found if not e.balanced()]
        print(f"  endings: {len(found)}, unbalanced {len(unbalanced)}")
        for e in unbalanced if not args.pages else found:
            lines = "-" if e.left is None or e.right is None else f"{(e.left - e.right) / e.pitch:+.1f} lines"
            print(f"    p{e.page}: left ends at {e.left}, right at {e.right} ({lines})")


if __name__ == "__main__":
    main()
