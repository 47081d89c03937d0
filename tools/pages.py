"""Render the pages of a PDF to PNG files, to look at them.

    python tools/pages.py build/2020-02/2020-02.pdf /tmp/pages [--dpi 100]
"""

import argparse
from pathlib import Path

import pypdfium2 as pdfium


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pdf", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--dpi", type=float, default=100)
    parser.add_argument("--pages", help="e.g. 1,3-5 (1-based)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pdf = pdfium.PdfDocument(args.pdf)
    wanted = range(len(pdf))
    if args.pages:
        wanted = []
        for chunk in args.pages.split(","):
            a, _, b = chunk.partition("-")
            wanted += range(int(a) - 1, int(b or a))
    for i in wanted:
        image = pdf[i].render(scale=args.dpi / 72).to_pil()
        image.save(args.out / f"{args.pdf.stem}-p{i + 1:02d}.png")
    print(f"{len(pdf)} pages")


if __name__ == "__main__":
    main()
