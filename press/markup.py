"""Turn an article's Markdown body into the HTML fragment that is typeset.

CommonMark with footnotes and GFM tables (markdown-it-py, mdit-py-plugins).
What differs from a web renderer is what paper needs: a footnote's text is
put inline where it is referenced, as a span that CSS floats to the foot of
the page; an image alone in its paragraph becomes a figure with its alt text
as the caption; and a link keeps its address on paper. Raw HTML is never
passed through.

Links. A link whose words are not its address gets a numbered note holding
the address, in the same series as the footnotes: a URL set inside a line of
a narrow justified column would leave holes in it (Chinese lines cannot
stretch to take up a long unbreakable run), while a note keeps the column
even and the address one glance away (a note called from a table cell is set
after the table). Where a note cannot go (inside a note or a caption) the
address follows the words in parentheses. An address printed as it is (an
autolink, or a bare http(s) URL, which becomes a link) is its own text. Every address is a link in the PDF, and may break only
after / . _ ? & = # or before a hyphen, with no hyphen added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import unquote

from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore, smartquotes, text_join
from markdown_it.token import Token
from markupsafe import Markup, escape

from .blocks import lone_image, parse, parser
from .clreq import HAN, QUARTER_EM, WORD_JOINER, keep_last_two, prepare, space_han_western
from .errors import Problem, error, warning
from .issue import Article
from .session import Session

# No "[" inside a label: a run of "[^[^[^…" would otherwise be rescanned from each of its starts.
UNDEFINED_REF = re.compile(r"\[\^([^\[\]\s]+)\]")
# An inline note, as some Markdown dialects write one (^[words]): not the format's (press.blocks
# reads it as text). No "[" inside: "^[^[^[…" is not rescanned.
INLINE_NOTE = re.compile(r"\^\[([^\[\]]*)\]")
# markdown-it refuses these link targets and leaves the Markdown as text; say so instead.
REFUSED_LINK = re.compile(r"\]\(\s*<?(javascript|vbscript|file|data):", re.I)
# … and so does it a reference definition's ([r]: javascript:…), left as a line of text.
REFUSED_REFERENCE = re.compile(r" {0,3}\[[^\[\]]+\]:\s*<?(javascript|vbscript|file|data):", re.I)
# An image whose file name has a space, written without <…>: CommonMark reads no image there, and
# the Markdown would be printed as it stands. No "[" in the caption part: "![![![…" is not rescanned.
SPACED_IMAGE = re.compile(r"!\[[^\[\]]*\]\(\s*([^()<>\s]+(?: +[^()<>\s]+)+)\s*\)")
LINK_SCHEMES = ("http://", "https://", "mailto:")
# Another article of the issue, as a link's target: its file beside this one.
ARTICLE_FILE = re.compile(r"([a-z0-9][a-z0-9-]*)\.(zh|en)\.md")
# The attributes Markdown may carry: a language on a span of words ([The Lancet]{lang=en}) and
# {.wide} on a figure, besides what links and images have anyway. Anything else ({.class},
# {#id}, {style=…}) would reach the page's CSS or its links, so it is refused.
ALLOWED_ATTRS = {"link_open": {"href", "title"}, "image": {"src", "alt", "title"}, "span_open": {"lang"}}
LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
# A bare address in running text (as notes copied from a source have them): ASCII only, so the
# Chinese text or full-width mark that follows ends it; a trailing full stop or comma is the sentence's.
BARE_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
URL_TRAILING = ".,;:!?'\")"
# Where a printed address may break: after these (not inside a run of them, as in ://) …
BREAK_AFTER = set("/._?&=#~;,")
# … and before a hyphen, so that a hyphen at a line's end is never mistaken for an added one.
BREAK_BEFORE = set("-")
# A table of more rows than this starts where it stands and breaks, its head repeated; a
# shorter one is kept whole (and moves to the next column if it must).
LONG_TABLE = 15
UNIT = re.compile(r"([（(][^（）()]{1,10}[）)])")
# What a table cell never breaks: a number with the measure word or Chinese term after it (11 号,
# 2018 年), and a run of Han characters of up to six (技术开发, 利特罗谷); a longer run may break.
TERM = 6
CELL_KEEP = re.compile(rf"\d[\d,.:/%‰]*(?:[-–]\d[\d,.:/%‰]*)*(?:{QUARTER_EM}?(?:[{HAN}]{{1,{TERM}}}(?![{HAN}])|[{HAN}]))?"
                       rf"|(?<![{HAN}])[{HAN}]{{2,{TERM}}}(?![{HAN}])")
TABLE_ALIGN = re.compile(r"text-align:(left|right|center)")


@dataclass(frozen=True)
class Image:
    src: str
    caption: str  # plain text
    line: int
    is_figure: bool
    wide: bool = False  # ![…](…){.wide}: across both columns, at the foot of its page


@dataclass(frozen=True)
class Footnote:
    label: str
    number: int
    line: int  # of the first reference


@dataclass(frozen=True)
class ArticleHtml:
    article: Article
    html: Markup
    images: tuple[Image, ...]
    footnotes: tuple[Footnote, ...]
    problems: tuple[Problem, ...]
    notes: int = 0  # notes numbered: footnotes and link notes, one series
    note_lines: tuple[int, ...] = ()  # the source line of each note's call, by number (1 at [0])


def renumber_notes(html: Markup, after: int) -> Markup:
    """The article's notes numbered on from `after`: an article that continues another on its
    pages (start: continue) carries on that one's series, so no page has two notes 1."""
    if not after:
        return html
    shift = lambda m: f"{m[1]}{int(m[2]) + after}"  # noqa: E731
    return Markup(_NOTE_NUMBER.sub(shift, str(html)))


