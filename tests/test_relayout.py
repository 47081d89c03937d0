"""The page make-up's trial layouts (press.relayout) give the pages of a fresh render."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from conftest import ROOT, SAMPLE, project_cache


# The sample issue's parts whose paragraphs are loosened (an English and a Chinese one) and whose float
# is moved. Traced line by line, the trials of its other parts (young-scientists, the news, the
# float of rd-funding.en) ran no line of press/ that these do not, but nine of the paragraph
# composer's (press/composition.py, paragraphs.py, linebreak.py), which every part of the issue
# runs in test_an_edited_part_typeset_after_the_last...[2020-06].
LOOSENED = ("article/rd-funding.en", "article/knowledge-innovation.zh")
MOVED = ("article/rd-funding.zh",)


def test_trial_layouts_give_the_pages_of_a_fresh_render(tmp_path, run_script):
    """Article parts of the sample issue (LOOSENED), with a paragraph set a line looser or tighter
    (the boxes built before laid out again, their lines reused), and one (MOVED) with a float
    moved after the text that follows it and taken back (the boxes built anew, then the first
    ones laid out again), come out byte for byte as WeasyPrint renders the changed tree afresh,
    with no line reused; also where a rule styles the paragraph after a float, so that the move
    restyles the paragraphs around it. Each change changes the pages, so that the comparison says
    something."""
    result = run_script(ROOT / "tests" / "relayout_check.py", str(SAMPLE), str(project_cache().resolve()),
                        ",".join(LOOSENED), ",".join(MOVED))
    assert result.returncode == 0, result.stderr
    trials = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = {trial["change"].split()[0] for trial in trials}
    assert kinds == {"looseness", "float"}, trials
    assert {trial["part"] for trial in trials if trial["change"].startswith("looseness")} == set(LOOSENED), trials
    assert {trial["part"] for trial in trials if trial["change"].startswith("float")} == set(MOVED), trials
    assert any(trial.get("css") for trial in trials), trials
    for trial in trials:
        assert trial["relayout"] == trial["fresh"], trial
        if trial["change"].endswith("moved back"):
            assert trial["relayout"] == trial["unchanged"] != trial["moved"], trial
        else:
            assert trial["relayout"] != trial["unchanged"], trial


# The parts edited. Traced line by line, the edits of the others (2020-06's knowledge-innovation.zh,
# news-fast.en and news-change.zh; 2020-02's share-solutions.zh and global-fight.zh) ran no line of
# press/ that these do not. Without press.relayout's _rehomed these parts of 2020-02 still come out
# with other line breaks when set again.
EDITED = {"2020-06": ("article/rd-funding.zh", "article/rd-funding.en", "article/young-scientists.zh",
                      "article/young-scientists.en", "article/news-fast.zh", "article/news-change.en"),
          "2020-02": ("article/working-together.zh", "article/working-together.en", "article/knowledge-sharing.zh")}


@pytest.mark.parametrize("issue", [SAMPLE, ROOT / "content" / "2020-02"], ids=lambda path: path.name)
def test_an_edited_part_typeset_after_the_last_gives_the_pages_of_a_fresh_typesetting(issue, run_script):
    """serve typesets an edited article in the process that typeset it before: every paragraph
    the edit did not touch takes the items and breaks composed then (press/paragraphs.py,
    press/linebreak.py) and the lines set then (press.relayout.Carried). A part typeset again
    as it is, and the part after an edit, come out byte for byte as they do with nothing kept,
    in article parts (EDITED) of the sample issue, in both languages, and of 2020-02 (whose Chinese
    parts set again once came out with other line breaks); the edit changes the pages, and most
    paragraphs were found composed and most lines found set, so that the comparison says something."""
    result = run_script(ROOT / "tests" / "edit_check.py", str(issue), str(project_cache().resolve()),
                        ",".join(EDITED[issue.name]))
    assert result.returncode == 0, result.stderr
    edits = [json.loads(line) for line in result.stdout.splitlines()]
    assert {edit["lang"] for edit in edits} == {"zh", "en"}, edits
    assert [edit["part"] for edit in edits] == list(EDITED[issue.name]), edits
    for edit in edits:
        assert edit["again"] == edit["before"], edit
        assert edit["after"] == edit["fresh"] != edit["before"], edit
        assert edit["made"] >= 1, edit
    assert sum(edit["reused"] for edit in edits) > 2 * sum(edit["made"] for edit in edits), edits
    # Lines: found among the last typesetting's (press.relayout.Carried), or set anew.
    for kind in ("unchanged", "lines"):
        assert sum(edit[kind][0] for edit in edits) > 2 * sum(edit[kind][1] for edit in edits), edits


def test_serve_warms_every_article_part_between_edits_and_an_edit_after_it_gives_a_fresh_build(tmp_path, warm_cache,
                                                                                                 run_fresh, run_script):
    """serve's first build leaves the article parts that the workers set (or the cache held) cold
    in its own process; between edits it sets each of them there (press.typeset.warm_up_between_edits),
    so that the first edit of any article finds its lines set (press.relayout.Carried). An edit
    saved meanwhile stops the warm-up within the part it is setting (none more is warm), and the
    rest waits for the next quiet moment. The longest article edited after the warm-up has most of
    its lines found, and the bilingual PDF of that edit's build is byte for byte a fresh build's."""
    issue = tmp_path / "2020-02"
    shutil.copytree(ROOT / "content" / "2020-02", issue)
    result = run_script(ROOT / "tests" / "warm_check.py", str(issue), str(tmp_path / "out"), str(tmp_path / "cache"))
    assert result.returncode == 0, result.stderr
    warm = json.loads(result.stdout)
    assert len(warm["parts"]) >= 2 and set(warm["parts"]) <= {f"article/{path.stem}" for path in issue.glob("*.md")}, warm
    assert len(warm["before"]) == 1 and warm["stopped"] == warm["before"], warm  # the shortest, set by the first build
    assert warm["warmed"] == warm["parts"], warm
    assert warm["edited"] not in warm["before"], warm
    found, anew = warm["lines"]
    assert found > 2 * anew > 0, warm
    # Fresh: the edited article's parts set by a new process's workers, with nothing kept; the others
    # as the session's build of content/2020-02 set them (warm_cache), as a build from nothing sets them.
    fresh = run_fresh("pdf", str(issue), "-o", str(tmp_path / "fresh"), env={"PRESS_CACHE_DIR": str(warm_cache)})
    assert fresh.returncode == 0, fresh.stderr
    (pdf,) = [path for path in (tmp_path / "fresh").glob("*.pdf") if path.name.count(".") == 1]
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == warm["pdf"], warm
