"""The HTML proof: every printed page as an image, and a reading view of the articles.

The page images are rasterised from the bilingual PDF that `pdf` writes
(never from a second rendering), so the proof cannot differ from print.
The folder opens from disk with no server: index.html, pages/, images/.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


from .article import ArticleKey
from .errors import PressError, Problem
from .issue import Issue
from .manifest import file_digest
from .markup import ArticleHtml
from .output import make_folder, replace_atomically, sweep_temporaries, write_atomically
from .parity import review
from .reading import reading_view, row_of
from .render import environment
from .session import Session
from .sources import as_written

DPI = 110


@dataclass(frozen=True)
class ProofArticle:
    slug: str
    title: str
    lang: str
    first_page: int  # as printed in the bilingual issue


class PdfPages:
    """The pages of a PDF, as the proof draws and reads them."""

    def __init__(self, pdf: Path):
        import pypdfium2 as pdfium

        self.doc = pdfium.PdfDocument(pdf)

    def __len__(self) -> int:
        return len(self.doc)

    def image(self, i: int):
        # In RGB order, as PIL holds an image: to_pil then takes the bitmap as it is. In PDFium's
        # BGR it made a converted copy of every page drawn (2-5 ms of an edit's 25-30 ms a page);
        # the pixels are the same.
        return self.doc[i].render(scale=DPI / 72, rev_byteorder=True).to_pil()

    def text(self, i: int) -> str:
        return self.doc[i].get_textpage().get_text_range()


class LaidOutPages:
    """The pages of an edition as laid out (press.edition.EditionLayout), before its PDF is put
    together: each page of a typeset part with its page of the overlay drawn over it, as
    press.finish.assemble stamps it. What serve shows at once, while the PDFs are being written:
    putting the bilingual issue together (pypdf, in Python) would delay every proof."""

    def __init__(self, layout):
        self.places = [(part.pdf, i) for part in layout.parts for i in range(part.pages)]
        self.overlays = [(overlay.pdf, i) for overlay in layout.overlays for i in range(overlay.pages)]
        self.docs: dict[bytes, object] = {}  # each part opened once, when one of its pages is drawn or read
        self.pages: dict[tuple[bytes, int], object] = {}  # and each page loaded once, to be drawn and read

    def __len__(self) -> int:
        return len(self.places)

    def _page(self, place: tuple[bytes, int]):
        import pypdfium2 as pdfium

        if place not in self.pages:
            pdf, i = place
            if pdf not in self.docs:
                self.docs[pdf] = pdfium.PdfDocument(pdf)
            self.pages[place] = self.docs[pdf][i]
        return self.pages[place]

    def image(self, i: int):
        import pypdfium2.raw as pdfium_c

        bitmap = self._page(self.places[i]).render(scale=DPI / 72, rev_byteorder=True)  # RGB: as PdfPages.image
        if i < len(self.overlays):
            # Drawn onto the same bitmap, after the page, as the assembled PDF draws its overlay:
            # the same pixels as the assembled page (tests/test_proof_pages.py).
            pdfium_c.FPDF_RenderPageBitmap(bitmap, self._page(self.overlays[i]), 0, 0, bitmap.width, bitmap.height, 0,
                                           pdfium_c.FPDF_ANNOT | pdfium_c.FPDF_REVERSE_BYTE_ORDER)
        return bitmap.to_pil()

    def text(self, i: int) -> str:
        text = self._page(self.places[i]).get_textpage().get_text_range()
        if i < len(self.overlays):  # as PDFium reads the stamped page: its own text, then the overlay's
            text += "\r\n" + self._page(self.overlays[i]).get_textpage().get_text_range()
        return text


def make_proof(issue: Issue, bodies: dict[ArticleKey, ArticleHtml], doc: PdfPages | LaidOutPages, pdf_dir: Path,
               first_pages: dict[ArticleKey, int], block_pages: dict[ArticleKey, dict[int, int]], page_keys: list[str],
               templates_dir: Path, fonts: Callable[[], dict[str, bytes]],
               out_dir: Path, warnings: list[Problem] = (), session: Session | None = None,
               faults: dict[int, tuple[str, ...]] | None = None,
               tell: Callable[[str, list[str]], None] | None = None) -> Path:
    """The proof of the pages of `doc`, linking the PDFs of the issue in `pdf_dir`. `fonts()`: the
    faces of the reading view by file name, made while the pages are drawn (their subsets, 10 ms an edit).

    `tell` (serve): told ("proof", the pages still being drawn, by file name) as soon as the index is
    written, then ("drawn", [name]) as each of those is written. Open tabs are told of the new proof
    while its pages are drawn, and fetch each one as it is written (press/serve.py holds a request
    for a page until then): an edit's one or two pages, drawn in 35-45 ms, took longer than its
    reading view and index, and the tabs heard of the proof only once the last was drawn."""
    import json

    pages_dir = make_folder(out_dir / "pages")
    for folder in (out_dir, pages_dir, out_dir / "fonts"):
        sweep_temporaries(folder)
    # Only pages that changed are drawn again: the build names every page by what it holds, and
    # the image drawn of it is used again only if it still holds what was written (a cut or
    # changed file is drawn again, as a damaged cache entry is made again).
    known_file = pages_dir / "pages.json"
    try:
        known = json.loads(known_file.read_text())
    except (OSError, ValueError):
        known = {}
    keys = page_keys if len(page_keys) == len(doc) else [None] * len(doc)
    names = [f"p{i + 1:03d}.jpg" for i in range(len(doc))]
    changed = [i for i, name in enumerate(names) if keys[i] is None or (known.get(name) or [None])[0] != keys[i]]
    articles = [ProofArticle(key.slug, bodies[key].article.meta.title, key.lang, first_pages.get(key, 0))
                for lang in ("zh", "en") for slug in issue.slugs if (key := ArticleKey(slug, lang)) in bodies]
    pdfs = [f"{issue.id}.pdf", f"{issue.id}.zh.pdf", f"{issue.id}.en.pdf"]

    def index(pairs) -> str:
        return environment(templates_dir, session).get_template("proof.html.j2").render(
            issue=issue, pages=names, file_versions=versions, articles=articles, slugs=issue.slugs,
            fonts=sorted(files), pairs=pairs, warnings=[(w.format(issue.dir), row_of(pairs).get(w)) for w in warnings],
            # Counted apart: a note (an article in one language) is not something to fix.
            counts={severity: sum(w.severity == severity for w in warnings) for severity in ("warning", "note")},
            pdfs=[] if faults else pdfs, faults=faults or {})

    # The pages are drawn in a thread of their own while this one makes the rest of the proof:
    # PDFium and the JPEG encoder let go of the interpreter while they work, and the rest is
    # Python (an edit's one or two pages, 35-45 ms, beside its reading view and index, 40 ms).
    # PDFium is used from that thread alone meanwhile: it is not made for two. The pages whose
    # content changed are drawn at once; each of the others is read meanwhile (28 files of 2020-02)
    # and drawn after them if its file is not the one written.
    html, written = None, None
    with ThreadPoolExecutor(1) as pool:  # waits for the drawing, whatever happens here
        # One page a task, in order: each is known to be written as soon as it is (`tell`).
        drawing = {i: pool.submit(_draw_pages, doc, [(i, pages_dir / names[i])]) for i in changed}
        others = sorted(set(range(len(names))) - set(changed))
        # Each read and digested again only if its inode, size or times changed since it was last
        # (serve: 28 files of 2020-02 each edit, 3 ms), as the build reads its sources.
        kept, used = (session.page_files if session is not None else None), set()
        found = {names[i]: _digest_of(pages_dir / names[i], kept, used) for i in others}
        if kept is not None:  # those of pages no longer there, or written since, go
            for gone in set(kept) - used:
                del kept[gone]
        damaged = [i for i in others if known.get(names[i]) != [keys[i], found[names[i]]]]
        drawing.update((i, pool.submit(_draw_pages, doc, [(i, pages_dir / names[i])])) for i in damaged)
        files = fonts()
        versions = {name: _version(data) for name, data in files.items()}
        _write_fonts_and_images(issue, bodies, files, out_dir)
        # The reading view: each article's aligned rows, and every warning of the build (not only the parity ones).
        pairs = reading_view(issue, review(issue, session), first_pages, block_pages)
        if all(keys):  # every page's URL known before it is drawn (by its key): the index too
            versions.update((name, key[:16]) for name, key in zip(names, keys))
            html = index(pairs)
            if tell is not None:
                written = write_atomically(out_dir / "index.html", html, durable=False)
                coming = [i for i, task in drawing.items() if not task.done()]
                tell("proof", [names[i] for i in coming])
                for i in coming:
                    found.update(drawing[i].result())
                    tell("drawn", [names[i]])
    for task in drawing.values():
        found.update(task.result())
    drawn = {name: [key, found[name]] if key else None for name, key in zip(names, keys)}
    write_atomically(known_file, json.dumps(drawn), durable=False)
    for stale in set(os.listdir(pages_dir)) - set(names) - {"pages.json"}:
        _remove(pages_dir / stale)
    if html is None:
        versions.update((name, key[:16] if key else _version((pages_dir / name).read_bytes()))
                        for name, key in zip(names, keys))
        html = index(pairs)
    if not faults:  # a draft (a build that failed) links to no PDF: none was written
        link_pdfs([pdf_dir / name for name in pdfs], out_dir)
        if (out_dir / "draft.pdf").exists():  # a failed build's, now mended
            _remove(out_dir / "draft.pdf")
    return written or write_atomically(out_dir / "index.html", html, durable=False)


def _draw_pages(doc: PdfPages | LaidOutPages, pages: list[tuple[int, Path]]) -> dict[str, str | None]:
    """Each page's image written where it goes; the digest of each file, by its name."""
    digests = {}
    for i, path in pages:
        _write_image(path, doc.image(i))
        digests[path.name] = _digest_of(path)
    return digests


