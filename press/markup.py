"""Turn an article's Markdown body into the HTML fragment that is typeset.

CommonMark with footnotes (markdown-it-py, mdit-py-plugins). Two things
differ from a web renderer: a footnote's text is put inline where it is
referenced, as a span that CSS floats to the foot of the page, and an
image alone in its paragraph becomes a figure with its alt text as the
caption. Raw HTML is never passed through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup, escape
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .clreq import keep_last_two, prepare
from .errors import Problem, error, warning
from .issue import Article

UNDEFINED_REF = re.compile(r"\[\^([^\]\s]+)\]")
# markdown-it refuses these link targets and leaves the Markdown as text; say so instead.
REFUSED_LINK = re.compile(r"\]\(\s*<?(javascript|vbscript|file|data):", re.I)
LINK_SCHEMES = ("http://", "https://", "mailto:")
# The attributes Markdown may carry: a language on a span of words ([The Lancet]{lang=en}),
# besides what links and images have anyway. Anything else ({.class}, {#id}, {style=…}) would
# reach the page's CSS or its links, so it is refused.
ALLOWED_ATTRS = {"link_open": {"href", "title"}, "image": {"src", "alt", "title"}, "span_open": {"lang"}}
LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Image:
    src: str
    caption: str  # plain text
    line: int
    is_figure: bool


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


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Typographer: straight quotes become curly ones, as on any printed page.
    # HTML is parsed (not escaped into the text) so that it can be reported and dropped.
    md = MarkdownIt("commonmark", {"html": True, "typographer": True})
    md.use(footnote_plugin).use(attrs_plugin, spans=True).enable(["table", "strikethrough", "smartquotes"])
    md.add_render_rule("html_block", lambda *args: "")
    md.add_render_rule("html_inline", lambda *args: "")
    # Keep the definitions where they were parsed: we place each one at its reference.
    md.core.ruler.disable("footnote_tail")
    return md


def to_html(article: Article) -> ArticleHtml:
    """The article's body as HTML, with its images, footnotes and problems. A process that
    stays up (serve) converts again only the articles whose file changed."""
    known = _CONVERTED.get((article.path, article.slug, article.lang))
    if known is not None and known.article.text == article.text:
        return replace(known, article=article)
    converted = _convert(article)
    _CONVERTED[(article.path, article.slug, article.lang)] = converted
    return converted


_CONVERTED: dict[tuple, ArticleHtml] = {}  # the last conversion of each article


def _convert(article: Article) -> ArticleHtml:
    md = _parser()
    env: dict = {}
    tokens = md.parse(article.body, env)
    state = _State(article, md, env)
    _check_nesting(article, tokens, md, state.problems)
    main = state.take_definitions(tokens)
    state.scan(main)
    state.check_attributes(main, None)
    for body_tokens, line in state.definitions.values():
        state.check_attributes(body_tokens, line)
    _prepare_text(main, article.lang)
    for body_tokens, _ in state.definitions.values():
        _prepare_text(body_tokens, article.lang)
    html = state.render(main)
    if article.lang == "zh":
        html = keep_last_two(html)
    state.check_definitions()
    return ArticleHtml(article, Markup(html), tuple(state.images), tuple(state.footnotes), tuple(state.problems))


class _State:
    def __init__(self, article: Article, md: MarkdownIt, env: dict):
        self.article, self.md, self.env = article, md, env
        self.definitions: dict[str, tuple[list[Token], int]] = {}
        self.numbers: dict[str, int] = {}
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
                    self.problems.append(error(self.article.path, self.line(tok.map), f"footnote [^{label}] is defined twice"))
                self.definitions[label] = (inside, self.line(tok.map))
            elif tok.type == "footnote_reference_close":
                inside = None
            elif inside is not None:
                inside.append(tok)
            else:
                main.append(tok)
        return main

    def scan(self, tokens: list[Token]) -> None:
        """Number footnotes in reading order, list images, note what cannot be printed as written."""
        for i, tok in enumerate(tokens):
            if tok.type == "html_block":
                self._raw_html(tok.content, self.line(tok.map))
            if tok.type == "heading_open" and tok.tag not in ("h2", "h3"):
                level = int(tok.tag[1])
                tok.tag = "h2" if level < 2 else "h3"
                self.problems.append(warning(self.article.path, self.line(tok.map),
                                             f"heading level {level} is set as {tok.tag}: use ## for sections and ### for subsections"))
            if tok.type != "inline" or not tok.children:
                continue
            alone = _lone_image(tok) is not None and tokens[i - 1].type == "paragraph_open"
            offset = 0
            for child in tok.children:
                if child.type in ("softbreak", "hardbreak"):
                    offset += 1
                elif child.type == "footnote_ref":
                    label = child.meta["label"]
                    if label not in self.numbers:
                        self.numbers[label] = len(self.numbers) + 1
                        self.footnotes.append(Footnote(label, self.numbers[label], self.line(tok.map, offset)))
                elif child.type == "image":
                    caption = _plain(child.children or [])
                    self.images.append(Image(child.attrGet("src") or "", caption, self.line(tok.map, offset), alone))
                elif child.type == "html_inline" and not child.content.startswith("</"):
                    self._raw_html(child.content, self.line(tok.map, offset))
                elif child.type == "link_open":
                    href = child.attrGet("href") or ""
                    if not href.lower().startswith(LINK_SCHEMES):
                        self.problems.append(error(self.article.path, self.line(tok.map, offset),
                                                   f"link to {href[:60]!r}: only http, https and mailto links can be printed"))
                        child.attrs.pop("href", None)
                elif child.type == "text":
                    for match in REFUSED_LINK.finditer(child.content):
                        self.problems.append(error(self.article.path, self.line(tok.map, offset),
                                                   f"a {match[1].lower()}: link is not allowed: only http, https and mailto links can be printed"))
                    for match in UNDEFINED_REF.finditer(child.content):
                        self.problems.append(error(self.article.path, self.line(tok.map, offset),
                                                   f"footnote reference [^{match[1]}] has no definition: add a line '[^{match[1]}]: text'"))

    def check_attributes(self, tokens: list[Token], line: int | None) -> None:
        """Keep only the attributes in ALLOWED_ATTRS; report the others."""
        for tok in tokens:
            at = self.line(tok.map) if line is None and tok.map else line
            for child in tok.children or []:
                for name in list(child.attrs):
                    value = str(child.attrs[name])
                    if name not in ALLOWED_ATTRS.get(child.type, set()):
                        shown = {"class": "." + value, "id": "#" + value}.get(name, f"{name}={value}")
                        self.problems.append(error(self.article.path, at, f"{{{shown[:30]}}} is not allowed: the only "
                                                   "attribute an article can give is a language, as in [words]{lang=en}"))
                        child.attrs.pop(name)
                    elif name == "lang" and not LANG_TAG.match(value):
                        self.problems.append(error(self.article.path, at, f"{{lang={value[:30]}}} is not a language tag: "
                                                   "write e.g. {lang=en} or {lang=zh-Hans}"))
                        child.attrs.pop(name)

    def _raw_html(self, html: str, line: int) -> None:
        tag = re.match(r"\s*<\s*([A-Za-z][\w-]*)", html)
        what = f"<{tag[1].lower()}>" if tag else " ".join(html.split())[:20]
        self.problems.append(error(self.article.path, line, f"raw HTML {what} is not allowed in an article: write it in Markdown"))

    def check_definitions(self) -> None:
        for label, (_, line) in self.definitions.items():
            if label not in self.numbers:
                self.problems.append(error(self.article.path, line, f"footnote [^{label}] is defined but never referenced"))

    def render(self, tokens: list[Token]) -> str:
        out, i = [], 0
        while i < len(tokens):
            tok = tokens[i]
            image = _lone_image(tokens[i + 1]) if tok.type == "paragraph_open" and i + 1 < len(tokens) else None
            if image is not None:
                out.append(self.figure(image))
                i += 3
                continue
            j = i
            while j < len(tokens) and not (tokens[j].type == "paragraph_open" and j + 1 < len(tokens) and _lone_image(tokens[j + 1])):
                j += 1
            out.append(self._render_tokens(tokens[i:j]))
            i = j
        return "".join(out)

    def figure(self, image: Token) -> str:
        caption = self._render_inline(image.children or [])
        src = escape(image.attrGet("src") or "")
        return (f'<figure class="figure"><img src="{src}" alt="{escape(_plain(image.children or []))}">'
                f'<figcaption>{caption}</figcaption></figure>\n')

    def _render_tokens(self, tokens: list[Token]) -> str:
        return self._with_notes(self.md.renderer.render, tokens)

    def _render_inline(self, children: list[Token]) -> str:
        return self._with_notes(self.md.renderer.renderInline, children)

    def _with_notes(self, render, tokens: list[Token]) -> str:
        """Render with footnote references printed as their notes (the parser is shared, so restore after)."""
        rules = self.md.renderer.rules
        saved = rules.get("footnote_ref")
        rules["footnote_ref"] = self._footnote_ref
        try:
            return render(tokens, self.md.options, self.env)
        finally:
            rules["footnote_ref"] = saved

    def _footnote_ref(self, tokens, idx, options, env) -> str:
        label = tokens[idx].meta["label"]
        number = self.numbers[label]
        if tokens[idx].meta.get("subId", 0) > 0:
            # A second call of the same note points back to it instead of printing it again.
            return f'<sup class="footnote-again">{number}</sup>'
        body_tokens, _ = self.definitions.get(label, ([], 0))
        inner = "".join(self._render_inline(t.children or []) for t in body_tokens if t.type == "inline")
        return f'<span class="footnote" data-n="{number}">{inner}</span>'


def _check_nesting(article: Article, tokens: list[Token], md: MarkdownIt, problems: list[Problem]) -> None:
    """markdown-it silently drops what is nested at its limit (20 levels of block quotes or
    lists inside each other): said as an error at the first block that reaches it."""
    limit = md.options["maxNesting"] - 1
    deep = next((t for t in tokens if t.level >= limit and t.map), None)
    if deep is not None:
        problems.append(error(article.path, article.body_line + deep.map[0],
                              "block quotes or lists nested too deep (about 9 lists or 17 quotes inside each other): what is inside would be lost"))


def _prepare_text(tokens: list[Token], lang: str) -> None:
    """Apply the language's text preparation (press.clreq) to every run of text."""
    stack = [c for t in tokens for c in (t.children or [])]
    while stack:
        tok = stack.pop()
        if tok.type == "text":
            tok.content = prepare(tok.content, lang)
        stack.extend(tok.children or [])


def _lone_image(tok: Token) -> Token | None:
    """The image of an inline token that holds one image and nothing else."""
    if tok.type != "inline" or not tok.children:
        return None
    kids = [c for c in tok.children if not (c.type == "text" and not c.content.strip()) and c.type != "softbreak"]
    return kids[0] if len(kids) == 1 and kids[0].type == "image" else None


def _plain(children: list[Token]) -> str:
    return "".join(c.content for c in children if c.type in ("text", "code_inline")).strip()
