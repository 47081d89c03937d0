"""Typeset HTML parts into PDF pages with WeasyPrint.

WeasyPrint is imported only when a Typesetter is made: fontconfig must
first be pointed at the project's fonts alone, so that no font of the
machine can ever stand in for a missing glyph, and a build that has
nothing to typeset should not pay for the import.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import logging
import multiprocessing
import os
import pickle
import re
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from threading import Event, Lock
from types import ModuleType
from typing import TYPE_CHECKING

from . import deflate, makeup, subsets
from .cache import Cache, check_fontconfig_cache, replace_non_folder
from .errors import PressError, Problem
from .fonts import EXTRA_DIR, FontSet
from .manifest import content_digest, environment, issue_files, walk
from .output import replace_atomically, write_atomically
from .session import Composing, Memo, Session
from .workers import WorkerDied, Workers

if TYPE_CHECKING:
    from .makeup import Diagnostic
    from .render import RenderedHtml

LOG = logging.getLogger("press")


@dataclass(frozen=True)
class TypesetPart:
    key: str
    pdf: bytes
    pages: int
    anchors: dict[str, int]  # element id → page index within the part
    overflows: tuple["Overflow", ...] = ()
    lang: str = ""  # "zh", "en" or "mul" (the bilingual cover and contents)
    images: tuple[PlacedImage, ...] = ()
    # What WeasyPrint logged while setting it, its stylesheets included: kept with the part in
    # the cache, so that a part set once says them on every build that uses it.
    messages: tuple[Problem, ...] = ()  # each path in a virtual folder: issue/…, styles/… or templates/…
    notices: tuple["Diagnostic", ...] = ()  # what the page make-up could not mend (press/makeup.py)
    # Who set the lines (press/paragraphs.census): "planned" by the composer, or why WeasyPrint did.
    composer: tuple[tuple[str, int], ...] = ()
    # (id of the <article>, source line) of every block with a data-line → the page (index within
    # the part) it starts on: where the proof's reading view links each block (press/reading.py).
    lines: dict[tuple[str, int], int] = field(default_factory=dict)
    # What each page draws (press/pagedigests.py): equal digests, equal pages.
    page_digests: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlacedImage:
    """An image as placed on a page: what press preflight needs to know its resolution."""

    page: int  # 0-based, within the part
    src: str  # as written in the source
    width_mm: float
    height_mm: float
    article: str = ""  # the id of its <article> (slug-lang); none on the cover
    line: int | None = None  # of that article's file: its figure's data-line (press/markup.py)


@dataclass(frozen=True)
class Overflow:
    """Something that sticks out of its column or page: a long URL, a wide table or image."""

    page: int  # 0-based, within the part
    what: str  # the text that overflows, or the image's file name
    article: str = ""  # the id of its <article> (slug-lang): which article of a run
    line: int | None = None  # of that article's file: the data-line of the nearest element that has one
    cell: str = ""  # in a table: the cell that makes it too wide ("row 2, column 3"), its text in `what`


def isolate_fontconfig(fonts_dir: Path, cache_dir: Path) -> list[Problem]:
    """Give fontconfig a configuration that knows one project font and nothing else, and
    return the damaged files of its cache that were made again (notes).

    The build's fonts all come from @font-face; fontconfig only needs something to
    fall back on, and that must be ours too. One small Latin face keeps its cache
    instant to build, where scanning all of fonts/ costs a cold build a second."""
    replace_non_folder(Path(cache_dir))
    conf_dir = replace_non_folder(Path(cache_dir) / "fontconfig")
    fallback = replace_non_folder(conf_dir / "fallback")
    source = Path(fonts_dir).resolve() / FALLBACK_FONT
    link = fallback / FALLBACK_FONT
    conf = conf_dir / "fonts.conf"
    for made in (link, conf):  # ours to make: a folder in their place goes
        if made.is_dir() and not made.is_symlink():
            shutil.rmtree(made, ignore_errors=True)
    if not link.is_symlink() or link.resolve() != source:
        replace_atomically(link, lambda tmp: tmp.symlink_to(source))
    # An editor's own faces (fonts/extra/) are where Pango looks for a character that no face
    # of the stylesheets has: they are fontconfig's fonts, and its only others are ours.
    extra = Path(fonts_dir).resolve() / EXTRA_DIR
    dirs = "".join(f"  <dir>{folder}</dir>\n" for folder in (fallback.resolve(), extra) if folder.is_dir())
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"{dirs}  <cachedir>{conf_dir.resolve()}</cachedir>\n</fontconfig>\n"
    )
    if not conf.is_file() or conf.read_bytes() != text.encode():
        write_atomically(conf, text, durable=False)
    notes = check_fontconfig_cache(conf_dir, conf, [fallback.resolve(), extra])
    os.environ["FONTCONFIG_FILE"] = str(conf)
    return notes


FALLBACK_FONT = "NotoSerif-Regular.ttf"


def import_weasyprint() -> None:
    """Import WeasyPrint without cffi's slow way of finding its libraries. weasyprint.text.ffi
    tries several names for each of its seven libraries (one a platform), and cffi hands each
    name that does not load to ctypes.util.find_library, which on Linux runs `ldconfig -p`,
    then gcc and ld to link a program against it (54 programs): 0.25 CPU-s and 0.7 s of every
    cold build's first worker. Every list names the library's file too (libpango-1.0.so.0), which
    loads at once: the same file that find_library would have found under an earlier name
    (tests/test_patches.py). press/patches.py fingerprints the function that tries the names."""
    if "weasyprint" in sys.modules:
        return
    import ctypes.util

    find = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    stubs = {name: _OnUse(name) for name in _ON_USE}
    sys.modules.update(stubs)
    hints = _HintsOnUse()
    sys.meta_path.insert(0, hints)
    try:
        import weasyprint  # noqa: F401
    finally:
        sys.meta_path.remove(hints)
        ctypes.util.find_library = find
        for name, stub in stubs.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]  # the module itself, for whoever imports it now


class _OnUse(ModuleType):
    """A module imported when one of its names is first read. weasyprint.pdf.fonts imports
    fontTools' subsetter and variable-font instancer for a font HarfBuzz cannot subset and for a
    variable font: neither ever comes here (HarfBuzz subsets every face, none is variable), and
    importing them (fontTools.varLib, the OpenType tables, lxml) took 0.1 CPU-s of WeasyPrint's
    import (0.49 -> 0.41 with press's patches, four runs each), in the first worker of every cold
    build. press/patches.py fingerprints the functions that use them."""

    def instantiateVariableFont(self, *args, **kwargs):  # read as the import reads it: `from … import name`
        from fontTools.varLib.instancer import instantiateVariableFont

        return instantiateVariableFont(*args, **kwargs)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(importlib.import_module(self.__name__), name)


_ON_USE = ("fontTools.subset", "fontTools.varLib.instancer")


class _HintsOnUse:
    """weasyprint.html, imported with its presentational hints' stylesheet (PH_STYLESHEET) parsed
    when it is first read: WeasyPrint reads it only for a document rendered with the
    presentational_hints option, which press never sets, and parsing it was 0.025 CPU-s of
    WeasyPrint's import (every cold build's first worker, and serve). Its other sheets, which every
    document reads, are parsed as before. press/patches.py fingerprints the module and the method
    that hands the sheet out."""

    def find_spec(self, name, path, target=None):
        if name != "weasyprint.html":
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        load = spec.loader.exec_module

        def exec_module(module) -> None:
            package = sys.modules["weasyprint"]
            css = package.CSS
            # The module's only CSS() without a counter style is its presentational hints' sheet.
            package.CSS = lambda *args, **kwargs: \
                css(*args, **kwargs) if args or "counter_style" in kwargs else _SheetOnUse(css, kwargs)
            try:
                load(module)
            finally:
                package.CSS = module.CSS = css

        spec.loader.exec_module = exec_module
        return spec


class _SheetOnUse:
    """A stylesheet parsed the first time one of its attributes is read."""

    def __init__(self, css, kwargs: dict):
        self._css, self._kwargs, self._sheet = css, kwargs, None

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if self._sheet is None:
            self._sheet = self._css(**self._kwargs)
        return getattr(self._sheet, name)


class Typesetter:
    def __init__(self, issue_dir: Path, styles_dir: Path, templates_dir: Path, fonts_dir: Path,
                 cache_dir: Path, fonts: FontSet):
        isolate_fontconfig(fonts_dir, cache_dir)
        import_weasyprint()
        from cssselect2 import ElementWrapper
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration

        from .fetch import SandboxFetcher, url_for
        from .patches import install as install_patches

        install_patches()  # checked against the installed WeasyPrint first: press/patches.py
        listen_to_engine()
        _ENGINE_LOG.take()  # what was logged before (in the process this one was forked from) is not the sheets'

        self._HTML, self._url_for, self._wrap = HTML, url_for, ElementWrapper.from_html_root
        self.images = Cache(cache_dir)  # print-size images (fetch.print_size)
        self.fetcher = SandboxFetcher(
            {"issue": issue_dir, "styles": styles_dir, "templates": templates_dir, "fonts": fonts_dir}, fonts.files,
            self.images)
        self.font_config = FontConfiguration()
        messages: list[Problem] = []

        def sheet(name: str):
            # Parsed (and its font faces loaded) here, once: what WeasyPrint says of a sheet is said now.
            css = CSS(url=url_for("styles", name), url_fetcher=self.fetcher, font_config=self.font_config)
            messages.extend(_problems(_ENGINE_LOG.take(), Path("styles", name), parsed=Path(styles_dir) / name))
            return css

        fonts_css = sheet("fonts.css")
        self.sheets = {"page": [fonts_css, sheet("press.css")], "overlay": [fonts_css, sheet("overlay.css")]}
        self.messages = tuple(messages)  # every part set with these sheets carries them
        # The English hyphenation patterns (pyphen keeps them by file, for WeasyPrint and the
        # composer alike; 0.08 CPU-s to load): with the typesetter, which the first worker makes
        # before it forks the others, rather than by each worker at its first English line.
        import pyphen

        pyphen.Pyphen(lang="en")  # the articles' English is lang="en" (press/render.py's LANG_TAGS)
        self._carried: dict = {}  # each article part set in this process: its lines, as last set (press.relayout.Carried)
        # serve's warm-up (warm_up_between_edits): a part is laid out, its lines kept, and no PDF
        # written; once set, the part being set is given up at its next line.
        self.stop: Event | None = None
        # The paragraphs composed and the streams compressed, for the make-up's next layouts and
        # serve's next edit; a worker forgets them after each part (_typeset_in_worker).
        self.composing = Composing()

    def typeset(self, part: RenderedHtml) -> TypesetPart:
        from .fetch import RefusedFetch
        from .floats import close_up_last_page
        from .pagedigests import page_digests
        from .paragraphs import census
        from .relayout import Layouts

        sheets = self.sheets["overlay" if part.key.startswith("overlay") else "page"]
        _ENGINE_LOG.take()  # anything logged between two parts is none of this one's
        html = self._HTML(string=part.html, base_url=self._url_for("issue"), url_fetcher=self.fetcher)
        # The element tree as it stands at each call: the make-up changes it between passes
        # (press/relayout.py lays out again only what a change needs).
        layouts = Layouts(html, sheets, self.font_config, self._wrap, self._carried.get(part.key), self.stop,
                          self.composing)

        notices = ()
        try:
            document = layouts.render()
            if part.article is not None:
                document, notices = makeup.compose(document, html.etree_element, layouts.render)
                close_up_last_page(document)
        except RefusedFetch as exc:
            raise PressError.at(Path(part.key), None, f"refused to read {exc.url[:200]!r}: {exc.reason}", code="fetch.refused") from None
        if part.article is not None and multiprocessing.parent_process() is None:
            # serve's process: the article's lines, for its next edit (the contents and running heads
            # an edit may set again between two edits of an article have nothing to carry)
            self._carried[part.key] = layouts.carry()
        layouts.forget()  # the boxes and lines kept for trials: not needed to write the PDF
        if self.stop is not None:
            # serve's warm-up, its lines kept already: no PDF. Writing it (50-110 ms quiet, up to
            # 0.4 s under load for the longest article, which no line check interrupts) was where
            # a first edit saved during the warm-up waited (0.40 s from the save seen to its build).
            from .relayout import Interrupted

            raise Interrupted
        for page in document.pages:
            # WeasyPrint gives a link's every inner box (each <wbr> of a printed address, each
            # span) an annotation of its own; the link's own boxes, one a line, cover them all.
            page.links = [link for link in page.links if link[3].link]
        anchors = {}
        for index, page in enumerate(document.pages):
            for name in page.anchors:
                anchors.setdefault(name, index)
        overflows = tuple(o for i, page in enumerate(document.pages) for o in _overflows(page._page_box, i))
        # A fixed identifier keeps the part's bytes a function of its content alone.
        # Images arrive already at print size (fetch.print_size): they are embedded as they are.
        # Parts are tagged (structure tree, marked content) for the reading PDFs; the overlay,
        # which only carries running heads and folios, is stamped as an artifact instead.
        digests = []
        with deflate.keeping(self.composing.deflated), subsets.keeping(self.composing.subsets):
            pdf = document.write_pdf(pdf_identifier=part.key.encode(), pdf_tags=not part.key.startswith("overlay"),
                                     finisher=lambda _, written: digests.extend(page_digests(written)))
        images = tuple(image for i, page in enumerate(document.pages) for image in _images(page._page_box, i, "", None))
        composer = tuple(sorted(census(document).items()))
        messages = self.messages + tuple(_problems(_ENGINE_LOG.take(), _source_of(part)))
        return TypesetPart(part.key, pdf, len(document.pages), anchors, overflows, part.lang, images, messages,
                           tuple(notices), composer, _source_lines(document.pages), tuple(digests))

    def take_notes(self) -> list[Problem]:
        """The damaged cache entries found since last asked (print-size images)."""
        notes, self.images.notes = self.images.notes, []
        return notes


def _source_of(part: RenderedHtml) -> Path:
    """The file a part is made from, to say WeasyPrint's messages about it where an editor looks."""
    if part.article is not None:
        return Path("issue", part.article.file_name)  # a run of articles: its first
    if part.key.startswith("overlay"):
        return Path("templates", "overlay.html.j2")
    return Path("issue", "issue.yaml")  # the cover and the contents


