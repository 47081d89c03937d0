"""Find every problem of an issue before anything is typeset.

Checks what the loader and the Markdown stage cannot see alone: that
every character can be drawn by the project's fonts, that every image
is inside the issue folder, readable and sharp enough at its printed
size, and that the two language versions of an article match.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import re
import unicodedata
import warnings
from array import array
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import PIL
from PIL import Image, ImageFile, UnidentifiedImageError

from .article import ArticleKey
from .cache import Cache
from .errors import Problem, error, fails, note, warning
from .fonts import coverage, font_files
from .issue import Issue, load_issue
from .manifest import LARGE_FILE, file_digest, file_state
from .markup import ArticleHtml, to_html
from .rules import FULLWIDTH, QUARTER_EM, THIRD_EM, WORD_JOINER
from .session import Session
from .sources import as_written, exists, problem

# Printed widths (mm) from styles/press.css: a figure spans one column, a cover photo half the text block.
FIGURE_WIDTH_MM = 84.7
COVER_WIDTH_MM = 85.0
WIDE_WIDTH_MM = 176.4  # a wide figure ({.wide}) spans the text block
MAX_PIXELS = 40_000_000  # 8000 × 5000: far beyond any print need; decoding it takes about 120 MB
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff"}


@dataclass(frozen=True)
class Parsed:
    """The issue loaded and every article converted: what finds most faults of the sources (the
    YAML, the Markdown, the limits) for a fraction of the check's cost, and what preflight reads."""
    issue: Issue
    bodies: dict[ArticleKey, ArticleHtml]

    def fails(self, strict: bool) -> bool:
        """Whether the check will fail, whatever the rest of it finds."""
        found = [*self.issue.problems, *(p for body in self.bodies.values() for p in body.problems)]
        return any(fails(p, strict) for p in found)


def parse(issue_dir: Path, session: Session | None = None) -> Parsed:
    issue = load_issue(issue_dir)
    return Parsed(issue, {a.key: to_html(a, session) for a in issue.articles})


def preflight(issue: Issue, bodies: dict[ArticleKey, ArticleHtml], fonts_dir: Path,
              session: Session | None = None, cache_dir: Path | None = None) -> list[Problem]:
    """`cache_dir`: where what the fonts cover and which photos decode whole are kept from one run
    to the next (_drawable, _decode), and what was found damaged there is said as a note."""
    problems = list(issue.problems)
    for body in bodies.values():
        problems.extend(body.problems)
    cache = Cache(cache_dir) if cache_dir is not None else None
    drawable = _drawable(Path(fonts_dir), session, cache)
    problems += _glyphs(issue.yaml_path, issue.yaml_text, 1, drawable)
    for article in issue.articles:
        problems += _glyphs(article.path, article.text, 1, drawable)
    for body in bodies.values():
        problems += _entity_glyphs(body, drawable)
    for photo in issue.cover:
        problems += _image(issue, issue.yaml_path, photo.line, photo.image, COVER_WIDTH_MM, session, cache)
    for body in bodies.values():
        for image in body.images:
            problems += _image(issue, body.article.path, image.line, image.src,
                               WIDE_WIDTH_MM if image.wide else FIGURE_WIDTH_MM, session, cache)
    problems += _parity(issue, bodies)
    problems += _links_to_articles(issue, bodies)
    return problems + (cache.notes if cache is not None else [])


def _drawable(fonts_dir: Path, session: Session | None, cache: Cache | None) -> frozenset[int]:
    """What the project's faces can draw (press.fonts.coverage), kept in the cache folder by the
    faces' states: reading the code points of every face with HarfBuzz (and, in a run that has not
    loaded the build's digests, such as `check`, hashing the 83 MB of Chinese faces to name them)
    was most of the check of an issue."""
    if cache is None:
        return coverage(fonts_dir, session)
    known = session.digests if session is not None else None
    key = "coverage\n" + "\n".join(f"{path}\0{_font_state(path, known)}" for path in font_files(fonts_dir))
    if session is not None:  # serve: the entry read once while the faces stay as they are (2.6 ms an edit)
        return session.coverage.get(key, lambda: _kept_coverage(fonts_dir, session, cache, key))
    return _kept_coverage(fonts_dir, session, cache, key)