# Where markup writes a note's number: the note's own data-n, and a repeated call's text.
_NOTE_NUMBER = re.compile(r'(data-n="|<sup class="footnote-again">)(\d+)')


def to_html(article: Article, session: Session | None = None) -> ArticleHtml:
    """The article's body as HTML, with its images, footnotes and problems. A process that
    stays up (serve) converts again only the articles whose file changed (session.converted)."""
    if session is None:
        return _convert(article)
    known = session.converted.get((article.path, article.slug, article.lang, article.text),
                                  lambda: _convert(article, session))
    return known if known.article is article else replace(known, article=article)


def _convert(article: Article, session: Session | None = None) -> ArticleHtml:
    # The one parse of the article (press.blocks), shared with the review: set here on a copy,
    # which costs a fifth of a parse (29 articles: 3 ms against 16).
    parsed = parse(article, session)
    tokens, env = _copy(parsed.tokens), dict(parsed.env)
    _curl_quotes(tokens, article.body, env)
    state = _State(article, env)
    _check_nesting(article, tokens, state.problems)
    main = state.take_definitions(tokens)
    state.scan(main)
    for body_tokens, _ in state.definitions.values():
        state.scan(body_tokens, in_note=True)
    state.check_attributes(main, None)
    for body_tokens, line in state.definitions.values():
        state.check_attributes(body_tokens, line)
    _prepare_text(main, article.lang)
    for body_tokens, _ in state.definitions.values():
        _prepare_text(body_tokens, article.lang)
    for part in [main, *(body for body, _ in state.definitions.values())]:
        _mark_lines(part, article.body_line)
        _linkify(part)
        state.print_addresses(part)
        _table_cells(part)
    html = state.render(main)
    if article.lang == "zh":
        html = keep_last_two(html)
    html = _NOTE_SPAN.sub(lambda m: f'{m[1]} id="{article.key.note_id(int(m[2]))}" data-n="{m[2]}"', html)
    state.check_definitions()
    return ArticleHtml(article, Markup(html), tuple(state.images), tuple(state.footnotes), tuple(state.problems),
                       state.notes, tuple(state.note_lines))


# A note as markup writes it (a footnote's text or a link's address): given its id after rendering.
_NOTE_SPAN = re.compile(r'(<span class="footnote[^"]*") data-n="(\d+)"')


