"""press.workers: the typesetting pool whose workers share one import."""

from __future__ import annotations

import os

import pytest


from press.workers import WorkerDied, Workers  # noqa: E402


def _nothing() -> None:
    pass


def _square(_state, n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def _fail(_state, message: str) -> None:
    raise ValueError(message)


def _die(_state, _: object) -> None:
    os._exit(1)


def test_results_come_back_in_order_from_both_workers():
    workers = Workers(2, _nothing)
    try:
        results = list(workers.map(_square, range(40)))
    finally:
        workers.shutdown()
    assert [square for square, _ in results] == [n * n for n in range(40)]
    assert len({pid for _, pid in results}) == 2 and os.getpid() not in {pid for _, pid in results}


def test_an_exception_in_a_worker_is_raised_by_its_future():
    workers = Workers(2, _nothing)
    try:
        with pytest.raises(ValueError, match="bad part"):
            workers.submit(_fail, "bad part").result(timeout=30)
        assert workers.submit(_square, 3).result(timeout=30)[0] == 9  # the worker lives on
    finally:
        workers.shutdown()


def test_a_worker_that_dies_fails_its_job_and_the_other_goes_on():
    workers = Workers(2, _nothing)
    try:
        with pytest.raises(WorkerDied):
            workers.submit(_die, None).result(timeout=30)
        assert [workers.submit(_square, n).result(timeout=30)[0] for n in range(5)] == [0, 1, 4, 9, 16]
    finally:
        workers.shutdown()


def _slow_import() -> None:
    import time

    time.sleep(30)  # as importing WeasyPrint on a busy machine, much longer


def test_workers_never_given_a_job_are_not_waited_for():
    """A build that found every part in the cache stops its workers at once, in the middle of
    their warm-up, instead of waiting for an import whose result nobody needs."""
    import time

    workers = Workers(2, _slow_import)
    first = workers._first.pid
    started = time.perf_counter()
    workers.shutdown()
    assert time.perf_counter() - started < 5
    assert not os.path.exists(f"/proc/{first}") or open(f"/proc/{first}/stat").read().rsplit(")", 1)[1].split()[0] == "Z"


def _state() -> dict:
    return {}


def _ready(state: dict, n: int) -> None:
    state.setdefault("prepared", []).append((n, os.getpid()))


def _what_was_prepared(state: dict, n: int) -> tuple[int, list, int]:
    return n, state.get("prepared", []), os.getpid()


def test_the_first_job_prepares_the_state_once_for_every_worker():
    """prepare(state, *a job's arguments) runs once, with the first job read (whichever pipe it
    came through), in the first worker before it forks the others (press.typeset: the typesetter
    is made once); each worker then has it, and that job is done as well."""
    workers = Workers(2, _state, (), _ready)
    try:
        results = list(workers.map(_what_was_prepared, range(20)))
    finally:
        workers.shutdown()
    assert [n for n, _, _ in results] == list(range(20))
    pids = {pid for _, _, pid in results}
    assert len(pids) == 2
    prepared = {tuple(map(tuple, made)) for _, made, _ in results}
    assert len(prepared) == 1  # the same in both workers: made before the fork, not after it
    (made,) = prepared
    assert len(made) == 1 and made[0][0] in range(20) and made[0][1] in pids


def test_workers_shut_down_before_any_job_with_a_prepare():
    workers = Workers(2, _state, (), _ready)
    workers.shutdown()  # no job: the first worker, waiting for one, is ended


def _seen(state: dict, payload: str, n: int) -> tuple[str, int, int]:
    import time

    time.sleep(0.02)  # both workers get several
    return payload, n, os.getpid()


def _slim(args: tuple) -> tuple:
    return "by key", args[1]


def test_a_worker_sent_a_job_before_gets_the_slim_arguments():
    """slim(args) is what a job's arguments become when sent to a worker that was sent a job
    before (press.typeset sends the subset fonts once per worker, by key after): each worker's
    first job comes whole, and every later one slim, in both workers."""
    workers = Workers(2, _state, (), _ready, slim=_slim)
    try:
        futures = [workers.submit(_seen, "whole", n) for n in range(30)]
        results = [future.result(timeout=60) for future in futures]
    finally:
        workers.shutdown()
    assert [n for _, n, _ in results] == list(range(30))
    by_worker: dict = {}
    for payload, n, pid in results:
        by_worker.setdefault(pid, []).append(payload)
    assert len(by_worker) == 2
    for payloads in by_worker.values():
        assert payloads[0] == "whole" and set(payloads[1:]) == {"by key"} and len(payloads) > 1


def test_a_font_set_sent_by_key_finds_the_typesetter_its_first_job_made():
    """press.typeset sends a worker its subset fonts with its first job, by key after (_by_key):
    the typesetter of that key, made by the first job, serves them; a worker where it was never
    made says so rather than typeset with no fonts."""
    from press.fonts import FontSet
    from press.session import Memo
    from press.typeset import _by_key, _typesetter

    dirs, fonts = ("issue", "styles", "templates", "fonts", "cache"), FontSet({"a.otf": b"OTTO..."}, "key")
    (_, slim, part, salt), = _by_key(((dirs, fonts, "part", b"salt"),))
    assert slim.files is None and slim.key == "key" and (part, salt) == ("part", b"salt")
    typesetters = Memo()
    made = typesetters.get((dirs, "key", b"salt"), lambda: "the typesetter")
    assert _typesetter(typesetters, dirs, slim, b"salt") is made
    with pytest.raises(RuntimeError, match="not made in this worker"):
        _typesetter(Memo(), dirs, slim, b"salt")