class _EngineLog(logging.Handler):
    """WeasyPrint's warnings and errors, kept to be said as problems of the part or stylesheet
    that caused them: never printed by WeasyPrint's logger itself (once per worker), never lost."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        records, self.records = self.records, []
        return records


_ENGINE_LOG = _EngineLog()


def listen_to_engine() -> None:
    """Route WeasyPrint's log to _ENGINE_LOG alone, in this process (a worker, or serve's own)."""
    logger = logging.getLogger("weasyprint")
    if _ENGINE_LOG not in logger.handlers:
        logger.addHandler(_ENGINE_LOG)
    logger.propagate = False


# WeasyPrint's own levels (weasyprint/logger.py): an error is an external resource it could not
# use, and it went on without it; a font face that cannot be loaded is a warning there, and the
# text falls back on another face. Both would ship a page with a hole or the wrong type: errors here.
_RESOURCE_FAILED = ("cannot be loaded",)
_POSITION = re.compile(r" at (\d+):(\d+)")


def _problems(records: list[logging.LogRecord], path: Path, parsed: Path | None = None) -> list[Problem]:
    """Problems of `path`, named by its folder as the fetcher names them (issue/, styles/,
    templates/: see Typesetting.problems). `parsed`: the records come from parsing that file,
    so WeasyPrint's "at LINE:COLUMN" is a line of it (a font face's message names its family:
    the line of its rule)."""
    from .fetch import BASE

    problems = []
    for record in records:
        # Addresses as the sources write them (images/map.jpg), not the fetcher's virtual ones.
        message = record.getMessage().replace(f"{BASE}issue/", "").replace(BASE, "").rstrip(": ")
        failed = record.levelno >= logging.ERROR or any(s in str(record.msg) for s in _RESOURCE_FAILED)
        line = None
        if parsed is not None:
            position = _POSITION.search(message)
            line = int(position.group(1)) if position else _font_face_line(parsed, record)
        problems.append(Problem(path, line, f"WeasyPrint: {message}", "error" if failed else "warning", _code(record)))
    return problems


def _code(record: logging.LogRecord) -> str:
    """The code of an engine message, from the template WeasyPrint logged it with (not its words)."""
    template = str(record.msg)
    if template.startswith("Font-face"):
        return "font.missing"
    if template.startswith("Ignored") or "declaration" in template:
        return "css.ignored"
    if template.startswith("Failed to load"):
        return "engine.resource"
    return "engine.message"


def _font_face_line(path: Path, record: logging.LogRecord) -> int | None:
    """The line of the @font-face rule a record names by its family ("Font-face %r cannot be
    loaded" says no position): the sheet read as WeasyPrint reads it (tinycss2), rule by rule."""
    import tinycss2

    if not str(record.msg).startswith("Font-face") or not record.args:
        return None
    try:
        sheet = tinycss2.parse_stylesheet(path.read_text(encoding="utf-8"), skip_comments=True, skip_whitespace=True)
    except (OSError, UnicodeDecodeError):
        return None
    for rule in sheet:
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face" or rule.content is None:
            continue
        for item in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
            if item.type == "declaration" and item.lower_name == "font-family" and \
                    " ".join(t.value for t in item.value if t.type in ("string", "ident")) == record.args[0]:
                return rule.source_line
    return None


TEXT_SOURCES = {".md", ".yaml", ".yml", ".txt"}


class Typesetting:
    """Typeset parts, each at most once: from the disk cache when the same part was
    typeset before (same HTML, styles, fonts, images and typesetter), else in worker
    processes, so that independent parts use every core and the main process never
    imports WeasyPrint. The workers start (and import WeasyPrint, once between them: see
    press/workers.py) as soon as this object exists, while the main process is still
    loading and checking the issue."""

    def __init__(self, cfg, session: Session):
        self.dirs = (cfg.issue_dir, cfg.styles_dir, cfg.templates_dir, cfg.fonts_dir, cfg.cache_dir)
        self.roots = {"issue": Path(cfg.issue_dir), "styles": Path(cfg.styles_dir),
                      "templates": Path(cfg.templates_dir)}
        self.cache = Cache(cfg.cache_dir)
        self.cache.folder("parts")
        # fontconfig's cache checked (and a damaged file made again) here, before any worker
        # starts: the workers then find it whole, and its notes are said once.
        self._messages: list[Problem] = isolate_fontconfig(cfg.fonts_dir, cfg.cache_dir)
        self.typesetters = session.typesetters
        self.session = session
        # A part is cached by the images its own HTML shows (_shown); a typesetter is made for them all
        # (self.salt), as for the styles and fonts: a photo changed under serve gets a new one.
        # The modules that set type, found from their imports once a process: every build of serve
        # runs those it loaded (each file is still digested by its content every build). Found
        # again, 6 ms of each edit's way to the proof.
        if not session.typesetting_code:
            session.typesetting_code = tuple(_typesetting_code())
        self.common, self.images = _salt(cfg.issue_dir, cfg, session.digests, session.typesetting_code)
        self.salt = hashlib.sha256(self.common + b"".join(digest for _, digest in self.images)).digest()
        self.fonts: FontSet | None = None
        self.jobs = cfg.jobs
        self._pool: Workers | None = None
        self._scratch = ""  # the workers' temporary folder (pool)
        self._pool_lock = Lock()
        # A process that has WeasyPrint loaded already (serve) typesets parts itself too, and
        # starts the workers only for more than one part; a command-line build forks the first now,
        # before the stages load (their modules are not in its pages), held until start(): it
        # imports WeasyPrint while this process checks the issue, unless its sources fail.
        self.in_process = "weasyprint" in sys.modules
        if not self.in_process:
            self.pool  # noqa: B018 (forked now, on purpose)

    @property
    def pool(self) -> Workers:
        with self._pool_lock:  # the editions' threads may be the first to need it (serve)
            if self._pool is None:
                # The workers' temporary folder, removed once they have ended (close): WeasyPrint
                # copies a typesetter's faces into a mkdtemp folder of its own (2 MB) and removes it
                # only when the font configuration is collected, which a worker's os._exit never
                # does: every build left one in /tmp.
                self._scratch = tempfile.mkdtemp(prefix="press-workers-")
                self._pool = Workers(self.jobs, _warm_up, (*self.dirs[3:5], self.typesetters, self._scratch),
                                     _prepare, held=not self.in_process, slim=_by_key)
            return self._pool

    def start(self) -> None:
        """The held first worker may import WeasyPrint now (a part handed to it starts it as well)."""
        if self._pool is not None:
            self._pool.go()

    def __enter__(self) -> "Typesetting":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)  # the workers have ended when it returns
            shutil.rmtree(self._scratch, ignore_errors=True)

    def use_fonts(self, fonts: FontSet) -> None:
        self.fonts = fonts
        self._messages.extend(fonts.notes)

    @property
    def problems(self) -> list[Problem]:
        """What WeasyPrint said of every part used so far (a cached part's too), and the damaged
        cache entries found on the way (notes)."""
        return list(dict.fromkeys(self._messages + self.cache.notes))  # each part says its sheets' messages

    def one(self, part: RenderedHtml) -> TypesetPart:
        return self.many([part])[0]

    def many(self, parts: list[RenderedHtml]) -> list[TypesetPart]:
        fonts = (self.fonts.key if self.fonts else "").encode()
        keys = [hashlib.sha256(self.common + _shown(self.images, part.html) + fonts + part.key.encode()
                               + part.html.encode()).hexdigest() for part in parts]
        done = {i: self._load(key) for i, key in enumerate(keys)}
        missing = [i for i, found in done.items() if found is None]
        jobs = [(self.dirs, self.fonts, parts[i], self.salt) for i in missing]
        if not jobs and self.in_process and not self.session.warmed:
            self._warm_up(parts)
        if len(jobs) == 1 and self.in_process:
            # A single part is set here: no fork, no pickling, and the fonts stay loaded from
            # one build to the next.
            with _IN_PROCESS:
                results = [_typeset_in_worker(self.typesetters, jobs[0])]
        elif jobs and self.in_process:
            # The workers set all parts but the shortest article, which this process sets meanwhile:
            # its typesetter is then warm (fonts loaded, C types parsed, columns and notes laid out
            # once) for the single part that an edit brings.
            own = min(range(len(jobs)), key=lambda j: (jobs[j][2].article is None, len(jobs[j][2].html)))
            futures = {j: self.pool.submit(_typeset_in_worker, job) for j, job in enumerate(jobs) if j != own}
            with _IN_PROCESS:
                mine = _typeset_in_worker(self.typesetters, jobs[own])
            results = [mine if j == own else _result(futures[j], jobs[j]) for j in range(len(jobs))]
        else:
            futures = [self.pool.submit(_typeset_in_worker, job) for job in jobs]
            results = [_result(future, job) for future, job in zip(futures, jobs)]
        if jobs and self.in_process:
            self.session.warmed = True  # a part set here
        articles = [(self.dirs, self.fonts, part, self.salt) for part in parts if part.article is not None]
        if self.in_process and articles:  # serve: what it sets here between edits (warm_up_between_edits)
            self.session.unwarmed = sorted(articles, key=lambda job: len(job[2].html))
        for i, (result, notes) in zip(missing, results):
            done[i] = result
            self._messages.extend(notes)
            self._store(keys[i], result)
        if len(missing) > 1:
            # What unpickling the results left behind (serve's memos are its typesetters' own).
            release_memory()
        for part in done.values():
            # A part is cached by content, not by folder: the same sources elsewhere (another copy
            # of the issue, another checkout) reuse it, and are told where they are themselves.
            self._messages.extend(replace(m, path=self.roots[m.path.parts[0]].joinpath(*m.path.parts[1:]))
                                  for m in part.messages)
        return [done[i] for i in range(len(parts))]

    def _warm_up(self, parts: list[RenderedHtml]) -> None:
        """serve's first build, every part from the cache: the shortest article is set here all
        the same, and thrown away, so that the first edit finds this process's typesetter made
        (its sheets parsed, its fonts loaded, a part laid out once: 0.17 CPU-s of the first
        edit's 0.48, measured) and the paragraphs of that article composed (press/paragraphs.py)."""
        articles = [part for part in parts if part.article is not None]
        if articles:
            self.session.warmed = True
            with _IN_PROCESS:
                _typeset_in_worker(self.typesetters, (self.dirs, self.fonts, min(articles, key=lambda p: len(p.html)),
                                                      self.salt))

    def _load(self, key: str) -> TypesetPart | None:
        data = self.cache.read("parts", key, key)
        if data is None:
            return None
        try:
            return pickle.loads(data)  # our own, checked against its digest: written by _store
        except (pickle.UnpicklingError, EOFError, AttributeError, TypeError):  # a part of another press
            return None

    def _store(self, key: str, part: TypesetPart) -> None:
        self.cache.write("parts", key, key, pickle.dumps(part))