class _State:
    def __init__(self, article: Article, env: dict):
        self.article, self.env = article, env
        self.renderer = RendererHTML()
        # Raw HTML is reported (scan), never printed; press_html is HTML made here (link notes,
        # breakable addresses), never from the article's text; footnote references print their notes.
        self.renderer.rules.update(html_block=_nothing, html_inline=_nothing, press_html=self._press_html,
                                   footnote_ref=self._footnote_ref, table_close=self._table_close)
        for kind in ("fence", "code_block"):
            self.renderer.rules[kind] = _lines_of_code(self.renderer.rules[kind])
        self.definitions: dict[str, tuple[list[Token], int]] = {}
        self.numbers: dict[str, int] = {}
        self.notes = 0  # notes numbered so far: footnotes and link notes share one series
        self.note_lines: list[int] = []  # the line of each note's call
        self.link_notes: dict[str, int] = {}  # address → number of its note
        self.table_notes: list[str] = []  # notes called from the cells of the table being rendered
        self.footnotes: list[Footnote] = []
        self.images: list[Image] = []
        self.problems: list[Problem] = []

    def line(self, token_map: list[int] | None, offset: int = 0) -> int:
        return self.article.body_line + (token_map[0] if token_map else 0) + offset

    def take_definitions(self, tokens: list[Token]) -> list[Token]:
        main, inside, label = [], None, ""
        for tok in tokens:
            if tok.type == "footnote_reference_open":
                label, inside = tok.meta["label"], []
                if label in self.definitions:
                    self.problems.append(error(self.article.path, self.line(tok.map), f"footnote [^{label}] is defined twice", code="note.twice"))
                self.definitions[label] = (inside, self.line(tok.map))
            elif tok.type == "footnote_reference_close":
                inside = None
            elif inside is not None:
                inside.append(tok)
            else:
                main.append(tok)
        return main

    def scan(self, tokens: list[Token], in_note: bool = False) -> None:
        """Number footnotes in reading order, list images, note what cannot be printed as written.
        A note's text (in_note) is held to the same rules as the body's."""
        for i, tok in enumerate(tokens):
            if tok.type == "html_block":
                self._raw_html(tok.content, self.line(tok.map))
            if tok.type == "heading_open" and tok.tag not in ("h2", "h3"):
                level = int(tok.tag[1])
                tok.tag = "h2" if level < 2 else "h3"
                self.problems.append(warning(self.article.path, self.line(tok.map),
                                             f"heading level {level} is set as {tok.tag}: use ## for sections and ### for subsections", code="markdown.heading"))
            if tok.type != "inline" or not tok.children:
                continue
            alone = not in_note and lone_image(tok) is not None and tokens[i - 1].type == "paragraph_open"
            # Notes called from a table's cells are set after the table (see _footnote_ref).
            in_cell = tokens[i - 1].type in ("td_open", "th_open")
            self._scan_inline(tok.children, tok.map, 0, alone, in_cell, in_note)

    def _scan_inline(self, children: list[Token], token_map, offset: int, alone: bool, in_cell: bool,
                     in_note: bool) -> None:
        """The checks of scan on a run of inline tokens: a paragraph's, a note's or a caption's.
        In a note or a caption, a link's address is printed in parentheses: it gets no note."""
        for k, child in enumerate(children):
            line = self.line(token_map, offset)
            if child.type in ("softbreak", "hardbreak"):
                offset += 1
            elif child.type == "footnote_ref":
                label = child.meta["label"]
                child.meta["in_cell"] = in_cell
                if in_note:
                    self.problems.append(error(self.article.path, line, f"footnote reference [^{label}] inside a note "
                                               "or a caption: a note cannot call another; put the reference in the text", code="note.nested"))
                    child.type, child.content = "text", f"[^{label}]"
                elif label not in self.numbers:
                    self.notes += 1
                    self.note_lines.append(line)
                    self.numbers[label] = self.notes
                    self.footnotes.append(Footnote(label, self.numbers[label], line))
            elif child.type == "image":
                caption = _plain(child.children or [])
                wide = child.attrGet("class") == "wide"
                # The file name as the editor wrote it: markdown-it percent-encodes a space or Chinese.
                self.images.append(Image(unquote(child.attrGet("src") or ""), caption, line, alone, wide and alone))
                if wide and not alone:
                    self.problems.append(error(self.article.path, line, "{.wide} is for a "
                                               "figure: put the image alone in its paragraph, with a blank line before and after", code="figure.wide"))
                self._scan_inline(child.children or [], token_map, offset, False, False, True)
            elif child.type == "html_inline" and not child.content.startswith("</"):
                self._raw_html(child.content, line)
            elif child.type == "link_open":
                self._link(children, k, line, in_cell, in_note)
            elif child.type == "text":
                at_line_start = k == 0 or children[k - 1].type in ("softbreak", "hardbreak")
                refused = [*REFUSED_LINK.finditer(child.content)]
                if at_line_start and (reference := REFUSED_REFERENCE.match(child.content)):
                    refused.append(reference)
                for match in refused:
                    self.problems.append(error(self.article.path, line,
                                               f"a {match[1].lower()}: link is not allowed: only http, https and mailto links can be printed", code="link.scheme"))
                for match in SPACED_IMAGE.finditer(child.content):
                    self.problems.append(error(self.article.path, line, f"image {match[1][:80]!r} is not read as an image: "
                                               f"write a file name with a space in angle brackets, ![…](<{match[1][:80]}>)", code="image.spaced"))
                for match in INLINE_NOTE.finditer(child.content):
                    self.problems.append(error(self.article.path, line, f"inline note ^[{match[1][:30]}] is not read as a note: "
                                               "write a reference such as [^1] here and a line '[^1]: text' below", code="note.inline"))
                for match in UNDEFINED_REF.finditer(child.content):
                    self.problems.append(error(self.article.path, line,
                                               f"footnote reference [^{match[1]}] has no definition: add a line '[^{match[1]}]: text'", code="note.undefined"))

    def _link(self, children: list[Token], k: int, line: int, in_cell: bool, in_note: bool) -> None:
        """Check a link's address; number its note (in reading order with the footnotes: a second
        link to the same address points back to its note). A link to another article of the issue
        becomes a link to that article's first page, with nothing printed for it."""
        child = children[k]
        href = child.attrGet("href") or ""
        article = ARTICLE_FILE.fullmatch(href)
        if article and not href.startswith(("/", ".")) and (self.article.path.parent / href).is_file():
            from .finish import GOTO  # not at the top: finish imports render, which imports this module

            child.attrSet("href", f"{GOTO}{article[1]}-{article[2]}")
            child.meta["internal"] = True
        elif not href.lower().startswith(LINK_SCHEMES):
            self.problems.append(error(self.article.path, line,
                                       # As written: the parser percent-encodes what it keeps (\\host is %5C%5Chost).
                                       f"link to {unquote(href)[:60]!r}: only http, https and mailto links can be printed",
                                       code="link.scheme"))
            child.attrs.pop("href", None)
        elif not in_note and _link_words(children, k) not in (href, _shown(href)):
            again = href in self.link_notes
            if not again:
                self.notes += 1
                self.note_lines.append(line)
                self.link_notes[href] = self.notes
            child.meta["note"], child.meta["again"] = self.link_notes[href], again
            child.meta["in_cell"] = in_cell

    def check_attributes(self, tokens: list[Token], line: int | None) -> None:
        """Keep only the attributes in ALLOWED_ATTRS; report the others."""
        for tok in tokens:
            at = self.line(tok.map) if line is None and tok.map else line
            for child in tok.children or []:
                for name in list(child.attrs):
                    value = str(child.attrs[name])
                    if name == "class" and child.type == "image" and value == "wide":
                        continue  # a wide figure (docs/format.md): the one class an article may give
                    if name not in ALLOWED_ATTRS.get(child.type, set()):
                        shown = {"class": "." + value, "id": "#" + value}.get(name, f"{name}={value}")
                        self.problems.append(error(self.article.path, at, f"{{{shown[:30]}}} is not allowed: an article "
                                                   "can give a language, as in [words]{lang=en}, and {.wide} to a figure", code="markdown.attribute"))
                        child.attrs.pop(name)
                    elif name == "lang" and not LANG_TAG.match(value):
                        self.problems.append(error(self.article.path, at, f"{{lang={value[:30]}}} is not a language tag: "
                                                   "write e.g. {lang=en} or {lang=zh-Hans}", code="markdown.lang"))
                        child.attrs.pop(name)

    def print_addresses(self, tokens: list[Token]) -> None:
        """Give every link its printed address: a note after it (numbered in scan), or the
        address in parentheses where no note can go; an address that is the link's own words
        is only made breakable."""
        paren = ("（", "）") if self.article.lang.startswith("zh") else (" (", ")")
        for tok in tokens:
            children = tok.children or []
            i = 0
            while i < len(children):
                child = children[i]
                if child.type == "image":
                    self.print_addresses([child])
                if child.type != "link_open" or not child.attrGet("href") or child.meta.get("internal"):
                    i += 1
                    continue
                href = str(child.attrGet("href"))
                end = next(j for j in range(i, len(children)) if children[j].type == "link_close")
                if _link_words(children, i) in (href, _shown(href)):
                    child.attrSet("class", "url")
                    children[i + 1:end] = [_html(_breakable(_shown(href)))]
                    i += 3
                    continue
                address = f'<a class="url" href="{escape(href)}">{_breakable(_shown(href))}</a>'
                # A call followed at once by another is set off from it: ⁵,⁶ and not ⁵⁶.
                more = end + 1 < len(children) and children[end + 1].type == "footnote_ref"
                if "note" not in child.meta:
                    note = f"{paren[0]}{address}{paren[1]}"
                elif child.meta["again"]:
                    note = _call_again(child.meta["note"], more)
                elif child.meta["in_cell"]:
                    note = _call_again(child.meta["note"], more)
                    later = f'<span class="footnote link-note from-table" data-n="{child.meta["note"]}">{address}</span>'
                else:
                    note = (f'<span class="footnote link-note{" then-call" if more else ""}" '
                            f'data-n="{child.meta["note"]}">{address}</span>')
                children.insert(end + 1, _html(note))
                if child.meta.get("in_cell") and not child.meta["again"]:
                    children[end + 1].meta["table_note"] = later
                i = end + 2

    def _raw_html(self, html: str, line: int) -> None:
        tag = re.match(r"\s*<\s*([A-Za-z][\w-]*)", html)
        what = f"<{tag[1].lower()}>" if tag else " ".join(html.split())[:20]
        self.problems.append(error(self.article.path, line, f"raw HTML {what} is not allowed in an article: write it in Markdown", code="markdown.raw-html"))

    def check_definitions(self) -> None:
        for label, (_, line) in self.definitions.items():
            if label not in self.numbers:
                self.problems.append(error(self.article.path, line, f"footnote [^{label}] is defined but never referenced", code="note.unused"))

    def render(self, tokens: list[Token]) -> str:
        out, i = [], 0
        while i < len(tokens):
            tok = tokens[i]
            image = lone_image(tokens[i + 1]) if tok.type == "paragraph_open" and i + 1 < len(tokens) else None
            if image is not None:
                out.append(self.figure(image, tok.attrGet("data-line")))
                i += 3
                continue
            j = i
            while j < len(tokens) and not (tokens[j].type == "paragraph_open" and j + 1 < len(tokens) and lone_image(tokens[j + 1])):
                j += 1
            out.append(self._render_tokens(tokens[i:j]))
            i = j
        return "".join(out)

    def figure(self, image: Token, line: str | None) -> str:
        caption = self._render_inline(image.children or [])
        src = escape(image.attrGet("src") or "")
        kind = "figure wide" if image.attrGet("class") == "wide" else "figure"
        at = f' data-line="{line}"' if line else ""
        return (f'<figure class="{kind}"{at}><img src="{src}" alt="{escape(_plain(image.children or []))}">'
                f'<figcaption{at}>{caption}</figcaption></figure>\n')

    def _render_tokens(self, tokens: list[Token]) -> str:
        return self.renderer.render(tokens, parser().options, self.env)

    def _render_inline(self, children: list[Token]) -> str:
        return self.renderer.renderInline(children, parser().options, self.env)

    def _press_html(self, tokens, idx, options, env) -> str:
        if "table_note" in tokens[idx].meta:  # a link's note, called from a table cell
            self.table_notes.append(tokens[idx].meta["table_note"])
        return tokens[idx].content

    def _table_close(self, tokens, idx, options, env) -> str:
        """The notes called from the table's cells, set after it (see _footnote_ref)."""
        notes, self.table_notes = self.table_notes, []
        return "</table>\n" + (f'<div class="table-notes">{"".join(notes)}</div>\n' if notes else "")

    def _footnote_ref(self, tokens, idx, options, env) -> str:
        label = tokens[idx].meta["label"]
        number = self.numbers[label]
        more = idx + 1 < len(tokens) and tokens[idx + 1].type == "footnote_ref"
        if tokens[idx].meta.get("subId", 0) > 0:
            # A second call of the same note points back to it instead of printing it again.
            return _call_again(number, more)
        body_tokens, line = self.definitions.get(label, ([], 0))
        inner = "".join(self._render_inline(t.children or []) for t in body_tokens if t.type == "inline")
        at = f' data-line="{line}"' if line else ""
        if tokens[idx].meta.get("in_cell"):
            # WeasyPrint makes no room for a note floated out of a table cell (it prints over
            # the table's last rows): the cell shows the number, the note follows the table.
            self.table_notes.append(f'<span class="footnote from-table" data-n="{number}"{at}>{inner}</span>')
            return _call_again(number, more)
        return f'<span class="footnote{" then-call" if more else ""}" data-n="{number}"{at}>{inner}</span>'