def _write_fonts_and_images(issue: Issue, bodies: dict[ArticleKey, ArticleHtml], fonts: dict[str, bytes],
                            out_dir: Path) -> None:
    """The proof's fonts and images."""
    # The project's own faces, so the reading view looks the same on any machine.
    make_folder(out_dir / "fonts")
    for name, data in fonts.items():
        _write_bytes_if_changed(out_dir / "fonts" / name, data)
    # The images the reading view shows, each where its article names it (preflight has made
    # sure each is a file inside the issue folder): never a whole folder, which may hold anything.
    for src in sorted({image.src for body in bodies.values() for image in body.images}):
        target = out_dir / src
        source = as_written(issue.dir, src)
        if source.resolve().is_relative_to(issue.dir.resolve()) and target.resolve().is_relative_to(out_dir.resolve()):
            _copy_if_changed(source, target)


def link_pdfs(pdfs: list[Path], out_dir: Path) -> None:
    """The PDFs the proof links to, in the proof folder itself: `serve` serves nothing outside
    it, and the folder opens from disk the same. Hard links cost no space; each build writes
    its PDFs anew (press/output.py), so they are linked again after every build."""
    for pdf in pdfs:
        if not pdf.is_file():
            continue  # a single-language edition that this issue does not have
        target = out_dir / pdf.name
        if target.is_file() and os.path.samefile(pdf, target):
            continue  # linked already (the bilingual issue, by the early proof of serve)

        def link(tmp: Path, pdf: Path = pdf) -> None:
            try:
                os.link(pdf, tmp)
            except OSError:  # another file system, or one without hard links
                shutil.copyfile(pdf, tmp)

        replace_atomically(out_dir / pdf.name, link)  # a folder of that name in the proof folder: an error line