def _salt(issue_dir: Path, cfg, digests: dict,
          code: tuple[Path, ...] | None = None) -> tuple[bytes, tuple[tuple[str, bytes], ...]]:
    """What, besides its HTML, a typeset part depends on: styles, fonts, the typesetter (press's
    modules that set type, the installed packages, Pango and HarfBuzz), the issue's images that a
    stylesheet names; and apart, each other image of the issue (its name as _shown looks for it,
    its digest), which is in the key only of the parts that show it: a photo changed has only the
    parts that show it typeset again, not the whole issue. `code`: _typesetting_code(), if found already."""
    digest = hashlib.sha256(environment())
    files = list(code) if code is not None else _typesetting_code()
    # Read as the build fingerprint reads (press/manifest.py): no link out of the project or the
    # issue folder followed, no pipe or device opened.
    roots = [Path(os.path.realpath(root)) for root in (issue_dir, cfg.templates_dir.parent, cfg.fonts_dir / "cjk")]
    styles = walk(cfg.styles_dir, roots[1:])
    files += [p for p in styles + walk(cfg.fonts_dir, roots[1:]) if p.suffix.lower() not in TEXT_SOURCES]
    sheets = _folded("".join(_text(p) for p in styles if p.suffix.lower() == ".css" and p.is_file()))  # no pipe read
    issue = [p for p in issue_files(issue_dir) if p.suffix.lower() not in TEXT_SOURCES]
    named = [p for p in issue if _folded(p.name) in sheets]
    folders: dict = {}

    def of(path: Path) -> bytes:
        try:
            return content_digest(path, roots, folders=folders, known=digests)
        except OSError:  # unreadable: the build says so where it reads it
            return b"-"

    for path in files + named:
        digest.update(str(path.name).encode() + b"\0" + of(path))
    images = tuple((_folded(p.name), str(p.name).encode() + b"\0" + of(p)) for p in issue if p not in named)
    return digest.digest(), images