def _call_again(number: int, more: bool) -> str:
    """A call printed as text (a second call of a note, or one from a table cell), glued to the
    character before it as styles/press.css glues the calls of floated notes: a call never
    starts a line, and the mark after it keeps the line-start rules of the word before."""
    return f'{WORD_JOINER}<sup class="footnote-again">{number}{"," if more else ""}</sup>'


# The blocks that carry their source line into the HTML (data-line), for the page-level
# diagnostics to read back from WeasyPrint's boxes (press/typeset.py, press/makeup.py).
LINED = frozenset({"paragraph_open", "heading_open", "bullet_list_open", "ordered_list_open", "list_item_open",
                   "blockquote_open", "table_open", "tr_open", "th_open", "td_open", "fence", "code_block"})


def _mark_lines(tokens: list[Token], body_line: int) -> None:
    """Each block's line of the article file (front matter counted) as data-line; a table cell
    has no map of its own in markdown-it, and takes its row's, which is its line; a fenced code
    block, the line of its first line of code (the fence prints nothing)."""
    row = None
    for tok in tokens:
        if tok.type == "tr_open":
            row = tok.map
        if tok.type in LINED and (tok.map or row):
            tok.attrSet("data-line", str(body_line + (tok.map or row)[0] + (tok.type == "fence")))


