"""serve's loop around its builds (press.serve.serve), with a stand-in build and warm-up: no
garbage collection runs while the typesetter warms up between edits (a full one cannot stop for an
edit, which waited for it), the warm-up's garbage is collected once it is done if no edit waits,
and an edit saved during the warm-up starts its build with no collection in its way. What serve
holds after its first whole warm-up is kept out of later collections (gc.freeze), then only."""

from __future__ import annotations

import json

import pytest

LOOP = r"""
import gc, json, sys, threading
from pathlib import Path
from press.serve import serve

watched, proof = Path(sys.argv[1]), Path(sys.argv[2])
collections, builds, warm_ups, frozen = [], [], [], []
gc.callbacks.append(lambda phase, info: phase == "stop" and collections.append(info["generation"]))

def save(name):
    (watched / name).write_text("an edit", encoding="utf-8")

def build(stop):
    builds.append(len(collections))
    frozen.append(gc.get_freeze_count())
    if len(builds) == 4:
        raise KeyboardInterrupt  # serve ends as with Ctrl-C
    yield "the proof"

def warm_up(stop):
    before = len(collections)
    if len(warm_ups) != 1:  # the second has nothing left to set
        for _ in range(300_000):  # what a layout leaves: cycles, enough for the collector to run many times
            cycle = []
            cycle.append(cycle)
    warm_ups.append({"collections": len(collections) - before, "enabled": gc.isenabled()})
    if len(warm_ups) < 3:
        threading.Timer(0.5, save, (f"edit{len(warm_ups)}.md",)).start()  # saved once this warm-up is over
    else:
        save("edit3.md")  # saved while it runs: it stops for it
        stop.wait(30)
    warm_ups[-1]["ended"] = len(collections)

serve(build, [watched], proof, ready=lambda url: None, idle=warm_up)
print(json.dumps({"collections": collections, "builds": builds, "warm_ups": warm_ups, "frozen": frozen}))
"""


@pytest.fixture(scope="module")
def seen(tmp_path_factory, run_script) -> dict:
    """What LOOP records of one run of serve's loop, read by both tests."""
    folder = tmp_path_factory.mktemp("idle")
    watched, proof = folder / "issue", folder / "proof"
    watched.mkdir()
    result = run_script(LOOP, str(watched), str(proof), seconds=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_no_collection_runs_during_the_warm_up_nor_between_it_and_an_edit_saved_meanwhile(seen):
    collections, builds, (first, idle, stopped) = seen["collections"], seen["builds"], seen["warm_ups"]
    assert len(builds) == 4, seen
    assert first["collections"] == stopped["collections"] == 0 and not first["enabled"], seen
    # The first warm-up, over with no edit waiting: its garbage collected whole before the next build.
    assert 2 in collections[first["ended"]:builds[1]], seen
    # The second made nothing: no second full collection after the build's own.
    assert 2 in collections[builds[1]:idle["ended"]] and 2 not in collections[idle["ended"]:builds[2]], seen
    # The third, stopped by an edit: that edit's build came with no collection since.
    assert builds[3] == stopped["ended"], seen


def test_what_the_first_whole_warm_up_leaves_is_frozen_once_only(seen):
    frozen = seen["frozen"]
    assert len(frozen) == 4, seen
    # Nothing frozen before the first warm-up; frozen after it; never again after the edits (each warm-up leaves objects that a third freeze would add; a frozen one freed is taken off).
    assert frozen[0] == 0 < frozen[1] and max(frozen[2:]) <= frozen[1], seen