def _shown(images: tuple[tuple[str, bytes], ...], html: str) -> bytes:
    """The digests of the images whose names a part's HTML holds. Looked for as the fetcher finds
    a file (press/fetch.py: the address unquoted, a name matched in NFC), entities read, in any
    case: an image named that the part does not show only costs a typesetting too many."""
    import html as markup
    from urllib.parse import unquote

    text = _folded(markup.unescape(html))
    text += "\0" + unquote(text)
    return b"".join(digest for name, digest in images if name in text)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:  # not a file, unreadable: the build says so where it reads it
        return ""


def _typesetting_code() -> list[Path]:
    """press's modules that the typesetter runs: this one and those it imports, at any depth (the
    patches, the composer, the page checker, the font subsetter), found from their import lines,
    so that a module added to them is in the salt without being named here."""
    code = Path(__file__).resolve().parent
    found, todo = set(), ["typeset"]
    while todo:
        name = todo.pop()
        if name in found or not (code / f"{name}.py").is_file():
            continue
        found.add(name)
        text = _TYPE_CHECKING.sub("", (code / f"{name}.py").read_text(encoding="utf-8"))
        for module, grouped, names in _RELATIVE_IMPORT.findall(text):
            todo += [module] if module else [n.strip() for n in (grouped or names).split(",")]
    return [code / f"{name}.py" for name in sorted(found)]