def _nothing(*args) -> str:
    return ""


def _lines_of_code(render):
    """A code block as markdown-it renders it, each of its lines in a span with its own source line
    (data-line): a line too wide for its column is said at that line (press/typeset.py)."""
    def lined(tokens, idx, options, env) -> str:
        html, tok = render(tokens, idx, options, env), tokens[idx]
        escaped, end = escapeHtml(tok.content), "</code></pre>\n"
        if not tok.attrGet("data-line") or not tok.content or not html.endswith(escaped + end):
            return html
        first = int(tok.attrGet("data-line"))  # its first line of code (_mark_lines)
        lines = tok.content.split("\n")
        spans = "".join(f'<span data-line="{first + k}">{escapeHtml(line)}\n</span>' for k, line in enumerate(lines[:-1]))
        spans += f'<span data-line="{first + len(lines) - 1}">{escapeHtml(lines[-1])}</span>' if lines[-1] else ""
        return html[:-len(escaped + end)] + spans + end
    return lined


def _copy(tokens) -> list[Token]:
    """The tokens of the one parse, to be changed here: attributes, children and meta copied,
    the rest (strings, the source map) shared."""
    return [Token(t.type, t.tag, t.nesting, dict(t.attrs), t.map, t.level,
                  _copy(t.children) if t.children is not None else None, t.content, t.markup, t.info,
                  dict(t.meta), t.block, t.hidden) for t in tokens]


