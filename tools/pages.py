"""Render the pages of a PDF to PNG files, to look at them.

    python tools/pages.py build/2020-02/2020-02.pdf /tmp/pages [--dpi 100]
    python tools/pages.py build/2020-02/2020-02.pdf docs --pages 1,2,7,12 --strip docs/pages.jpg
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
    parser.add_argument("--strip", type=Path, help="instead of PNGs, one JPEG of the pages side by side (the README's picture)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pdf = pdfium.PdfDocument(args.pdf)
    wanted = range(len(pdf))
    if args.pages:
        wanted = []
        for chunk in args.pages.split(","):
            a, _, b = chunk.partition("-")
            wanted += range(int(a) - 1, int(b or a))
    images = [pdf[i].render(scale=args.dpi / 72).to_pil() for i in wanted]
    if args.strip:
        from PIL import Image

        gap = 12
        strip = Image.new("RGB", (sum(im.width for im in images) + gap * (len(images) + 1), max(im.height for im in images) + 2 * gap), "#d9dde3")
        x = gap
        for image in images:
            strip.paste(image, (x, gap))
            x += image.width + gap
        strip.save(args.strip, quality=82)
    else:
        for i, image in zip(wanted, images):
            image.save(args.out / f"{args.pdf.stem}-p{i + 1:02d}.png")
    print(f"{len(pdf)} pages")


if __name__ == "__main__":
    main()