def _copy_if_changed(source: Path, target: Path) -> Path:
    """copy2, unless the target is a copy2 of the same file already (same size and time)."""
    if target.is_file():
        old, new = os.stat(target), os.stat(source)
        if (old.st_size, old.st_mtime_ns) == (new.st_size, new.st_mtime_ns):
            return target
    return replace_atomically(target, lambda tmp: shutil.copy2(source, tmp))


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise PressError.at(path, None, f"cannot be removed: {exc.strerror or exc}", code="output.remove") from None


def _version(data: bytes) -> str:
    """Names a file's content in the URLs of the index (?v=…): a browser may keep what it
    fetched, since a changed page or font comes under a new URL (see press/serve.py)."""
    return hashlib.sha256(data).hexdigest()[:16]


def _digest_of(path: Path, known: dict | None = None, used: set | None = None) -> str | None:
    """`known`, `used`: as press.manifest.file_digest keeps and marks what it read."""
    try:
        if known is not None:
            return file_digest(path, used, known).hex()
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:  # none yet, or a folder in its place (or anything but a file: never opened)
        return None


def _write_image(path: Path, image) -> None:
    import io

    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    _write_bytes_if_changed(path, buffer.getvalue())


def _write_bytes_if_changed(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    write_atomically(path, data, durable=False)