def _curl_quotes(tokens: list[Token], body: str, env: dict) -> None:
    """Straight quotes become curly ones, as on any printed page: markdown-it's typographer rule,
    then its joining of text runs, as its own parse runs them (press.blocks leaves both out), so
    an escaped quote (\\", a token of its own until joined) stays straight."""
    state = StateCore(body, parser(), env, tokens)
    smartquotes(state)
    text_join(state)


def _check_nesting(article: Article, tokens: list[Token], problems: list[Problem]) -> None:
    """markdown-it silently drops what is nested at its limit (20 levels of block quotes or
    lists inside each other): said as an error at the first block that reaches it."""
    limit = parser().options["maxNesting"] - 1
    deep = next((t for t in tokens if t.level >= limit and t.map), None)
    if deep is not None:
        problems.append(error(article.path, article.body_line + deep.map[0],
                              "block quotes or lists nested too deep (about 9 lists or 17 quotes inside each other): what is inside would be lost", code="markdown.nesting"))


def _prepare_text(tokens: list[Token], lang: str) -> None:
    """Apply the language's text preparation (press.clreq) to every run of text."""
    stack = [c for t in tokens for c in (t.children or [])]
    while stack:
        tok = stack.pop()
        if tok.type == "text":
            tok.content = prepare(tok.content, lang)
        stack.extend(tok.children or [])
    if lang.startswith("zh"):
        for tok in tokens:
            _space_across_markup(tok.children or [])


