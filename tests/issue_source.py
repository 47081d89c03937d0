"""What the tests expect, read from the issue's own sources (never hard-coded)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

IMAGE = re.compile(r"^!\[(.*)\]\((.*?)\)(\{\.wide\})?$")
LINK = re.compile(r"(?<!!)\[([^\]]*)\]\((https?://[^)\s]+|mailto:[^)\s]+)\)")
REF = re.compile(r"\[\^([^\]\s]+)\]")
DEF = re.compile(r"^\[\^([^\]\s]+)\]:\s*(.*)$")
# [words]{lang=en}: a language mark, not words of the text
LANG_SPAN = re.compile(r"\[([^\]]*)\]\{lang=[^}]*\}")


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
        return {m[1]: m[2] for b in self.blocks for line in b.splitlines() if (m := DEF.match(line))}

    def note_contexts(self) -> list[tuple[str, str]]:
        """(label, the text just before its reference) for each footnote reference."""
        out = []
        for block in self.blocks:
            if DEF.match(block):
                continue
            for m in REF.finditer(block):
                before = LINK.sub(r"\1", REF.sub("", block[: m.start()]))
                out.append((m[1], before[-10:]))
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
