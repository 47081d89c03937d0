"""Page-level visual regression: which pages moved since they were approved.

Every page is rasterised (pypdfium2) at a fixed resolution in grey and
compared with its approved baseline PNG. The comparison runs on whole
pages with numpy. Anti-aliasing is told from change by comparing each
pixel's 3×3 mean rather than the pixel alone: text that moved by a
fraction of a pixel only trades grey between neighbouring edge pixels,
which the mean absorbs (measured: at most 50 grey levels for a 0.6 px
shift of 12 px glyphs), while a changed character moves whole strokes
(60 to 90 levels). Simpler than pixelmatch's per-pixel anti-aliasing
test, and tuned on the page sizes this resolution gives. A different page
count or page size fails outright.
"""

from __future__ import annotations

import html
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image

DPI = 100  # 827 × 1169 pixels for A4: small enough to commit, fine enough to see one changed character
THRESHOLD = 55  # grey levels (of 255), after the 3×3 mean, below which two pixels are the same
MAX_CHANGED = 2  # pixels per page that may differ beyond anti-aliasing


@dataclass(frozen=True)
class PageDiff:
    page: int  # 1-based
    changed: int
    box: tuple[int, int, int, int] | None  # left, top, right, bottom in baseline pixels

    @property
    def passed(self) -> bool:
        return self.changed <= MAX_CHANGED


@dataclass(frozen=True)
class PdfDiff:
    name: str
    problem: str | None  # page count or page size changed
    pages: tuple[PageDiff, ...]

    @property
    def failed_pages(self) -> list[PageDiff]:
        return [p for p in self.pages if not p.passed]

    @property
    def passed(self) -> bool:
        return self.problem is None and not self.failed_pages


def rasterize(pdf: Path | bytes, dpi: int = DPI) -> list[np.ndarray]:
    doc = pdfium.PdfDocument(pdf)
    return [np.asarray(doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")) for i in range(len(doc))]


def compare_pages(baseline: np.ndarray, current: np.ndarray, page: int = 1) -> PageDiff:
    ys, xs = np.nonzero(changed_pixels(baseline, current))
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1) if len(xs) else None
    return PageDiff(page, int(len(xs)), box)


def changed_pixels(baseline: np.ndarray, current: np.ndarray) -> np.ndarray:
    """The pixels that differ beyond anti-aliasing, as a boolean mask."""
    return np.abs(_blur(baseline) - _blur(current)) > THRESHOLD


def _blur(img: np.ndarray) -> np.ndarray:
    """Mean of each pixel's 3×3 neighbourhood."""
    padded = np.pad(img.astype(np.float32), 1, mode="edge")
    h, w = img.shape
    return sum(padded[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3)) / 9


def compare_pdf(pdf: Path, baseline_dir: Path) -> PdfDiff:
    current = rasterize(pdf)
    baselines = sorted(baseline_dir.glob("p*.png"))
    if len(baselines) != len(current):
        return PdfDiff(pdf.name, f"{len(current)} pages, the baseline has {len(baselines)}", ())
    pages = []
    for number, (path, page) in enumerate(zip(baselines, current), start=1):
        base = np.asarray(Image.open(path).convert("L"))
        if base.shape != page.shape:
            return PdfDiff(pdf.name, f"page {number} is {page.shape[1]}×{page.shape[0]} px, the baseline {base.shape[1]}×{base.shape[0]}", ())
        pages.append(compare_pages(base, page, number))
    return PdfDiff(pdf.name, None, tuple(pages))


def write_baselines(pdf: Path, baseline_dir: Path) -> int:
    """Accept the current pages: the one explicit step that changes baselines."""
    if baseline_dir.exists():
        shutil.rmtree(baseline_dir)
    baseline_dir.mkdir(parents=True)
    pages = rasterize(pdf)
    for number, page in enumerate(pages, start=1):
        Image.fromarray(page).save(baseline_dir / f"p{number:03d}.png", optimize=True)
    return len(pages)


def write_report(diffs: list[tuple[PdfDiff, Path, Path]], out_dir: Path) -> Path:
    """An HTML page with baseline, current and highlighted difference of every changed page."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for diff, pdf, baseline_dir in diffs:
        if diff.problem:
            rows.append(f"<h2>{html.escape(diff.name)}</h2><p class=fail>{html.escape(diff.problem)}</p>")
            continue
        if diff.passed:
            continue
        current = rasterize(pdf)
        rows.append(f"<h2>{html.escape(diff.name)}</h2>")
        for page in diff.failed_pages:
            stem = f"{Path(diff.name).stem}-p{page.page:03d}"
            base = np.asarray(Image.open(baseline_dir / f"p{page.page:03d}.png").convert("L"))
            cur = current[page.page - 1]
            Image.fromarray(base).save(out_dir / f"{stem}-baseline.png")
            Image.fromarray(cur).save(out_dir / f"{stem}-current.png")
            _highlight(base, cur).save(out_dir / f"{stem}-diff.png")
            rows.append(
                f"<h3>page {page.page}: {page.changed} pixels changed, box {page.box}</h3><div class=row>"
                + "".join(f'<figure><img src="{stem}-{kind}.png"><figcaption>{kind}</figcaption></figure>'
                          for kind in ("baseline", "current", "diff")) + "</div>")
    report = out_dir / "index.html"
    report.write_text(
        "<!doctype html><meta charset=utf-8><title>Changed pages</title><style>"
        "body{font-family:sans-serif;margin:2em} .row{display:flex;gap:1em} figure{margin:0}"
        "img{border:1px solid #999;max-width:32vw} .fail{color:#b00}</style>"
        "<h1>Changed pages</h1>" + ("".join(rows) or "<p>No page changed.</p>"), encoding="utf-8")
    return report


def _highlight(base: np.ndarray, cur: np.ndarray) -> Image.Image:
    changed = changed_pixels(base, cur)
    rgb = np.stack([cur, cur, cur], axis=-1).astype(np.uint8) // 2 + 127
    rgb[changed] = (220, 0, 0)
    return Image.fromarray(rgb)


