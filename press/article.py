"""The article key: one article of an issue (a slug in a language), and the names made of it.

Every stage names an article by its key, never by a string of its own making: the key says
how its HTML id, its notes' ids, its file and its entry in the build record are spelled.
Light on purpose (the standard library alone): a warm build reads keys back from the record.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class ArticleKey:
    """One article of an issue, named once: by its slug and language, and the names made of them."""
    slug: str
    lang: str

    @property
    def anchor(self) -> str:
        """Its id in the HTML and the PDF, which the contents link to; its notes' ids start with it."""
        return f"{self.slug}-{self.lang}"

    def note_id(self, number: int) -> str:
        """The id of the article's note `number` (numbered within the article): the typeset part
        lists the ids of the elements it placed, so a note left out of the pages is found by it."""
        return f"note-{self.anchor}-{number}"

    @property
    def file_name(self) -> str:
        """Its source in the issue folder."""
        return f"{self.slug}.{self.lang}.md"

    @property
    def name(self) -> str:
        """As the build record (and a typeset part's name) writes it."""
        return f"{self.slug}.{self.lang}"

    @classmethod
    def named(cls, name: str) -> "ArticleKey":
        """The key of a `name` as written by .name."""
        slug, _, lang = name.rpartition(".")
        return cls(slug, lang)