# Imports for annotations alone run nowhere; the others, at any indentation (a lazy import runs too).
_TYPE_CHECKING = re.compile(r"^if TYPE_CHECKING:\n(?:[ \t]+.*\n|\n)+", re.M)
_RELATIVE_IMPORT = re.compile(r"^[ \t]*from \.(\w*) import (?:\(([\w,\s]+)\)|([\w, ]+))", re.M)
_IN_PROCESS = Lock()  # WeasyPrint is not made for threads: one part at a time in this process


def warm_up_between_edits(session: Session, stop: Event) -> None:
    """serve, once a build is out and no edit is waiting: each article part of that build that this
    process has not set yet (the workers set them, or the cache held them), set here and thrown
    away, the shortest first. Whichever article the editor edits first then finds its lines
    (press.relayout.Carried) and its paragraphs (press/paragraphs.py) made, as every later edit
    does (not its PDF, whose compressed streams the first edit then makes). An edit saved meanwhile
    stops it within a line (relayout.Interrupted); the rest waits for the next quiet moment."""
    from .relayout import Interrupted

    while session.unwarmed and not stop.is_set():
        dirs, fonts, part, salt = job = session.unwarmed[0]
        typesetter = _typesetter(session.typesetters, dirs, fonts, salt)
        if part.key not in typesetter._carried:
            try:
                with _IN_PROCESS:
                    typesetter.stop = stop
                    typesetter.typeset(part)
            except Interrupted:
                if stop.is_set():
                    return
            except Exception:  # noqa: BLE001 (a warm-up is never worth stopping serve: the build says what is wrong)
                LOG.debug("warm-up: %s not set", part.key, exc_info=True)
            finally:
                typesetter.stop = None
        if session.unwarmed and session.unwarmed[0] is job:
            session.unwarmed.pop(0)


