"""An issue's article parts, rendered, and a typesetter for them: where the scripts that a test
runs in a process of its own start (tests/column_search.py, tests/relayout_check.py), the
typesetter pointing fontconfig at the project's fonts, which the test session should not inherit."""

from __future__ import annotations

from pathlib import Path


def article_parts(issue_dir: str, cache_dir: str):
    """(the article parts of the issue as rendered HTML, a typesetter with the patches installed)."""
    from dataclasses import replace

    from press.config import load_config
    from press.fonts import subset_fonts
    from press.render import Renderer
    from press.session import Memo, Session
    from press.stages import characters, check
    from press.typeset import _typesetter, isolate_fontconfig

    cfg = replace(load_config(issue_dir), cache_dir=Path(cache_dir))
    isolate_fontconfig(cfg.fonts_dir, cfg.cache_dir)
    checked = check(cfg, Session())
    renderer = Renderer(cfg.templates_dir)
    parts = [renderer.article(checked.issue, body) for body in checked.bodies.values()]
    fonts = subset_fonts(cfg.fonts_dir, characters(checked.issue, parts, cfg.templates_dir), cfg.cache_dir)
    return parts, _typesetter(Memo(), (cfg.issue_dir, cfg.styles_dir, cfg.templates_dir, cfg.fonts_dir, cfg.cache_dir), fonts)


def count_carried_lines(into: list) -> None:
    """From now on in this process, each line box's line looked for among the last typesetting's
    (press.relayout.Carried) appends to `into` whether it was found there."""
    from press import relayout

    carried_key = relayout._carried_key

    def looked_up(context, linebox, key):
        found = carried_key(context, linebox, key)
        if found is not None:
            into.append(found in context.press_carried[0])
        return found

    relayout._carried_key = looked_up