# Markup that prints nothing between the runs of text on either side of it.
TRANSPARENT = {"link_open", "link_close", "em_open", "em_close", "strong_open", "strong_close",
               "s_open", "s_close", "span_open", "span_close"}


def _space_across_markup(children: list[Token]) -> None:
    """[clreq 3.2.2] The quarter em between Han and Western text also where the two meet at
    the edge of a link or an emphasis (访问[WHO](…)网站): each run was prepared alone."""
    previous = None
    for child in children:
        if child.type == "image":
            _space_across_markup(child.children or [])
        if child.type == "text" and child.content:
            if previous is not None and len(space_han_western(previous.content[-1] + child.content[0])) > 2:
                child.content = QUARTER_EM + child.content
            previous = child
        elif child.type not in TRANSPARENT:
            previous = None


def _linkify(tokens: list[Token]) -> None:
    """Bare http(s) addresses in the text become links (after text preparation, so the quarter
    em a Chinese character keeps from an address stays in the text before it)."""
    for tok in tokens:
        children, out, inside = tok.children or [], [], 0
        for child in children:
            inside += {"link_open": 1, "link_close": -1}.get(child.type, 0)
            if child.type == "image":
                _linkify([child])
            if child.type != "text" or inside or "://" not in child.content:
                out.append(child)
                continue
            text, start = child.content, 0
            for match in BARE_URL.finditer(text):
                url = _trimmed(match[0])
                if url.endswith("://"):
                    continue
                out.append(_text(text[start:match.start()]))
                link = Token("link_open", "a", 1, attrs={"href": url})
                out += [link, _text(url), Token("link_close", "a", -1)]
                start = match.start() + len(url)
            out.append(_text(text[start:]))
        if tok.children:
            tok.children = [c for c in out if not (c.type == "text" and not c.content)]


def link_addresses(text: str) -> Markup:
    """Plain text (a front-matter field: abstract, source) as HTML in which every bare address is
    a link, printed breakable as in the body."""
    out, start = [], 0
    for match in BARE_URL.finditer(text):
        url = _trimmed(match[0])
        if url.endswith("://"):
            continue
        out += [str(escape(text[start:match.start()])), f'<a class="url" href="{escape(url)}">{_breakable(url)}</a>']
        start = match.start() + len(url)
    return Markup("".join(out) + str(escape(text[start:])))


