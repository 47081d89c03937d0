"""Count the violations of the page rules (press/pagerules.py) on the printed pages of PDFs.

    python tools/clreq_report.py build/2020-02/*.pdf [--show 5]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from press.pagerules import check_pdf  # noqa: E402


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


if __name__ == "__main__":
    main()
