"""An article as a sequence of blocks, for comparing its two language versions.

A block is what a translator translates as one unit and a reviewer reads
side by side: a heading (with its level), a paragraph, a list item, a table
row, a block quote's paragraph, a figure, a note, and the front matter's
fields. Blocks are read from markdown-it's tokens, so that every construct
of the format (GFM tables, lists, quotes, links, [words]{lang=en}) is split
as the typeset article is, each with its source line (token.map).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .issue import Article
from .rules import CJK_PUNCTUATION
from .session import Session

FRONT_FIELDS = ("title", "subtitle", "author", "source", "date", "abstract")
TEXT_KINDS = ("paragraph", "item", "quote")  # blocks a translator may merge or split
NAMES = {"heading": "heading", "paragraph": "paragraph", "item": "list item", "quote": "quoted paragraph",
         "row": "table row", "code": "code block", "figure": "figure", "note": "note"}
# A mail address starts only where a run of its characters starts: without the look-behind, each
# position of a long run of letters (or of Chinese, which \w matches) would scan the run again.
# An address ends at a Chinese punctuation mark.
# A DOI (doi:10.1038/s41586-020-03093-8, or bare) is an address too: translated, it stays as it
# is, and its digits are no quantity to compare.
_ADDRESS_END = rf"[^\s<>\"'()\[\],{re.escape(''.join(sorted(CJK_PUNCTUATION)))}]+"
URL = re.compile(rf"(?:https?://|www\.){_ADDRESS_END}"
                 rf"|(?<![\w./:-])(?:doi:\s?)?10\.\d{{4,9}}/{_ADDRESS_END}"
                 r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)
# Latin words and acronyms standing in Chinese text (WHO, CEPI, mRNA, BioNTech): names that survive translation.
# The tokens that print their content as it is: text, an escaped character or an entity
# (text_special: kept apart in the one parse, see _parser), inline code.
TEXT = ("text", "text_special", "code_inline")
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9&'’\-]*(?<![\-'’])")


@dataclass(frozen=True)
class Block:
    kind: str  # heading, paragraph, item, quote, row, code, figure, note; or a front-matter field
    line: int  # of the file
    text: str  # the words as printed: marks, note references and image syntax removed
    level: int = 0  # of a heading
    image: str = ""  # of a figure
    label: str = ""  # of a note
    refs: tuple[str, ...] = ()  # labels of the notes referenced here, in order
    urls: tuple[str, ...] = ()  # link targets and addresses written in the text
    marked: tuple[str, ...] = ()  # words marked {lang=…} as another language
    inline: tuple[Token, ...] = field(default=(), compare=False, repr=False)  # for the reading view

    @property
    def digest(self) -> str:
        """Names what the block says, whatever its line: the stale-translation record keeps these."""
        what = f"{self.kind}|{self.level}|{self.image}|{self.label}|{' '.join(self.text.split())}"
        return hashlib.sha256(what.encode("utf-8")).hexdigest()[:12]

    def latin_words(self) -> list[str]:
        """Latin words of a Chinese block (outside its addresses), and its marked words."""
        bare = URL.sub(" ", self.text)
        words = [w for w in LATIN_WORD.findall(bare)]
        return list(dict.fromkeys([*self.marked, *words]))


@dataclass(frozen=True)
class Parsed:
    """An article's body as markdown-it reads it, read once a build and shared by the printed HTML
    (press.markup, which sets a copy of its own), the review and the reading view (these blocks):
    never changed once made."""
    tokens: tuple[Token, ...]
    env: dict = field(compare=False, repr=False)  # link references and footnotes, for rendering


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # The one reading of the format: CommonMark, GFM tables, footnotes, attributes on spans; raw
    # HTML parsed (not escaped into the text) so that press.markup can report and drop it. No smart
    # quotes and no text_join: the review reads the source's own characters, and an escaped
    # character stays a token of its own (text_special), so that press.markup curls the quotes of
    # its copy as the typographer does, leaving an escaped \" straight.
    md = MarkdownIt("commonmark", {"html": True, "typographer": True})
    md.use(footnote_plugin).use(attrs_plugin, spans=True).enable(["table", "strikethrough"])
    # Keep the definitions where they were parsed: markup places each one at its reference. An
    # inline note (^[words]) is not the format's: left as text, which markup reports.
    md.core.ruler.disable(["footnote_tail", "text_join"])
    md.inline.ruler.disable("footnote_inline")
    return md


def parser() -> MarkdownIt:
    return _parser()


def parse(article: Article, session: Session | None = None) -> Parsed:
    """The article's body, parsed; once a build, with a session (session.parsed), whoever asks."""
    if session is None:
        return _parse(article.body)
    return session.parsed.get(article.body, lambda: _parse(article.body))


def _parse(body: str) -> Parsed:
    env: dict = {}
    return Parsed(tuple(_parser().parse(body, env)), env)


def split_blocks(article: Article, session: Session | None = None) -> tuple[Block, ...]:
    """The article's front matter fields, then its body blocks in reading order, notes last.
    A process that stays up (serve) splits an edited file only (session.blocks)."""
    if session is None:
        return _split(article)
    return session.blocks.get((article.path, article.text), lambda: _split(article, session))


def _split(article: Article, session: Session | None = None) -> tuple[Block, ...]:
    return tuple(_front_blocks(article)) + tuple(_body_blocks(article, parse(article, session).tokens))