def _trimmed(url: str) -> str:
    """An address without the marks that end the sentence around it; a closing parenthesis
    stays when the address opened one (as Wikipedia's do)."""
    opened, closed = url.count("("), url.count(")")  # counted once: an address may be 1 MB of ")"
    end = len(url)
    while end and url[end - 1] in URL_TRAILING and not (url[end - 1] == ")" and opened >= closed):
        closed -= url[end - 1] == ")"
        end -= 1
    return url[:end]


def _table_cells(tokens: list[Token]) -> None:
    """The alignment row's choice as a class (styles/press.css sets numbers there), not as a
    style; a table of more than LONG_TABLE rows is marked as one that may break."""
    for i, tok in enumerate(tokens):
        if tok.type == "table_open":
            end = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
            if sum(t.type == "tr_open" for t in tokens[i:end]) - 1 > LONG_TABLE:
                tok.attrSet("class", "long")
        if tok.type in ("th_open", "td_open"):
            align = TABLE_ALIGN.search(str(tok.attrs.pop("style", "")))
            if align:
                tok.attrSet("class", f"align-{align[1]}")
        if tok.type in ("th_open", "td_open") and i + 1 < len(tokens):
            children = tokens[i + 1].children or []
            for j, child in enumerate(children):
                if child.type == "text" and (CELL_KEEP.search(child.content) or UNIT.search(child.content)):
                    children[j] = _html(_cell_text(child.content, head=tok.type == "th_open"))


def _cell_text(text: str, head: bool) -> str:
    """A cell's text as HTML: what may not break (CELL_KEEP) in a span styles/press.css keeps
    on one line, and in a head the unit in brackets, （万人次） or (10,000), whole, to go on a
    line of its own. A kept run's width is then the narrowest its column may be, unless the
    table cannot fit its column so (press/tables.py lets its runs break again)."""
    out: list[str] = []

    def span(kind: str, text: str) -> None:
        # Two runs set on one line each, side by side (年经费（万元）), may still go on two lines.
        out.append(f'{"<wbr>" if out and out[-1].endswith("</span>") else ""}<span class="{kind}">{escape(text)}</span>')

    for k, part in enumerate(UNIT.split(text) if head else [text]):
        if k % 2:
            span("unit", part)
            continue
        at = 0
        for match in CELL_KEEP.finditer(part):
            if match.start() > at:
                out.append(str(escape(part[at:match.start()])))
            span("keep", match[0])
            at = match.end()
        if part[at:]:
            out.append(str(escape(part[at:])))
    return "".join(out)


def _link_words(children: list[Token], start: int) -> str:
    """The printed words of a link, from its opening token (children[start]) to its close. By
    index, not by looking the token up: a paragraph of 1,000 links looked up each one."""
    words = []
    for child in children[start + 1:]:
        if child.type == "link_close":
            break
        words.append(child.content if child.type in ("text", "code_inline") else "")
    return "".join(words).strip()


def _shown(href: str) -> str:
    """An address as printed: a mail address without its scheme."""
    return href[len("mailto:"):] if href.lower().startswith("mailto:") else href


def _breakable(address: str) -> str:
    """An address, escaped, with a break opportunity (<wbr>, no character) after / . _ ? & = #
    and before a hyphen; never inside a run of marks (://), after its scheme or www., or at
    either end."""
    out, i = [], 0
    while i < len(address):
        char = address[i]
        before, after = address[i - 1] if i else "", address[i + 1] if i + 1 < len(address) else ""
        if char in BREAK_BEFORE and before.isalnum():
            # The line breaker would also break after a hyphen; tied to what follows, it cannot.
            out.append(f'<wbr><span class="url-tie">{escape(char + after)}</span>')
            i += 2
            continue
        out.append(str(escape(char)))
        if char in BREAK_AFTER and after.isalnum() and 8 < i < len(address) - 2 and not address[:i + 1].endswith("://www."):
            out.append("<wbr>")
        i += 1
    return "".join(out)


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


def _html(content: str) -> Token:
    return Token("press_html", "", 0, content=content)


def _plain(children: list[Token]) -> str:
    return "".join(c.content for c in children if c.type in ("text", "code_inline")).strip()