def _kept_coverage(fonts_dir: Path, session: Session | None, cache: Cache, key: str) -> frozenset[int]:
    """The coverage entry of the cache named by `key`, else made and written there."""
    name = hashlib.sha256(key.encode()).hexdigest()[:32] + ".entry"
    found = cache.read("coverage", name, key)
    if found is not None and len(found) % 4 == 0:
        return frozenset(array("I", found))
    drawable = coverage(fonts_dir, session)
    cache.write("coverage", name, key, array("I", sorted(drawable)).tobytes())
    return drawable


def _font_state(path: Path, known: dict | None = None) -> str:
    """What names a face's content: a large face (a Chinese one) by its inode, size and times, as
    press.manifest names it for the build's fingerprint; a small one by its digest (`known`: the
    session's digests, press.manifest.file_digest)."""
    stat = os.stat(path)
    if stat.st_size >= LARGE_FILE:
        return " ".join(map(str, file_state(stat)))
    return file_digest(path, known=known).hex()


def _links_to_articles(issue: Issue, bodies: dict[ArticleKey, ArticleHtml]) -> list[Problem]:
    """A link to another article's file (press/markup.py makes it a link to that article's first
    page) names an article of the issue: a file of the folder that issue.yaml does not list
    has no page to lead to, and the link would be printed leading nowhere. Said at each line
    that names the file (the link, or its reference definition)."""
    from .finish import GOTO  # the link's placeholder address (press/finish.py resolves it)

    problems = []
    for body in bodies.values():
        targets = dict.fromkeys(re.findall(rf'href="{re.escape(GOTO)}([^"]+)-(zh|en)"', str(body.html)))
        for slug, lang in targets:
            if issue.article(slug, lang) is not None:
                continue
            name = ArticleKey(slug, lang).file_name
            lines = [n for n, line in enumerate(body.article.text.split("\n"), start=1) if name in line]
            problems += [error(body.article.path, line, f"link to {name!r}: that article is not in the issue "
                               "(issue.yaml 'articles'): list it, or link to its address on the web", code="link.scheme")
                         for line in lines or [None]]
    return problems


def _glyphs(path: Path, text: str, first_line: int, drawable: frozenset[int]) -> list[Problem]:
    """One error for each character no face has, and for each invisible one that has no job in
    the text, on every line it is on: the editor fixes them where they are, or adds a face
    (fonts/README.md says how) and they all go."""
    problems = []
    # Each character of the text judged once; lines are read only when one of them is wrong.
    wrong = {ch for ch in set(text) if _hidden(ch) or ord(ch) not in drawable and ch not in "\t\r\n"}
    if not wrong:
        return problems
    for number, line in enumerate(text.split("\n"), start=first_line):
        for ch in dict.fromkeys(line):
            if ch not in wrong:
                continue
            if _hidden(ch):
                problems.append(_invisible(path, number, ch))
            else:
                problems.append(_no_font(path, number, ch))
    return problems


