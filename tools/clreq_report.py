"""Count clreq violations on the printed pages of a PDF (see press/clreq.py for the rules).

    python tools/clreq_report.py build/2020-02/2020-02.zh.pdf [--show 5]
"""

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from pdftext import page_lines  # noqa: E402
from press.clreq import check_lines  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pdf", type=Path)
    parser.add_argument("--show", type=int, default=3)
    args = parser.parse_args()
    import pypdfium2 as pdfium

    totals: dict[str, list[str]] = {}
    for index in range(len(pdfium.PdfDocument(args.pdf))):
        lines = page_lines(args.pdf, index)
        widths = [g.right - g.left for line in lines for g in line if "\u4e00" <= g.char <= "\u9fff"]
        em = statistics.median(widths) if widths else 10.0
        for rule, found in check_lines(lines, em).items():
            totals.setdefault(rule, []).extend(f"p{index + 1}: {f}" for f in found)
    for rule, found in totals.items():
        print(f"{rule:24} {len(found):4}  {'; '.join(found[:args.show])}")


if __name__ == "__main__":
    main()
