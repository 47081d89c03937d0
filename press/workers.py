"""Worker processes that share one import of WeasyPrint.

Importing WeasyPrint costs about 0.66 s of CPU (cffi parses its C
declarations, fontTools and the user-agent stylesheets load). With a
process pool forked from the main process, every worker pays it, on a
machine whose two cores are busy with exactly that at the start of a cold
build. Here the first worker imports it once and forks the others, which
start with it loaded; the main process never imports it. Given `prepare`,
the first worker forks them once the first job has come, after preparing
the state for it (press.typeset: the typesetter made once for all).

Each worker has a pipe of its own to the main process, where a dispatcher
thread hands out jobs in order of submission and sets their futures. A
worker that dies closes its pipe: the job it held fails, instead of being
waited for forever.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections import deque
from concurrent.futures import Future
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, Iterator


class WorkerDied(RuntimeError):
    pass


class Workers:
    """submit/map/shutdown, as concurrent.futures' pool has them, over `count` processes. What
    `warm_up` returns is the worker's own state (press.typeset: its typesetter, kept from one
    part to the next): each job is called as fn(state, *args) in the worker it lands in.
    `prepare(state, *args)`, given the first job's arguments, readies the state for the jobs to come
    once, before the other workers are forked from the first: they start with it done."""

    def __init__(self, count: int, warm_up: Callable[..., None], warm_up_args: tuple = (),
                 prepare: Callable[..., None] | None = None, held: bool = False,
                 slim: Callable[[tuple], tuple] | None = None):
        pipes = [multiprocessing.Pipe() for _ in range(count)]
        # `slim(args)`: a job's arguments as sent to a worker that has been sent a job before, which
        # holds what its first job readied (press.typeset: the subset fonts, 2 MB a job, sent once).
        self._slim, self._primed = slim, set()
        # `held`: the first worker is forked now, with this process's modules as they are, but waits
        # for go() (or the first job) before its warm-up: a build whose sources fail never pays for it.
        self._go = multiprocessing.Pipe(duplex=False) if held else None
        self._first = multiprocessing.get_context("fork").Process(
            target=_first_worker,
            args=([theirs for _, theirs in pipes], [ours for ours, _ in pipes], warm_up, warm_up_args, prepare,
                  self._go),
            daemon=True)
        self._first.start()
        if self._go is not None:
            self._go[0].close()  # the worker's end: it reads the end of the file if this process dies
        for _, theirs in pipes:
            theirs.close()  # only the workers hold their ends: a dead worker's pipe reads as closed
        self._idle: list[Connection] = [ours for ours, _ in pipes]
        self._busy: dict[Connection, Future] = {}
        self._waiting: deque[tuple[Future, Callable, tuple]] = deque()
        self._lock = threading.Lock()
        self._wake_reader, self._wake_writer = multiprocessing.Pipe(duplex=False)
        self._closed = False
        self._used = False
        self._dispatcher = threading.Thread(target=self._dispatch, daemon=True)
        self._dispatcher.start()

    def go(self) -> None:
        """Let a held first worker start its warm-up (once; a job sent lets it too)."""
        with self._lock:  # the editions' threads submit parts at once
            go, self._go = self._go, None
        if go is not None:
            try:
                go[1].send(None)
            except OSError:  # it ended already: its jobs fail as a dead worker's do
                pass
            go[1].close()

    def submit(self, fn: Callable, *args: Any) -> Future:
        self.go()
        future: Future = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the workers have been shut down")
            self._waiting.append((future, fn, args))
            self._used = True
        self._wake_writer.send(None)
        return future

    def map(self, fn: Callable, items: Iterable) -> Iterator:
        futures = [self.submit(fn, item) for item in items]
        return (future.result() for future in futures)

    def shutdown(self, cancel_futures: bool = True) -> None:
        with self._lock:
            self._closed = True
            while cancel_futures and self._waiting:
                self._waiting.popleft()[0].cancel()
            if not self._used:
                # Started in case a part had to be typeset, and none had: the first worker may
                # still be importing WeasyPrint, which nobody will wait for (its forks die with it).
                self._first.kill()
        self._wake_writer.send(None)
        self._dispatcher.join()
        self._first.join()

    def _dispatch(self) -> None:
        while True:
            with self._lock:
                while self._idle and self._waiting:
                    future, fn, args = self._waiting.popleft()
                    if not future.set_running_or_notify_cancel():
                        continue
                    conn = self._idle.pop()
                    try:
                        conn.send((fn, self._slim(args) if self._slim is not None and conn in self._primed else args))
                    except (OSError, ValueError) as exc:  # dead already, or the job cannot be pickled
                        future.set_exception(exc if isinstance(exc, ValueError) else WorkerDied(str(exc)))
                        if isinstance(exc, ValueError):
                            self._idle.append(conn)
                        continue
                    self._primed.add(conn)
                    self._busy[conn] = future
                if self._closed and not self._waiting and not self._busy:
                    for conn in self._idle:
                        try:
                            conn.send(None)  # the worker's end of the line
                        except OSError:  # it ended already
                            pass
                        conn.close()
                    return
                if not self._busy and not self._idle and self._waiting:
                    for future, _, _ in self._waiting:
                        future.set_exception(WorkerDied("every worker process has died"))
                    self._waiting.clear()
                busy = list(self._busy)
            for ready in wait(busy + [self._wake_reader]):
                if ready is self._wake_reader:
                    self._wake_reader.recv()
                    continue
                with self._lock:
                    future = self._busy.pop(ready)
                    try:
                        ok, value = ready.recv()
                    except (EOFError, OSError):
                        ready.close()
                        future.set_exception(WorkerDied("a worker process died while typesetting"))
                        continue
                    self._idle.append(ready)
                (future.set_result if ok else future.set_exception)(value)


def _first_worker(conns: list[Connection], main_ends: list[Connection], warm_up: Callable[..., None],
                  warm_up_args: tuple, prepare: Callable[..., None] | None,
                  go: tuple[Connection, Connection] | None = None) -> None:
    # The main process's ends, copied by the fork: held here, they would keep every pipe open after
    # the main process died, and a worker sending a part would wait for a reader forever.
    for end in main_ends:
        end.close()
    if go is not None:
        go[1].close()
        try:
            go[0].recv()
        except (EOFError, OSError):  # the main process ended without a word
            return
        go[0].close()
    state = warm_up(*warm_up_args)  # the expensive import, once
    # What the import made lives as long as the workers: out of the collector's sight, a worker's
    # collection after each part (press.typeset.release_memory) walks only what the part made
    # (40 ms a part before, on 2020-02's 14 parts 0.56 CPU-s), and the forks share those pages.
    gc.freeze()
    first = None  # (its pipe, the job) of the first job sent, read to prepare the state
    if prepare is not None:
        # The others are forked once the first job comes (none can start before: the first job
        # is sent as soon as the parts are known), and share what preparing made (press.typeset:
        # the typesetter, its stylesheets parsed and fonts loaded: 0.11 CPU-s each made it).
        ready = wait(conns)[0]
        try:
            job = ready.recv()
        except (EOFError, OSError):
            return
        if job is None:  # shut down before any job: every pipe says so, and no other worker exists
            return
        first = ready, job
        try:
            prepare(state, *job[1])
        except Exception:  # noqa: BLE001 (the job itself meets it again, and sends it to the main process)
            pass
        gc.freeze()
    children, me = [], os.getpid()
    for conn in conns[1:]:
        pid = os.fork()
        if pid == 0:
            try:
                _die_with_parent(me)
                for other in conns:
                    if other is not conn:
                        other.close()
                _end_with_main_process()
                _serve(conn, state, first[1] if first and first[0] is conn else None)
            finally:
                os._exit(0)  # a forked copy: no interpreter shutdown, no multiprocessing cleanup
        children.append(pid)
        conn.close()
    _end_with_main_process()
    _serve(conns[0], state, first[1] if first and first[0] is conns[0] else None)
    for pid in children:
        os.waitpid(pid, 0)


def _end_with_main_process() -> None:
    """End this worker as soon as the main process ends, however it ends (kill -9 included),
    even in the middle of a part: multiprocessing's sentinel, a pipe whose other end only the
    main process holds, reads as closed then."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _die_with_parent(parent: int) -> None:
    """A worker forked by the first worker is killed with it (Linux: PR_SET_PDEATHSIG), whose main
    thread forked it and lives as long as it does. The watch above covers the main process."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the watch alone
        return
    if os.getppid() != parent:  # the parent died before the call
        os._exit(1)


def _serve(conn: Connection, state: Any, job: tuple | None = None) -> None:
    """Do the jobs that come through `conn`, from `job`, read already, if given."""
    while True:
        try:
            job = job or conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fn, args = job
        job = None
        try:
            result = (True, fn(state, *args))
        except Exception as exc:  # noqa: BLE001 (sent to the main process, raised there)
            result = (False, exc)
        try:
            conn.send(result)
        except Exception as exc:  # noqa: BLE001 (an unpicklable result or exception)
            conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