def _warm_up(fonts_dir: Path, cache_dir: Path, typesetters: Memo, scratch: str) -> Memo:
    """The worker's state: the typesetters of the process it was forked from (serve's warm one).
    What every worker's typesetter needs and no font set changes is done once, in the first
    worker before it forks the others: the import of WeasyPrint, while the main process works,
    and the patches (checked against WeasyPrint's source, the column search compiled) with
    press's typesetting modules. Each worker made them itself before: 0.08 CPU-s more per
    worker, on a quiet machine. Their temporary files go into `scratch`, which the main process
    removes once they have ended (Typesetting.close)."""
    tempfile.tempdir = scratch  # this process's and its forks': the main process keeps its own
    isolate_fontconfig(fonts_dir, cache_dir)
    import_weasyprint()
    import cssselect2  # noqa: F401

    from . import fetch  # noqa: F401
    from .patches import install as install_patches

    try:
        install_patches()
    except PressError:
        pass  # said by the typesetter of every part, where it names the part (Typesetter.__init__)
    listen_to_engine()
    # The C types WeasyPrint names as it sets and writes a part, each parsed by cffi (pycparser,
    # 3-6 ms) the first time a process names it: parsed here once, for every worker forked after.
    from weasyprint.text.ffi import ffi

    for cdecl in C_TYPES:
        try:
            ffi.typeof(cdecl)
        except Exception:  # noqa: BLE001 (a type another WeasyPrint does not declare: parsed where used, if ever)
            pass

    return typesetters