# Invisible format characters (Unicode category Cf) with a job in this text: ZERO WIDTH (NON-)JOINER
# (joining in names written in other scripts, emoji sequences), WORD JOINER (no break here, which
# press.clreq adds itself) and SOFT HYPHEN (a hyphenation point). Every other one changes what is
# printed without showing in an editor: a bidi override or isolate reverses or moves the text after
# it, a zero width space or a byte order mark in mid-text splits a word for search and copy, a tag
# character hides text. Each is an error at its line.
FORMAT_ALLOWED = frozenset("\u200c\u200d\u2060\u00ad")
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _hidden(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf" and ch not in FORMAT_ALLOWED


def _invisible(path: Path, line: int | None, ch: str) -> Problem:
    name = unicodedata.name(ch, "unnamed character")
    does = "changes the order of the text printed after it" if ch in BIDI_CONTROLS else "cannot be seen but changes the text"
    return error(path, line, f"invisible character U+{ord(ch):04X} {name}: it {does}; delete it", code="text.invisible")


def _no_font(path: Path, line: int | None, ch: str) -> Problem:
    name = unicodedata.name(ch, "unnamed character")
    return error(path, line, f"no font can draw {ch!r} (U+{ord(ch):04X} {name}): put a font that "
                             f"has it, with its licence, in fonts/extra/ (see fonts/README.md)", code="glyph.missing")


# What text preparation (press/clreq.py) puts into Chinese text: the fonts have these.
_PREPARED = {QUARTER_EM, THIRD_EM, WORD_JOINER, *FULLWIDTH.values()}


def _entity_glyphs(body: ArticleHtml, drawable: frozenset[int]) -> list[Problem]:
    """Characters that reach the page without standing in the source as themselves: written
    as HTML entities (&#x1F637;), or made by the typographer. Each at the lines that make it."""
    text = body.article.text
    missing = {ch for ch in set(html.unescape(str(body.html))) if ord(ch) not in drawable or _hidden(ch)} \
        - set(text) - _PREPARED - set("\n\t\r")
    problems = []
    for ch in sorted(missing):
        lines = [n for n, line in enumerate(text.split("\n"), start=1) if "&" in line and ch in html.unescape(line)]
        said = _invisible if _hidden(ch) else _no_font
        problems += [said(body.article.path, line, ch) for line in lines or [None]]
    return problems


def _image(issue: Issue, path: Path, line: int, src: str, width_mm: float, session: Session | None,
           cache: Cache | None = None) -> list[Problem]:
    if not src:
        return [error(path, line, "image without a file name", code="image.path")]
    if ":" in src.split("/")[0]:
        return [error(path, line, f"image {src!r} is not a file of the issue: only paths inside the issue folder can be used", code="image.path")]
    if src.startswith("/"):
        return [error(path, line, f"image {src!r} is an absolute path: write it relative to the issue folder, e.g. images/photo.jpg", code="image.path")]
    why = problem(as_written(issue.dir, src), issue.dir)
    if why is not None:
        return [error(path, line, f"image {src!r} {why}", code="image.missing" if why == "not found" else "image.path")]
    target = as_written(issue.dir, src).resolve()
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        return [error(path, line, f"image {src!r} is not a photo or artwork file (use .jpg or .png)", code="image.format")]
    decoded = _decode(target, session, cache)
    if isinstance(decoded, str):
        return [error(path, line, f"image {src!r} {decoded}", code="image.unreadable")]
    width, mode = decoded
    ppi = width / (width_mm / 25.4)
    problems = []
    # Only ever a warning: a coarse photo still makes readable PDFs and a proof to judge it by.
    # Print is stricter (press_images, with --press).
    if ppi < 200:
        problems.append(warning(path, line, f"image {src!r} is {ppi:.0f} ppi at its printed width of {width_mm:.0f} mm: 300 wanted", code="image.ppi"))
    if mode == "CMYK":
        problems.append(warning(path, line, f"image {src!r} is CMYK: it is printed as is, without colour management", code="image.cmyk"))
    return problems


def _decode(target: Path, session: Session | None, cache: Cache | None = None) -> tuple[int, str] | str:
    """The width and mode of an image file, or what is wrong with it. Decoding a photo takes
    tens of milliseconds: a process that stays up (serve) decodes each version of a file once
    (session.decoded, by the file's digest), and a file that decoded whole is recorded in the
    cache folder by its digest (and Pillow's version), for every later run (_decoded_before)."""
    if session is None:
        return _decode_file(target)
    digest = file_digest(target, known=session.digests)
    return session.decoded.get(digest, lambda: _decoded_before(target, digest, cache))


def _decoded_before(target: Path, digest: bytes, cache: Cache | None) -> tuple[int, str] | str:
    if cache is None:
        return _decode_file(target)
    key = f"decoded\n{digest.hex()}\nPillow {PIL.__version__}\n{MAX_PIXELS}"
    name = hashlib.sha256(key.encode()).hexdigest()[:32] + ".entry"
    found = cache.read("decoded", name, key)
    if found is not None:
        try:
            width, mode = json.loads(found)
            return int(width), str(mode)
        except (ValueError, TypeError):  # not a record of this press: decoded again, and written over
            pass
    decoded = _decode_file(target)
    if not isinstance(decoded, str):  # what is wrong with a file is found again each run, in its words
        cache.write("decoded", name, key, json.dumps(list(decoded)).encode())
    return decoded


def _decode_file(target: Path) -> tuple[int, str] | str:
    try:
        # Pillow refuses images of more than twice its MAX_IMAGE_PIXELS before decoding anything;
        # between once and twice it only warns, and the size check below speaks for itself.
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(target)
        with img:
            if img.width * img.height > MAX_PIXELS:
                return f"is {img.width}×{img.height} pixels: too large, scale it down for print"
            # Decodes the whole file, so a truncated one fails here and not in the typesetter.
            # WeasyPrint, once imported (serve), tells Pillow to accept truncated files: not here.
            truncated_ok, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
            try:
                img.load()
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = truncated_ok
            return img.width, img.mode
    except Image.DecompressionBombError:
        return f"has too many pixels (a decompression bomb?): at most {MAX_PIXELS // 1_000_000} million"
    except UnidentifiedImageError:
        return "cannot be read: it is not a JPEG, PNG or other image file"
    except (OSError, SyntaxError, ValueError) as exc:
        return f"cannot be read: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"


PRESS_PPI = 300
PRESS_MIN_PPI = 150


def press_images(issue: Issue, bodies: dict[ArticleKey, ArticleHtml], parts, pdf_name: str) -> list[Problem]:
    """For the press PDF: every image under 300 ppi at the size it is placed, by page; under
    150 ppi an error, which withholds the press PDF (never the reading PDFs)."""
    sources = {photo.image: (issue.yaml_path, photo.line) for photo in issue.cover}
    for body in bodies.values():
        for image in body.images:
            # A photo both language versions place is said at each version's own line.
            sources.setdefault((image.src, body.article.lang), (body.article.path, image.line))
            sources.setdefault(image.src, (body.article.path, image.line))
    problems, first_page = [], 1
    for part in parts:
        for placed in part.images:
            # As the page has it, percent-encoded (an article's image named in Chinese); sources are by the name as written.
            src = unquote(placed.src)
            # At the line its figure carries (the same photo placed twice is said twice); the cover's, from issue.yaml.
            placer = next((b.article for b in bodies.values() if b.article.key.anchor == placed.article), None)
            path, line = (placer.path, placed.line) if placer is not None and placed.line else \
                sources.get((src, part.lang)) or sources.get(src, (issue.yaml_path, None))
            try:
                with Image.open(as_written(issue.dir, src)) as img:
                    width, height = img.size
            except (OSError, ValueError):
                continue  # reported by preflight already
            # Said rounded down: 299.6 ppi is "299", never "300 … 300 wanted".
            ppi = min(width / (placed.width_mm / 25.4), height / (placed.height_mm / 25.4))
            if ppi < PRESS_PPI:
                at_least = f"at least {PRESS_MIN_PPI}, " if ppi < PRESS_MIN_PPI else ""
                problems.append(Problem(path, line, f"image {src!r} is {math.floor(ppi)} ppi as placed "
                                        f"({placed.width_mm:.0f} × {placed.height_mm:.0f} mm) on page "
                                        f"{first_page + placed.page} of {pdf_name}: {at_least}{PRESS_PPI} wanted for print",
                                        "error" if ppi < PRESS_MIN_PPI else "warning", code="image.ppi"))
        first_page += part.pages
    return problems


def _parity(issue: Issue, bodies: dict[ArticleKey, ArticleHtml]) -> list[Problem]:
    problems = []
    for slug in issue.slugs:
        zh, en = bodies.get(ArticleKey(slug, "zh")), bodies.get(ArticleKey(slug, "en"))
        if (zh is None) != (en is None):
            only = zh or en
            missing = "en" if zh else "zh"
            if exists(issue.dir / ArticleKey(slug, missing).file_name):
                continue  # the other version is there but could not be read: its errors say why
            if only is not None:
                # The format allows it: said as a note, which no option turns into a failure.
                problems.append(note(only.article.path, 1, f"article '{slug}' has no {missing} version: it appears only in the {only.article.lang} part and edition", code="article.single"))
            continue
        # Two versions: press.parity aligns and compares them block by block.
    return problems