def _front_blocks(article: Article) -> list[Block]:
    blocks = []
    for name in FRONT_FIELDS:
        value = getattr(article.meta, name)
        if value is None:
            continue
        text = value.isoformat() if name == "date" else str(value)
        blocks.append(Block(name, article.line_of(name), text, urls=tuple(URL.findall(text))))
    if article.lang == "zh" and article.meta.abstract_en:
        blocks.append(Block("abstract_en", article.line_of("abstract_en"), article.meta.abstract_en))
    return blocks


def _body_blocks(article: Article, tokens: tuple[Token, ...]) -> list[Block]:
    blocks: list[Block] = []
    notes: list[Block] = []
    stack: list[Token] = []  # open containers
    row: list[Token] = []  # the cells of the table row being read
    owners: dict[int, int] = {}  # id of a list item's or note's opening token → index of its block
    for i, tok in enumerate(tokens):
        if tok.nesting == 1:
            stack.append(tok)
            if tok.type == "tr_open":
                row = []
            continue
        if tok.nesting == -1:
            opened = stack.pop() if stack else None
            if opened is not None and opened.type == "tr_open" and row:
                blocks.append(_block(article, "row", opened, row))
            continue
        if tok.type in ("fence", "code_block"):
            blocks.append(Block("code", _line(article, tok), tok.content))
            continue
        if tok.type != "inline":
            continue
        kinds = [t.type for t in stack]
        if "tr_open" in kinds:
            row.append(tok)
            continue
        where = next((t for t in reversed(stack) if t.type in ("footnote_reference_open", "list_item_open",
                                                              "blockquote_open", "heading_open")), tok)
        if where.type == "footnote_reference_open":
            _extend(notes, owners, article, "note", where, tok, label=where.meta["label"])
        elif where.type == "list_item_open":
            _extend(blocks, owners, article, "item", where, tok)
        elif where.type == "blockquote_open":
            blocks.append(_block(article, "quote", tok, [tok]))
        elif where.type == "heading_open":
            blocks.append(_block(article, "heading", tok, [tok], level=int(where.tag[1])))
        elif (image := lone_image(tok)) is not None:
            caption = _plain(image.children or [])
            blocks.append(Block("figure", _line(article, tok), caption, image=image.attrGet("src") or "",
                                refs=tuple(_refs([tok])), urls=tuple(_urls([tok], caption)),
                                marked=tuple(_marked([tok])), inline=(tok,)))
        else:
            blocks.append(_block(article, "paragraph", tok, [tok]))
    return blocks + notes


def _extend(blocks: list[Block], owners: dict[int, int], article: Article, kind: str, container: Token, tok: Token,
            label: str = "") -> None:
    """A list item or note of several paragraphs is one block: the later paragraphs join the first."""
    at = owners.get(id(container))
    if at is not None and at < len(blocks) and blocks[at].kind == kind:
        blocks[at] = _block(article, kind, container, [*blocks[at].inline, tok], label=label)
        return
    owners[id(container)] = len(blocks)
    blocks.append(_block(article, kind, container, [tok], label=label))


def _block(article: Article, kind: str, at: Token, inline: list[Token], level: int = 0, label: str = "") -> Block:
    text = " | ".join(_plain(t.children or []) for t in inline) if kind == "row" else \
        "\n".join(_plain(t.children or []) for t in inline)
    return Block(kind, _line(article, at), text, level=level, label=label, refs=tuple(_refs(inline)),
                 urls=tuple(_urls(inline, text)), marked=tuple(_marked(inline)), inline=tuple(inline))


def _line(article: Article, tok: Token) -> int:
    return article.body_line + (tok.map[0] if tok.map else 0)


def _plain(children: list[Token]) -> str:
    out = []
    for child in children:
        if child.type in TEXT:
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "image":
            out.append(_plain(child.children or []))
    return "".join(out).strip()


def _refs(inline: list[Token]) -> list[str]:
    return list(dict.fromkeys(c.meta["label"] for t in inline for c in t.children or [] if c.type == "footnote_ref"))


def _urls(inline: list[Token], text: str) -> list[str]:
    links = [c.attrGet("href") or "" for t in inline for c in t.children or [] if c.type == "link_open"]
    found = [u.rstrip(".,;:!?") for u in URL.findall(text)]
    return list(dict.fromkeys(u.removeprefix("mailto:") for u in [*links, *found] if u))


def _marked(inline: list[Token]) -> list[str]:
    """Words marked as another language: [The Lancet]{lang=en}."""
    out = []
    for t in inline:
        children = t.children or []
        for i, child in enumerate(children):
            if child.type == "span_open" and child.attrGet("lang"):
                depth, words = 0, []
                for inner in children[i + 1:]:
                    if inner.type == "span_open":
                        depth += 1
                    elif inner.type == "span_close":
                        if depth == 0:
                            break
                        depth -= 1
                    elif inner.type in ("text", "text_special"):
                        words.append(inner.content)
                if "".join(words).strip():
                    out.append(" ".join("".join(words).split()))
    return out


def lone_image(tok: Token) -> Token | None:
    """The image of an inline token that holds one image and nothing else: a figure (press.markup
    sets it so, and the review reads it so)."""
    if tok.type != "inline" or not tok.children:
        return None
    kids = [c for c in tok.children if not (c.type in ("text", "text_special") and not c.content.strip())
            and c.type != "softbreak"]
    return kids[0] if len(kids) == 1 and kids[0].type == "image" else None
