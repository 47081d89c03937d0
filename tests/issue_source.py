"""What the tests expect, read from the issue's own sources (never hard-coded)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

IMAGE = re.compile(r"^!\[(.*)\]\((.*?)\)(\{\.wide\})?$")
REF = re.compile(r"\[\^([^\]\s]+)\]")
DEF = re.compile(r"^\[\^([^\]\s]+)\]:\s*(.*)$")
# [words]{lang=en}: a language mark, not words of the text
LANG_SPAN = re.compile(r"\[([^\]]*)\]\{lang=[^}]*\}")
# [words](https://…): printed as its words, its address in a note numbered with the footnotes
LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(((?:https?|mailto):[^)\s]+)\)")
REF_OR_LINK = re.compile(f"{REF.pattern}|{LINK.pattern}")


@dataclass
class Source:
    slug: str
    lang: str
    meta: dict
    blocks: list[str]  # body blocks as written (paragraphs, headings, figures, note definitions)

    @property
    def figures(self) -> list[str]:
        return [m[1] for b in self.blocks if (m := IMAGE.match(b))]

    @property
    def wide_figures(self) -> list[str]:
        return [m[1] for b in self.blocks if (m := IMAGE.match(b)) and m[3]]

    @property
    def continued(self) -> bool:
        return self.meta.get("start") == "continue"

    def plain(self, block: str) -> str:
        """A block as its words are printed: without note references, and links as their text."""
        return LINK.sub(r"\1", REF.sub("", block))

    @property
    def notes(self) -> dict[str, str]:
        """Note text by label; a link's note (see note_contexts) by its address."""
        notes = {m[1]: m[2] for b in self.blocks for line in b.splitlines() if (m := DEF.match(line))}
        for block in self.blocks:
            if not DEF.match(block):
                notes.update({m[2]: m[2].removeprefix("mailto:") for m in LINK.finditer(block)})
        return notes

    def note_contexts(self) -> list[tuple[str, str]]:
        """(label, the text just before its reference) for each note in the order they are
        numbered: footnote references, and links whose words are not their address (their
        label is the address; a second link to the same address has no note of its own)."""
        out, seen = [], set()
        for block in self.blocks:
            if DEF.match(block):
                continue
            position, printed = 0, ""
            for m in REF_OR_LINK.finditer(block):
                printed += LINK.sub(r"\1", REF.sub("", block[position:m.start()]))
                if block.startswith("|"):  # a table's rules are not printed text
                    printed = printed.replace("|", "")
                position = m.end()
                if m[1]:
                    out.append((m[1], printed[-10:]))
                    continue
                printed += m[2]
                words, url = m[2], m[3]
                if words in (url, url.removeprefix("mailto:")) or url in seen:
                    continue
                seen.add(url)
                out.append((url, printed[-10:]))
        return out


def read_issue(issue: Path) -> tuple[dict, list[Source]]:
    meta = yaml.safe_load((issue / "issue.yaml").read_text(encoding="utf-8"))
    sources = []
    for slug in meta["articles"]:
        for lang in ("zh", "en"):
            path = issue / f"{slug}.{lang}.md"
            if path.exists():
                _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
                blocks = [LANG_SPAN.sub(r"\1", b.strip()) for b in re.split(r"\n\s*\n", body) if b.strip()]
                # Note definitions written on consecutive lines form one block: split them.
                split = []
                for b in blocks:
                    split.extend(b.splitlines() if DEF.match(b.splitlines()[0]) else [b])
                sources.append(Source(slug, lang, yaml.safe_load(front), split))
    return meta, sources