# Those named in a cold build of 2020-02 (cffi's FFI._typeof_locked, recorded): the font map and
# file names of text layout, Pango's rectangles and break attributes, the font tables and subsets.
C_TYPES = ("PangoFcFontMap *", "FcChar8 **", "char[]", "PangoRectangle *", "PangoLogAttr[]", "unsigned int *",
           "hb_tag_t[100]", "char[4]", "hb_codepoint_t[]")


def _prepare(typesetters: Memo, job) -> None:
    """The typesetter of a job's font set and stylesheets, made before the workers fork."""
    dirs, fonts, _, salt = job
    _typesetter(typesetters, dirs, fonts, salt)


def _result(future, job) -> tuple[TypesetPart, list[Problem]]:
    try:
        return future.result()
    except WorkerDied:
        raise PressError.at(Path(job[2].key), None, "the typesetting process stopped while setting this part "
                            "(out of memory, or killed): nothing was written", code="typeset.stopped") from None


def _typesetter(typesetters: Memo, dirs: tuple, fonts: FontSet, salt: bytes = b"") -> Typesetter:
    """One typesetter per font set and stylesheets (`salt`): the same one serves every part of a
    build (and, in a process that stays up, every build until the issue's characters or the
    styles change: its stylesheets are parsed once, when it is made)."""
    return typesetters.get((dirs, fonts.key, salt), lambda: _made_typesetter(dirs, fonts))


def _made_typesetter(dirs: tuple, fonts: FontSet) -> Typesetter:
    if fonts.files is None:
        # Sent by key (_by_key) to a worker whose first job was to make it: that job failed, and
        # its error, raised first (the parts' results are read in the order they were sent), says why.
        raise RuntimeError("the typesetter of this font set was not made in this worker")
    return Typesetter(*dirs, fonts)


def _by_key(args: tuple) -> tuple:
    """A job as sent to a worker that was sent one before (press.workers: `slim`): its font set by
    key alone. The worker's first job made the typesetter of that key (or the worker was forked
    with it made, press.workers: `prepare`), and every part of a build has the same font set.
    The subset faces were 2.1 MB of each of 2020-02's 14 jobs, pickled, sent through a pipe and
    unpickled, each copy pages the kernel found and zeroed: 0.07 CPU-s of a cold build (six pairs)."""
    (dirs, fonts, part, salt), = args
    return ((dirs, fonts if fonts is None else replace(fonts, files=None), part, salt),)


def _typeset_in_worker(typesetters: Memo, job) -> tuple[TypesetPart, list[Problem]]:
    """The part, and the damaged cache entries (print-size images) found while setting it."""
    dirs, fonts, part, salt = job
    worker = multiprocessing.parent_process() is not None
    if worker:
        # No automatic collection while a part is set: what a part makes lives until its PDF is
        # written, and the collector's passes walked its boxes again and again for nothing (2020-02:
        # 0.12-0.15 CPU-s of the workers' on a loaded machine, two runs each way); its cycles are
        # collected once, after it (release_memory). A worker's peak memory is the same (71 and 81 MB),
        # and the collector's time in all 0.29 -> 0.14 CPU-s (2020-02, loaded machine).
        gc.disable()
    typesetter = None
    try:
        typesetter = _typesetter(typesetters, dirs, fonts, salt)
        return typesetter.typeset(part), typesetter.take_notes()
    finally:
        if worker:  # serve's own process keeps its heap, and its memos for the next edit
            if typesetter is not None:
                typesetter.composing.forget()  # no other part of a build has the same paragraphs
            # Collected before the collector is on again: else its first automatic pass walks all
            # the part left (every object made since the part began counts as new), then the full one
            # walks them again (0.16 -> 0.14 CPU-s).
            release_memory()
            gc.enable()


def release_memory() -> None:
    """Give the memory of a finished document back to the system. A part's box tree is
    garbage once its PDF is written, but glibc keeps freed pages, and a worker that typesets
    a 200-page issue would otherwise only grow."""
    import ctypes

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def _images(box, index: int, article: str, line: int | None) -> list[PlacedImage]:
    element = getattr(box, "element", None)
    article, line = _located(box, article, line)
    if element is not None and getattr(box, "element_tag", None) == "img" and element.get("src") and hasattr(box, "width"):
        return [PlacedImage(index, element.get("src"), box.width * 25.4 / 96, box.height * 25.4 / 96, article, line)]
    return [image for child in getattr(box, "children", []) for image in _images(child, index, article, line)]


def _source_lines(pages) -> dict[tuple[str, int], int]:
    """Each block's (article id, data-line) → the first page it is on. A note is met where it is
    called, in its article's flow, as the call's box carries the note's element."""
    found: dict[tuple[str, int], int] = {}
    for index, page in enumerate(pages):
        stack = [(page._page_box, "", None)]
        while stack:
            box, article, line = stack.pop()
            article, line = _located(box, article, line)
            if article and line is not None:
                found.setdefault((article, line), index)
            stack.extend((child, article, line) for child in getattr(box, "children", []))
    return found


