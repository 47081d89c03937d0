"""The repository stands alone (issue 24): nothing in it leads to a folder beside it, the seed
texts the fidelity test reads are in it with a note on where they come from, and the README's
table of modules names every module of press/ and no other."""

from __future__ import annotations

import re
import subprocess

from conftest import ROOT, SEEDS

# What a clone would miss: the sibling folder the project was first written beside, and the two
# documents kept there (their content is docs/format.md and the README's, in the project's words).
OUTSIDE = re.compile(r"\.\./shared|\bshared/seeds|\bSPEC\.md\b|\bSTYLE\.md\b")


def tracked() -> list[str]:
    return subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True,
                          text=True).stdout.split("\0")[:-1]


def test_nothing_in_the_repository_leads_outside_it():
    found = []
    for name in tracked():
        path = ROOT / name
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        found += [f"{name}:{n}: {line.strip()[:100]}" for n, line in enumerate(text.splitlines(), 1)
                  if OUTSIDE.search(line) and path != ROOT / "tests" / "test_repository.py"]
    assert not found, "\n".join(found)


def test_the_seed_texts_are_here_each_with_its_origin():
    seeds = sorted(path.name for path in SEEDS.glob("*.txt"))
    note = (SEEDS / "README.md").read_text(encoding="utf-8")
    assert seeds and all(f"`{name}`" in note for name in seeds), (seeds, "tests/seeds/README.md")


def test_the_readmes_table_of_modules_is_the_tree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = re.search(r"^Every module of `press/`[^\n]*\n\n((?:\|[^\n]*\n)+)", readme, re.M)
    assert table, "the README has no table of press/'s modules"
    named = [name for row in table[1].splitlines()[2:] for name in re.findall(r"`([a-z_]+\.py)`", row.split("|")[2])]
    modules = sorted(path.name for path in (ROOT / "press").glob("*.py") if path.name != "__init__.py")
    assert sorted(set(named)) == modules, (sorted(set(modules) - set(named)), sorted(set(named) - set(modules)))
