"""Column balancing as WeasyPrint 70 does it, in fewer layouts.

WeasyPrint balances the columns of a page by laying them out again and
again: from the average height, it adds the least space it saw the next
block need (1px while it saw none, as for a heading kept with its
paragraph), until the content fits. The last page of a two-column article
can take a dozen or more layouts of both columns, a pixel or two apart,
most of them ending every column at the same place: that was most of the
time the preview waited for after an edit.

The search here reaches the same height with fewer layouts. While the
columns end where they did, every run fills them to the same heights and
meets the same next blocks, so WeasyPrint's next steps follow by arithmetic
alone. Only the first of those trial heights at which a column ends
elsewhere needs layouts to be found: the next trial first (most often
the one), then 8 trials ahead, doubling, then bisect back. More height never makes a column end earlier,
which is what makes bisecting sound. The page is then laid out at that
height by the same run WeasyPrint makes there, so the PDFs are byte for
byte those of WeasyPrint's own search: tests/test_reproducible.py lays out
the issue's articles, and variants that move their line breaks, both ways.

WeasyPrint's search is a loop inside `columns_layout`, with no hook. The
function used here is WeasyPrint's own `columns_layout`, compiled from its
source with the few changes in CHANGES below (the loop body becomes `run()`,
which also says where each column ended, and the next height comes from
`_next_change`), so no line of WeasyPrint's is copied here. press/patches.py
checks, before anything is patched, that the source is the one these changes
were written for (WeasyPrint 70.0).
"""

from __future__ import annotations

import inspect
import linecache
from dataclasses import dataclass
from math import inf


def install() -> None:
    """Use this search for every multi-column box (WeasyPrint already imported)."""
    from weasyprint.layout import block, column

    block.columns_layout = _changed(column)


# WeasyPrint 70's columns_layout → press's: (its lines, these lines), each found exactly once.
CHANGES = (
    # The loop body becomes a function of the trial height...
    ("""        while True:
            # Remove extra excluded shapes introduced during the previous loop
""", """        def run(height):
            # Remove extra excluded shapes introduced during the previous loop
"""),
    # ...that also records where each column ends, and what sets the lost space.
    ("""            new_boxes = []
            for i in range(count):
""", """            new_boxes = []
            breaks, measures = [], []
            lost_space, next_page = inf, None
            for i in range(count):
"""),
    ("""                    column_skip_stack = {0: None}
                    break
""", """                    column_skip_stack = {0: None}
                    breaks.append(None)
                    break
"""),
    ("""                new_boxes.append(new_box)
                column_skip_stack = resume_at
""", """                new_boxes.append(new_box)
                column_skip_stack = resume_at
                breaks.append(resume_at)
"""),
    ("""                    empty_space = height - consumed_height
                    consumed_height -= in_flow_children[-1].margin_bottom
""", """                    empty_space = height - consumed_height
                    raw_consumed_height = consumed_height
                    consumed_height -= in_flow_children[-1].margin_bottom
"""),
    ("""                        remove_placeholders(context, [next_box], [], [])
""", """                        remove_placeholders(context, [next_box], [], [])
                    measures.append((raw_consumed_height, next_box_height))
"""),
    # The loop calls it, at most once per height: _next_change may have made the run already.
    ("""            remove_placeholders(context, new_boxes, [], [])
""", """            remove_placeholders(context, new_boxes, [], [])
            return _Run(column_skip_stack, consumed_heights, next_page, lost_space, last_footnotes_height,
                        breaks, measures)

        done = None
        while True:
            result, done = done or run(height), None
            column_skip_stack, consumed_heights = result.skip_stack, result.consumed_heights
            next_page = result.next_page
            last_footnotes_height = result.footnotes_height
            lost_space = min(lost_space, result.lost_space)
"""),
    # Straight to the next height at which a column ends elsewhere.
    ("""                add_height = 1 if lost_space == inf else lost_space
                height += add_height
""", """                height, lost_space, done = _next_change(run, result, height, lost_space, max_height)
"""),
)


def _changed(column):
    """WeasyPrint's columns_layout with CHANGES made, compiled in its own module's namespace
    (its relative imports and helpers are WeasyPrint's)."""
    source = inspect.getsource(column.columns_layout)
    for old, new in CHANGES:
        if source.count(old) != 1:  # press/patches.py has checked the source: this is a bug here
            raise AssertionError(f"press.balancing: a change does not apply to columns_layout: {old!r}")
        source = source.replace(old, new)
    filename = "<press.balancing: weasyprint.layout.column.columns_layout, changed>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # readable tracebacks
    namespace = {**vars(column), "_Run": _Run, "_next_change": _next_change}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 (WeasyPrint's own, fingerprinted source)
    return namespace["columns_layout"]


@dataclass
class _Run:
    """One layout of the columns at a trial height."""

    skip_stack: dict | None  # where the content resumes after the last column
    consumed_heights: list[float]
    next_page: dict
    lost_space: float  # the least height that would let one more block into a column, or inf
    footnotes_height: float
    breaks: list  # where each column ends
    measures: list[tuple[float, float]]  # per column with content: its filled height, its next block's height


def _next_change(run, base: _Run, height: float, lost_space: float,
                 max_height: float) -> tuple[float, float, _Run | None]:
    """WeasyPrint's next trial height, after the runs that would end every column where
    `base` (the run at `height`) ends them; and the lost space it would know by then.

    WeasyPrint steps by the lost space (1px while it knows none) and takes the least of
    every run's. While the columns end where they do, each run fills them to the same
    heights and meets the same next blocks, so its steps can be worked out without
    laying anything out; only the run at which a column ends elsewhere must be found,
    by layout: galloping ahead, then bisecting."""
    heights, losts = [height], [lost_space]
    while heights[-1] <= max_height:
        step = 1 if losts[-1] == inf else losts[-1]
        next_height, lost = heights[-1] + step, losts[-1]
        for consumed, next_box_height in base.measures:
            empty_space = next_height - consumed  # the very operations of WeasyPrint's run
            if next_box_height - empty_space > 1:
                lost = min(lost, next_box_height - empty_space)
        heights.append(next_height)
        losts.append(lost)
    last = len(heights) - 2  # the last trial within max_height
    probes: dict[int, _Run] = {}

    def same(n: int) -> bool:
        probes[n] = trial = run(heights[n])
        return (trial.breaks, trial.measures) == (base.breaks, base.measures)

    # Most often the very next trial differs: try it first, then gallop from 8 trials ahead.
    low, high, ahead = 0, None, 1  # the columns end as in `base` at trial `low`, elsewhere at `high`
    while high is None:
        if low >= last:
            return heights[last + 1], losts[last], None
        trial = min(low + ahead, last)
        if same(trial):
            low, ahead = trial, 8 if ahead == 1 else ahead * 2
        else:
            high = trial
    while high - low > 1:
        middle = (low + high) // 2
        if same(middle):
            low = middle
        else:
            high = middle
    # WeasyPrint's run at the chosen height is the last before the page is laid out: when the
    # last probe was made there, it is that run; otherwise it must be made again.
    last_probe = next(reversed(probes))
    return heights[high], losts[high - 1], probes[high] if last_probe == high else None