HAIR = 1.0  # CSS px (0.26 mm): less than this past the edge is rounding, not overflow


def _overflows(page_box, index: int) -> list[Overflow]:
    """Boxes whose ink passes the content edge of the block that holds them by more than a hair,
    each at the source line its element carries (data-line, press/markup.py)."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.absolute import AbsolutePlaceholder

    found: list[Overflow] = []

    def walk(box, limit: float | None, article: str, line: int | None) -> None:
        if isinstance(box, (boxes.BlockContainerBox, boxes.TableBox)) and not isinstance(box, boxes.TableCellBox):
            limit = box.content_box_x() + box.width
        article, line = _located(box, article, line)
        for child in getattr(box, "children", []):
            if limit is not None and not isinstance(child, (boxes.LineBox, AbsolutePlaceholder)) \
                    and hasattr(child, "position_x") \
                    and not isinstance(box, (boxes.TableBox, boxes.TableRowGroupBox, boxes.TableRowBox)) \
                    and _past(child, limit):
                cell = _widest_cell(child, _located(child, article, line)[1]) \
                    if isinstance(child, boxes.TableBox) or getattr(child, "is_table_wrapper", False) else None
                if cell is not None:
                    found.append(Overflow(index, *cell[:1], article, *cell[1:]))
                else:
                    inner = _lined_part(child, limit) or child
                    found.append(Overflow(index, _describe(inner), article, _located(inner, article, line)[1]))
                continue
            walk(child, limit, article, line)

    walk(page_box, None, "", None)
    return found


def _lined_part(box, limit: float):
    """The innermost box past the limit that has a source line of its own (data-line), inside
    the one found past it: a code block's line too wide, not the block (press/markup.py)."""
    for child in getattr(box, "children", []):
        if hasattr(child, "position_x") and _past(child, limit):
            element = getattr(child, "element", None)
            own = element is not None and element.get("data-line") and element is not getattr(box, "element", None)
            return _lined_part(child, limit) or (child if own else None)
    return None


def _located(box, article: str, line: int | None) -> tuple[str, int | None]:
    """The article and source line of a box: its element's, else its ancestors' (passed down)."""
    element = getattr(box, "element", None)
    if element is None:
        return article, line
    if element.tag == "article" and element.get("id"):
        return element.get("id"), None
    return article, int(element.get("data-line")) if element.get("data-line") else line


def _widest_cell(table, table_line: int | None) -> tuple[str, int | None, str] | None:
    """The cell of a table too wide for its column whose longest line is the longest: the one
    that holds the table's width. Its text, its line (its row's) and which cell it is. Rows are
    counted as in the source, the head row first; a GFM row is one line, so the row is the
    distance from the table's first line, past the delimiter row."""
    from weasyprint.formatting_structure import boxes

    cells = []

    def collect(box) -> None:
        if isinstance(box, boxes.TableCellBox):
            cells.append(box)
            return
        for child in getattr(box, "children", []):
            collect(child)

    def longest(box) -> float:
        # Of its lines, measured from their first box to their last: a right-aligned cell ends
        # at its column's edge whatever its width.
        if isinstance(box, boxes.LineBox):
            parts = [child for child in box.children if hasattr(child, "position_x")]
            return max((c.position_x + c.margin_width() for c in parts), default=0.0) - \
                min((c.position_x for c in parts), default=0.0)
        return max((longest(child) for child in getattr(box, "children", [])), default=0.0)

    collect(table)
    if not cells:
        return None
    cell = max(cells, key=longest)  # the first of the widest
    line = int(cell.element.get("data-line")) if cell.element is not None and cell.element.get("data-line") else None
    row = 1 if cell.element_tag == "th" or line is None or table_line is None else line - table_line
    return _describe(cell), line, f"row {row}, column {cell.grid_x + 1}"


def _past(box, limit: float) -> bool:
    """Whether the box's ink passes `limit` by more than a hair. Its margin box must pass it first:
    the ink ends there or before it (_ink_right), and laying out a line's text twice to measure its
    trailing space (two Pango layouts a line that ends in one) is needed only then."""
    return box.position_x + box.margin_width() > limit + HAIR and _ink_right(box) > limit + HAIR


def _ink_right(box) -> float:
    """Where the box's drawing ends. A line may end in a space that Pango lets hang past the
    column edge, as a browser does: the quarter em that clreq puts between Han and Western
    text (约 | 5 个百分点) stays at the end of its line, unseen. It is not ink."""
    right = box.position_x + box.margin_width()
    text = getattr(box, "text", None)
    if text and text != text.rstrip():
        from weasyprint.text.line_break import create_layout, line_size

        widths = []
        for run in (text, text.rstrip()):
            layout = create_layout(run, box.style, None, None, 0)
            widths.append(line_size(layout.get_first_line()[0], box.style)[0] if run else 0.0)
        right -= max(0.0, widths[0] - widths[1])
    return right


def _describe(box) -> str:
    if getattr(box, "text", None):
        return box.text.strip()
    element = getattr(box, "element", None)
    if element is not None:
        if element.get("src"):
            return element.get("src")
        text = " ".join("".join(element.itertext()).split())
        if text:
            return text
        return f"<{element.tag}>"
    return type(box).__name__
