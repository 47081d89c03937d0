"""What each translation was made from: `<slug>.translation.yaml`, beside the article's two files.

`python build.py translated SLUG` records a digest of every block of both
versions, once a translator has checked that they say the same. The record
is a small text file, reviewed and committed with the sources. A later edit
of either side changes its blocks' digests: each changed block is reported,
with its counterpart on the other side, until the translator confirms again.

A warning of the review that the translator has checked (a deliberate
rounding) is accepted with `python build.py translated SLUG --accept LINE`,
kept in `<slug>.accepted.yaml`: the digests of the two blocks it is about and
its words. It silences that warning alone, until either block changes.

An article never confirmed may still be in git: then a Chinese block last
changed in a later commit than its English counterpart is reported (from
`git blame`, bounded in time; nothing is said outside git or without it).
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import subprocess
from pathlib import Path

import yaml

from .blocks import FRONT_FIELDS, NAMES, Block, split_blocks
from .errors import PressError, Problem, warning
from .issue import Article, Issue, read_yaml
from .output import write_atomically
from .session import Session

HEADER = """\
# What the translation of this article was made from: a digest of every block of
# {zh} and {en}, written by `python build.py translated {slug}`
# once the translator had checked that both say the same. A block edited on either side
# after this is reported by `check` and every build until the translator confirms again.
"""


def record_path(issue_dir: Path, slug: str) -> Path:
    return Path(issue_dir) / f"{slug}.translation.yaml"


def confirm(issue: Issue, slug: str) -> Path:
    """Record both versions of `slug` as translations of each other (the `translated` command)."""
    zh, en = issue.article(slug, "zh"), issue.article(slug, "en")
    if zh is None or en is None:
        listed = slug in issue.slugs
        why = "is not listed in issue.yaml" if not listed else f"has no {'zh' if zh is None else 'en'} version"
        raise PressError.at(issue.yaml_path, None, f"cannot record the translation of '{slug}': it {why}", code="translation.record")
    path = record_path(issue.dir, slug)
    body = {lang: [_entry(b) for b in split_blocks(article)] for lang, article in (("zh", zh), ("en", en))}
    text = HEADER.format(zh=zh.path.name, en=en.path.name, slug=slug) + yaml.safe_dump(
        body, allow_unicode=True, sort_keys=False, width=200)
    return write_atomically(path, text)  # a source file of the issue: synced like the outputs


ACCEPTED_HEADER = """\
# Warnings of the translation review on {en} that the translator checked and accepted
# as intended, written by `python build.py translated {slug} --accept LINE`. Each entry names
# the digests of the two blocks the warning is about: editing either block brings it back.
"""


def accepted_path(issue_dir: Path, slug: str) -> Path:
    return Path(issue_dir) / f"{slug}.accepted.yaml"


def accept(issue: Issue, slug: str, line: int) -> Path:
    """Accept the warnings at `line` of the English file of `slug` (the `translated --accept` command)."""
    from .parity import review  # the review imports this module for its stale-translation warnings

    en = issue.article(slug, "en")
    if en is None or issue.article(slug, "zh") is None:
        confirm(issue, slug)  # raises the error that says which version is missing
    rows = [row for pair in review(issue).pairs if pair.slug == slug for row in pair.rows]
    found = [(row, p) for row in rows for p in row.problems if p.line == line and Path(p.path) == Path(en.path)]
    if not found:
        raise PressError.at(en.path, line, f"no translation warning at this line to accept (see 'python build.py "
                                           f"check {issue.dir}')", code="translation.accept")
    path = accepted_path(issue.dir, slug)
    digests = {b.digest for row in rows for b in (*row.zh, *row.en)}
    kept = [e for e in _accepted(path) or [] if e.get("zh", "") in digests | {""} and e.get("en", "") in digests | {""}]
    new = [{"zh": row.zh[0].digest if row.zh else "", "en": row.en[0].digest if row.en else "",
            "warning": _words(p.message)} for row, p in found]
    entries = kept + [e for e in new if e not in kept]
    text = ACCEPTED_HEADER.format(en=en.path.name, slug=slug) + yaml.safe_dump(
        entries, allow_unicode=True, sort_keys=False, width=200)
    return write_atomically(path, text)


def silence(issue_dir: Path, slug: str, rows: list) -> list:
    """The rows without the warnings accepted in `<slug>.accepted.yaml` for the blocks as they stand."""
    path = accepted_path(issue_dir, slug)
    entries = _accepted(path)
    if entries is None:  # there, but not a list of accepted warnings: say so rather than ignore it
        problem = warning(path, 1, f"cannot read this list of accepted warnings: fix it, or delete it and accept them "
                                   f"again with 'python build.py translated {slug} --accept LINE'", code="translation.accepted")
        return [type(rows[0])(rows[0].zh, rows[0].en, (*rows[0].problems, problem)), *rows[1:]] if rows else rows
    if not entries:
        return rows
    keys = {(e.get("zh", ""), e.get("en", ""), e.get("warning", "")) for e in entries}
    out = []
    for row in rows:
        zh, en = row.zh[0].digest if row.zh else "", row.en[0].digest if row.en else ""
        kept = tuple(p for p in row.problems if (zh, en, _words(p.message)) not in keys)
        out.append(row if len(kept) == len(row.problems) else type(row)(row.zh, row.en, kept))
    return out


def _accepted(path: Path) -> list[dict] | None:
    """The accepted warnings; [] when there is no list, None when it cannot be read as one."""
    if not path.is_file():
        return []
    try:
        data = read_yaml(path)  # as the record is read: limits, and aliases never expanded
    except PressError:
        return None
    if data is None:
        return []
    # Entries of text only: a value built of aliases is not looked into, nor hashed (a list was
    # a TypeError in silence).
    if not isinstance(data, list) or not all(isinstance(e, dict) and all(isinstance(k, str) and isinstance(v, str)
                                                                          for k, v in e.items()) for e in data):
        return None
    return data


def _words(message: str) -> str:
    """A warning without its line numbers: it stays the same warning when lines above it move."""
    return re.sub(r"(\.(?:zh|en)\.md|\.yaml):\d+", r"\1", message)


def _entry(block: Block) -> str:
    # The digest, then the start of the block: a reviewer of the record sees what changed.
    words = " ".join(block.text.split())
    return f"{block.digest} {block.kind}: {words[:40]}"


def stale(issue_dir: Path, slug: str, zh: Article, en: Article, rows: list,
          session: Session | None = None) -> list[list[Problem]]:
    """For each aligned row (press.parity), the warnings for its blocks changed on either side since the
    translation was confirmed."""
    path = record_path(issue_dir, slug)
    out: list[list[Problem]] = [[] for _ in rows]
    if not path.is_file():
        return _stale_in_git(slug, zh, en, rows)  # never confirmed: the history, if any, says what came later
    try:
        recorded = _recorded(read_yaml(path))
    except PressError:
        recorded = None
    if recorded is None:
        if out:
            out[0].append(warning(path, 1, f"cannot read this record: run 'python build.py translated {slug}' to write it again", code="translation.record"))
        return out
    changed = {lang: _changed(recorded[lang], split_blocks(article, session)) for lang, article in (("zh", zh), ("en", en))}
    if not any(changed[lang][0] or changed[lang][1] for lang in changed):
        return out
    # A removed block is reported on the row where it stood: a row empty on its side (the other side's
    # block lost its counterpart), else the row of the block that now follows it.
    removed_at: dict[str, dict[int, int]] = {"zh": {}, "en": {}}
    for lang in ("zh", "en"):
        for k, row in enumerate(rows):
            gone = sum(changed[lang][1].get(id(b), 0) for b in getattr(row, lang))
            if gone:
                at = k - 1 if k and not getattr(rows[k - 1], lang) else k
                removed_at[lang][id(rows[at])] = removed_at[lang].get(id(rows[at]), 0) + gone
    for row, problems in zip(rows, out):
        line = row.en[0].line if row.en else _near(rows, row)
        zh_line = row.zh[0].line if row.zh else 1
        excerpt = " ".join((row.zh[0].text if row.zh else "").split())[:24]
        then = f", then run 'python build.py translated {slug}' ({zh.path.name}:{zh_line}: {excerpt})"
        hits = {lang: [b for b in getattr(row, lang) if id(b) in changed[lang][0]] for lang in ("zh", "en")}
        if hits["zh"] and hits["en"]:
            problems.append(warning(en.path, line, f"both versions of this {_name(hits['en'][0])} "
                                    f"changed since the translation was confirmed: check that they still match{then}", code="parity.stale"))
        elif hits["zh"]:
            problems.append(warning(en.path, line, f"{zh.path.name}:{hits['zh'][0].line} changed since the translation "
                                    f"was confirmed: update this {_name(hits['zh'][0])} to match{then}", code="parity.stale"))
        elif hits["en"]:
            problems.append(warning(en.path, line, f"this {_name(hits['en'][0])} changed since the "
                                    f"translation was confirmed: check it against {zh.path.name}{then}", code="parity.stale"))
        for lang, article in (("zh", zh), ("en", en)):
            gone = removed_at[lang].get(id(row), 0)
            if gone:
                problems.append(warning(en.path, line, f"{gone} block(s) of {article.path.name} removed here since the "
                                        f"translation was confirmed: check both sides{then}", code="parity.stale"))
    at_end = [(n, a) for (_, removed), a in ((changed["zh"], zh), (changed["en"], en)) if (n := removed.get(None, 0))]
    if at_end and out:
        last = rows[-1]
        which = " and ".join(f"{n} block(s) of {a.path.name}" for n, a in at_end)
        problem = warning(en.path, last.en[0].line if last.en else en.body_line,
                          f"{which} removed at the end since the translation was confirmed: check both sides, then "
                          f"run 'python build.py translated {slug}'", code="parity.stale")
        out[-1].append(problem)
    return out


def _recorded(data) -> dict[str, list[str]] | None:
    """The digests of a record as `confirm` writes it (a list of text entries for each language),
    or None. Nothing else is looked into: a list made of aliases would print as gigabytes."""
    data = {} if data is None else data
    if not isinstance(data, dict) or not all(isinstance(data.get(lang, []), list) for lang in ("zh", "en")):
        return None
    entries = {lang: data.get(lang) or [] for lang in ("zh", "en")}
    if not all(isinstance(e, str) for lang in entries for e in entries[lang]):
        return None
    return {lang: [e.split(" ", 1)[0] for e in entries[lang]] for lang in entries}


def _changed(recorded: list[str], blocks: tuple[Block, ...]) -> tuple[set[int], dict]:
    """The blocks new or edited since the record, and how many were removed before each block
    (None: at the end); blocks are named by identity, since two may say the same."""
    current = [b.digest for b in blocks]
    edited, removed = set(), {}
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, recorded, current, autojunk=False).get_opcodes():
        if op in ("replace", "insert"):
            edited.update(id(b) for b in blocks[j1:j2])
        elif op == "delete":
            after = id(blocks[j1]) if j1 < len(blocks) else None
            removed[after] = removed.get(after, 0) + (i2 - i1)
    return edited, removed


def _name(block: Block) -> str:
    return NAMES.get(block.kind, block.kind)


def _near(rows: list, row) -> int:
    """The English line nearest a row that has no English block."""
    index = rows.index(row)
    for other in rows[index:] + rows[:index][::-1]:
        if other.en:
            return other.en[0].line
    return 1


GIT_TIMEOUT = 10  # seconds for one `git blame`: a slow or huge history is skipped, not waited for


def _stale_in_git(slug: str, zh: Article, en: Article, rows: list) -> list[list[Problem]]:
    out: list[list[Problem]] = [[] for _ in rows]
    zh_times = _blame(zh.path)
    en_times = _blame(en.path) if zh_times is not None else None
    if zh_times is None or en_times is None:
        return out
    times = [zh_times, en_times]
    lines = [zh.text.split("\n"), en.text.split("\n")]
    for row, problems in zip(rows, out):
        if not row.zh or not row.en:
            continue
        (zt, zsha), (et, _) = (max((times[k].get(n, (0, "")) for b in blocks for n in _span(b, lines[k])), default=(0, ""))
                               for k, blocks in enumerate((row.zh, row.en)))
        if zt > et > 0:
            when = "not yet committed" if zsha.strip("0") == "" else f"commit {zsha[:7]}, {_day(zt)}"
            problems.append(warning(en.path, row.en[0].line, (
                f"{zh.path.name}:{row.zh[0].line} changed in a later commit ({when}) than this {_name(row.en[0])} "
                f"({_day(et)}): update it to match, then run 'python build.py translated {slug}' "
                f"({zh.path.name}:{row.zh[0].line}: {' '.join(row.zh[0].text.split())[:24]})"), code="parity.stale"))
    return out


def _blame(path: Path) -> dict[int, tuple[int, str]] | None:
    """Each line's (commit time, commit) from `git blame`; None outside git, without git, or on any failure.
    A folder with no .git at or above it (and no GIT_DIR) is outside git: git is not run to say so (a
    copy of an issue in a temporary folder ran it twice for each pair of articles, on every check)."""
    folder = path.parent.absolute()
    if "GIT_DIR" not in os.environ and not any((p / ".git").exists() for p in (folder, *folder.parents)):
        return None
    try:
        result = subprocess.run(["git", "-C", str(path.parent), "blame", "--porcelain", "--", path.name],
                                capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=GIT_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    out, times, sha, line = {}, {}, "", 0
    for text in result.stdout.split("\n"):
        if text.startswith("\t"):
            out[line] = (times.get(sha, 0), sha)
        elif text.startswith("committer-time "):
            times[sha] = int(text.split()[1])
        else:
            parts = text.split(" ")
            if len(parts) >= 3 and len(parts[0]) == 40 and parts[1].isdigit() and parts[2].isdigit():
                sha, line = parts[0], int(parts[2])
    return out


def _span(block: Block, lines: list[str]) -> range:
    """The file lines a block stands on: its first, and those that continue it up to a blank line or the next
    item, row, heading or note."""
    end = block.line
    if block.kind in FRONT_FIELDS or block.kind == "abstract_en":
        # A front-matter key: its line and the indented lines that continue its value, not the keys after it.
        while end < len(lines) and lines[end][:1] in (" ", "\t"):
            end += 1
        return range(block.line, end + 1)
    while end < len(lines) and lines[end].strip() and not lines[end].lstrip().startswith(
            ("- ", "* ", "+ ", "|", "#", "[^", "![", ">")) and not lines[end].lstrip()[:3].rstrip(".) ").isdigit():
        end += 1
    return range(block.line, end + 1)


def _day(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%d")
