"""The live preview: the proof on 127.0.0.1, rebuilt when a source changes.

A small standard-library HTTP server fed by a builder, in the manner of
MkDocs' livereload: it serves only the proof folder (no listings, nothing
outside it), adds the reload script to the HTML it sends (never to the
files on disk), and tells open tabs over server-sent events when a build
finished, or failed. A failed build leaves the last good proof up, with the
error lines shown over it until the source is fixed.
"""

from __future__ import annotations

import gc
import json
import logging
import multiprocessing
import os
import re
import signal
import subprocess
import threading
import time
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterable

from .errors import PressError

LOG = logging.getLogger("press")

CLIENT = """
<div id="press-errors" hidden style="position:fixed;inset:0 0 auto 0;z-index:99;background:#fff3f3;
 border-bottom:3px solid #b3262d;padding:1rem 2rem;font:14px/1.5 monospace;white-space:pre-wrap;color:#600"></div>
<script>
(() => {
  const box = document.getElementById("press-errors");
  // The page images a new proof brings, named in its notification: fetched and decoded while the
  // index is fetched, so that they are ready when it is put in place.
  const coming = new Map();
  function prefetch(sources) {
    for (const src of sources) {
      if (coming.has(src)) continue;
      const img = new Image();
      img.src = src;
      img.decode().catch(() => {});
      coming.set(src, img);
    }
  }
  const sameAttributes = (a, b) => a.attributes.length === b.attributes.length
    && [...a.attributes].every((attr) => b.getAttribute(attr.name) === attr.value);
  // The new proof put in place of the old one node by node: what is equal stays as it is (the
  // scroll position, fonts, page images whose URL is the same: never fetched or decoded again),
  // and only what changed is replaced, so the browser lays out and paints only that. A new page
  // image is the one fetched already for its notification.
  function patch(old, fresh) {
    if (old.isEqualNode(fresh)) return;
    if (old.nodeType === Node.ELEMENT_NODE && old.nodeName === fresh.nodeName && old.nodeName !== "IMG"
        && old.childNodes.length === fresh.childNodes.length && sameAttributes(old, fresh)) {
      const pairs = [...old.childNodes].map((child, i) => [child, fresh.childNodes[i]]);
      for (const [a, b] of pairs) patch(a, b);
      return;
    }
    if (fresh.nodeName === "IMG" && coming.has(fresh.getAttribute("src"))) {
      const img = coming.get(fresh.getAttribute("src"));
      for (const attr of fresh.attributes) if (attr.name !== "src") img.setAttribute(attr.name, attr.value);
      old.replaceWith(img);
      return;
    }
    old.replaceWith(fresh);
  }
  async function refresh(generation) {
    const index = fetch("/", {cache: "no-store"}).then((response) => response.text());
    // The new page images are put in once decoded (serve sends a page still being drawn once it
    // is written): put in before, each would be laid out empty, then again with its picture.
    const decoded = [...coming.values()].map((img) => img.decode().catch(() => {}));
    const next = new DOMParser().parseFromString(await index, "text/html");
    const parts = ["nav", "main"].map((name) => [document.querySelector(name), next.querySelector(name)]);
    if (parts.some(([old, fresh]) => !old || !fresh)) return location.reload();
    await Promise.all(decoded);
    for (const [old, fresh] of parts) patch(old, document.adoptNode(fresh));
    coming.clear();
    document.title = next.title;
    await Promise.all([...document.images].filter((img) => !img.complete)
      .map((img) => new Promise((done) => { img.onload = img.onerror = done; })));
    window.pressShown = performance.timeOrigin + performance.now();
    document.dispatchEvent(new Event("press:updated"));
    fetch(`/__shown?generation=${generation}`, {cache: "no-store"}).catch(() => {});
  }
  let seen = null;
  const events = new EventSource("/__events");
  events.onmessage = (message) => {
    const state = JSON.parse(message.data);
    if (seen !== null && state.generation !== seen && state.errors.length === 0) {
      prefetch(state.pages);
      refresh(state.generation);
    }
    seen = state.generation;
    box.hidden = state.errors.length === 0;
    box.textContent = state.errors.join("\\n");
  };
})();
</script>
"""

WAITING = "<!doctype html><meta charset=utf-8><title>Proof</title><body><p>No proof yet: see the errors above.</p></body>"


class BuildState:
    """The outcome of the latest build, and a way to wait for the next one."""

    def __init__(self, proof_dir: Path | None = None, tell: Callable[[int], None] | None = None) -> None:
        self.generation = 0
        self.errors: list[str] = []
        self.proof_dir = proof_dir
        self.shown = set(self._page_sources())  # the page images of the proof on disk
        self.pages: list[str] = []  # those the latest proof brought
        # Those of the latest proof still being drawn (press.proof.make_proof): a request for one waits
        # until it is written. And those a proof said it would draw and never did (its build failed
        # meanwhile): never served, since the file of that name holds another page.
        self.drawing: set[str] = set()
        self.abandoned: set[str] = set()
        self.changed = threading.Condition()
        # The builder is told of each good proof once a tab has shown it, or at once when no tab
        # is open (`tell(generation)`): it writes the PDFs only then (serve, rebuild).
        self.tell = tell
        self.tabs = 0  # listening to /__events
        self.told = 0  # the last generation the builder was told of

    def finished(self, errors: list[str], drawing: Iterable[str] = ()) -> None:
        """A build's outcome: its error lines, or a good proof on disk but for the pages `drawing`
        (by file name), which follow (drawn)."""
        pages = [] if errors else self._page_sources()
        drawing = set(drawing)
        with self.changed:
            coming = {src for src in pages if _file_name(src) in drawing}
            self.abandoned = (self.abandoned | self.drawing) - coming
            self.drawing = coming
            self.generation += 1
            self.errors = errors
            if not errors:
                self.pages = [src for src in pages if src not in self.shown]
                self.shown = set(pages)
                if self.tabs == 0:
                    self._tell(self.generation)
            self.changed.notify_all()

    def drawn(self, names: list[str]) -> None:
        with self.changed:
            done = {src for src in self.drawing if _file_name(src) in names}
            self.drawing -= done
            self.abandoned -= done
            self.changed.notify_all()

    def on_disk(self, src: str, timeout: float) -> bool:
        """Whether the page image `src` (pages/NAME?v=VERSION) is on disk as its URL names it: waited
        for while it is being drawn, `timeout` s at most."""
        with self.changed:
            self.changed.wait_for(lambda: src not in self.drawing, timeout=timeout)
            return src not in self.drawing and src not in self.abandoned

    def shown_in_tab(self, generation: int) -> None:
        with self.changed:
            if generation == self.generation and not self.errors:
                self._tell(generation)

    def listening(self, tabs: int) -> None:
        with self.changed:
            self.tabs += tabs

    def _tell(self, generation: int) -> None:  # with self.changed held: one at a time
        if self.tell is not None and generation > self.told:
            self.told = generation
            self.tell(generation)

    def snapshot(self) -> dict:
        return {"generation": self.generation, "errors": self.errors, "pages": self.pages}

    def wait(self, generation: int, timeout: float) -> dict:
        with self.changed:
            self.changed.wait_for(lambda: self.generation != generation, timeout=timeout)
            return self.snapshot()

    def _page_sources(self) -> list[str]:
        """The page images of the proof's index, by the URL it gives them (press/proof.py: named by
        what they show). Read here, in the server's process: the builder goes on meanwhile."""
        try:
            return PAGE_IMAGE.findall((self.proof_dir / "index.html").read_text(encoding="utf-8"))
        except (OSError, TypeError, ValueError):  # no proof yet
            return []


PAGE_IMAGE = re.compile(r'<img src="(pages/[^"?]+\?v=[^"]+)"')


def _file_name(src: str) -> str:
    return src.split("?", 1)[0].rsplit("/", 1)[-1]


# A page of another site, its name pointed at 127.0.0.1, sends its own. [::1] is how a browser
# names the loopback in IPv6 (a tab opened at http://[::1]:PORT/ reaches 127.0.0.1 through no proxy).
HOSTS = ("127.0.0.1", "localhost", "[::1]")
HOST_HEADER = re.compile(r"(\[[0-9a-f:.]+\]|[^:\[\]]+)(?::(\d{1,5}))?")
GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)  # the client left


class ProofHandler(SimpleHTTPRequestHandler):
    state: BuildState
    root: Path
    timeout = 60  # a client that sends nothing holds a thread no longer than this

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except GONE:  # a tab closed mid-download, a reload: nothing to answer, nothing to say
            self.close_connection = True
        except Exception:  # noqa: BLE001 (one request's failure, answered and logged, never the server's)
            LOG.debug("serve: request failed", exc_info=True)
            self.close_connection = True
            try:
                self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR)
            except (*GONE, OSError, ValueError):
                pass

    def parse_request(self) -> bool:
        """Answer only requests for this server by the names it listens as (DNS rebinding)."""
        if not super().parse_request():
            return False
        own = self.server.server_address[1]
        named = HOST_HEADER.fullmatch((self.headers.get("Host") or "").strip().lower())
        if named is None or named[1] not in HOSTS or int(named[2] or own) != own:
            self.send_error(HTTPStatus.FORBIDDEN, "the proof is served to 127.0.0.1 and localhost only")
            return False
        return True

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        path, _, query = self.path.partition("?")
        if path == "/__events":
            return self._events()
        if path == "/__shown":  # a tab has the latest proof on screen
            shown = re.fullmatch(r"generation=(\d{1,12})", query)
            if shown is not None:
                self.state.shown_in_tab(int(shown[1]))
            self.send_response(HTTPStatus.NO_CONTENT)
            return self.end_headers()
        if path in ("/", "/index.html"):
            index = self.root / "index.html"
            page = index.read_text(encoding="utf-8") if index.exists() else WAITING
            return self._send(page.replace("</body>", CLIENT + "</body>").encode(), "text/html; charset=utf-8")
        try:
            target = Path(self.translate_path(path)).resolve()
            found = target.is_relative_to(self.root.resolve()) and target.is_file()
        except (ValueError, OSError):  # a NUL byte, a name too long: no such file
            found = False
        if found and path.startswith("/pages/") and query.startswith("v="):
            # A page of the latest proof, perhaps still being drawn: sent once it is written.
            found = self.state.on_disk(f"{path[1:]}?{query}", timeout=PAGE_WAIT)
        if not found:
            return self.send_error(HTTPStatus.NOT_FOUND)
        return super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802 (the http.server name)
        self.send_error(HTTPStatus.METHOD_NOT_ALLOWED)

    def list_directory(self, path):  # never show what is in a folder
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        state = self.state.snapshot()
        self.state.listening(1)
        try:
            while True:
                self.wfile.write(f"data: {json.dumps(state, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()
                state = self.state.wait(state["generation"], timeout=15)
        except GONE:
            return
        finally:
            self.state.listening(-1)

    def end_headers(self) -> None:
        # Page images and fonts are named by their content in the index (?v=…): those a browser may
        # keep, and a reload fetches only what changed. Anything else can change under its name.
        versioned = "?v=" in self.path and self.path.split("?", 1)[0] not in ("/", "/index.html")
        self.send_header("Cache-Control", "max-age=31536000, immutable" if versioned else "no-store")
        super().end_headers()

    def log_message(self, format, *args) -> None:
        LOG.debug("serve: " + format, *args)


def announce(url: str) -> None:
    """What serve prints once it listens: `launch` reads the URL from it."""
    print(f"serving {url} (Ctrl-C stops)", flush=True)


_ANNOUNCED = re.compile(r"serving (http://127\.0\.0\.1:\d+/)")


def launch(command: list[str], env: dict | None = None, cwd: Path | None = None,
           timeout: float = 120) -> tuple[subprocess.Popen, str]:
    """Start a serve command line (python build.py serve ISSUE …) in a process group of its own, so
    that os.killpg stops it with its workers, and wait for the URL it announces. What it prints
    after that is left in the process's stdout (text, with its stderr). For the tests and the
    benchmark, which drive serve from a browser."""
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, env=env)
    said, deadline = [], time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        if match := _ANNOUNCED.search(line):
            return proc, match[1]
        said.append(line)
        if not line and proc.poll() is not None:
            break
    proc.kill()
    proc.wait()
    raise RuntimeError("serve did not start:\n" + "".join(said[-20:]))


def stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    """Stop a serve started in a process group of its own (launch) as Ctrl-C does, and kill the
    group if it has not stopped within `timeout` s: a benchmark must end whatever serve does."""
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def serve(build: Callable[[threading.Event], Iterable[object]], watched: list[Path], proof_dir: Path,
          port: int = 0, ready: Callable[[str], None] = announce,
          idle: Callable[[threading.Event], None] | None = None) -> None:
    """Build, serve the proof, rebuild on every change under `watched`, until Ctrl-C.

    `build(stop)` yields once the new proof is on disk, and again for each PDF, which it writes
    once an open tab has shown the proof (TAB_WAIT s at most). Open tabs are told of the proof
    as soon as `stop.tell("proof", pages)` says it is on disk but for the pages being drawn (each
    sent once `stop.tell("drawn", [page])` says it is written), else when it yields. `stop`
    is set once a newer edit is saved, and the build then stops at its next step
    (press.stages.Stopped): the editions of an old edit are never waited for. `idle(stop)`, if
    given, runs once a build is done and no edit waits, and returns soon after `stop` is set (the
    typesetter warms what the next edit may need: press.typeset.warm_up_between_edits).
    The HTTP server runs in a process of its own, with the watcher: in this one,
    it would wait for the builder's hold on the interpreter at every request, and the
    browser would load the new pages only as fast as the build let it."""
    from .stages import Stopped

    proof_dir.mkdir(parents=True, exist_ok=True)
    builds, server_end = multiprocessing.get_context("fork").Pipe()
    # The watcher runs in the server's process: watchfiles takes the interpreter every `step` ms to
    # look at its stop event, and in this process each time took it from the build, which then
    # waited until the watcher's thread was run again (on a loaded machine, one time slice or more).
    # Here a thread waits for its word on a pipe, and takes the interpreter once a save.
    saves, said_save = multiprocessing.get_context("fork").Pipe(duplex=False)
    server = multiprocessing.get_context("fork").Process(target=_serve_http,
                                                         args=(server_end, builds, proof_dir, port,
                                                               (said_save, watched, saves)),
                                                         daemon=True)
    server.start()
    server_end.close()
    said_save.close()
    url = builds.recv()
    if not url.startswith("http://"):  # the server could not listen: it says why
        server.join(timeout=5)
        raise PressError.at(Path(f"127.0.0.1:{port}"), None, url, code="serve.port")
    seen = [time.perf_counter()]  # when the watcher saw the first change that the next build takes
    sent = [0]  # builds reported to the server: the generation of the last
    told = [None]  # the build under way: when its proof was reported (perf_counter), else None

    def report(errors: list[str]) -> None:
        builds.send(errors)
        sent[0] += 1

    def tell(what: str, names: list[str]) -> None:
        """The build's word on its proof (press.proof.make_proof): on disk but for the pages `names`,
        being drawn; then each page drawn. For the server, which tells open tabs at once."""
        if what == "proof":
            builds.send(("proof", names))
            sent[0] += 1
            told[0] = time.perf_counter()
        else:
            builds.send(("drawn", names))

    changed, done = Edits(tell), threading.Event()  # a newer edit saved; serve ending

    def shown() -> None:
        """Until an open tab has shown the proof just reported (the server says so, or says that no tab
        is open), TAB_WAIT s at most, or a newer edit is saved: the PDFs are written after it. Written
        at once, their assembly (0.3-0.5 CPU-s with pypdf then) took a core of two from the tab
        while it fetched and drew the new pages."""
        deadline = time.perf_counter() + TAB_WAIT
        try:
            while not changed.is_set() and (left := deadline - time.perf_counter()) > 0:
                if builds.poll(min(left, 0.01)) and builds.recv() == sent[0]:
                    return
        except (EOFError, OSError):  # the server has stopped: serve is ending
            return

    def rebuild(edit: bool = True) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        # What the editor waits for besides the build: the warm-up under way when the save was seen
        # (it stops within a line). And the CPU time, which a loaded machine does not stretch.
        waited = f", begun {started - seen[0]:.2f} s after the save was seen" if edit else ""
        # An edit's proof comes before any collection: what it leaves is collected once it is shown
        # (gen. 0 and 1 collections took 0.007 of its 0.3 CPU-s). Not the first build's, which may
        # lay out much more, in this process.
        if edit:
            gc.disable()
        told[0] = None
        try:
            for n, _ in enumerate(build(changed)):
                if n == 0:  # the proof, its pages drawn
                    if told[0] is None:  # not reported yet
                        report([])
                    gc.enable()
                    early = f", open tabs told at {told[0] - started:.2f} s" if told[0] is not None else ""
                    print(f"proof updated in {time.perf_counter() - started:.2f} s "
                          f"({time.process_time() - cpu:.2f} CPU-s{waited}{early})", flush=True)
                    shown()
            print(f"all PDFs written in {time.perf_counter() - started:.2f} s", flush=True)
        except Stopped:
            print(f"a newer edit: this build stopped after {time.perf_counter() - started:.2f} s", flush=True)
        except PressError as exc:
            errors = [p.format() for p in exc.problems]
            report(errors)
            for line in errors:
                print(line, flush=True)
        finally:
            gc.enable()
        # The build's garbage, collected while the editor reads: the next build starts with
        # none, and no full collection of this process's large heap falls within it. Not when
        # the next edit is saved already: its proof would wait for the collection.
        if not changed.is_set():
            gc.collect()

    lost: list[str] = []  # why the watcher stopped, if it did

    def heard() -> None:
        try:
            while (said := saves.recv()) is None:  # a save
                if not changed.is_set():
                    seen[0] = time.perf_counter()
                changed.set()
            lost.append(said)
        except (EOFError, OSError):
            lost.append("the watch ended")

    def watching() -> None:
        """A serve that no longer sees edits would show an old proof as if it were the latest."""
        if lost and not done.is_set():
            raise PressError.at(watched[0], None, f"serve stopped watching for changes ({lost[0]}): an edit would "
                                "no longer be rebuilt; start serve again", code="serve.watch")

    threading.Thread(target=heard, daemon=True).start()
    try:
        rebuild(edit=False)
        frozen = False
        ready(url)
        while True:
            if idle is not None and not changed.is_set():
                # No collection while it runs: a full one (35-90 ms, two or three in a warm-up of
                # 2020-02) cannot stop for an edit, which waited for it. An edit saved meanwhile is
                # built with none (rebuild); else the warm-up's garbage is collected once, now, if
                # it made any (the build's was collected already: a second full collection would
                # only be one more moment for a save to wait).
                gc.disable()
                idle(changed)
                if not changed.is_set():
                    gc.enable()
                    if gc.get_count()[0] >= gc.get_threshold()[0]:
                        gc.collect()
                    if not frozen:
                        frozen = _freeze(changed)
            while not changed.wait(timeout=1):  # with a timeout: Ctrl-C is seen at once
                watching()
            watching()
            changed.clear()
            rebuild()
    except KeyboardInterrupt:
        pass
    finally:
        done.set()
        builds.close()
        server.join(timeout=5)


class Edits(threading.Event):
    """Set once a newer edit is saved: the build under way stops at its next step (press.stages.Stopped).
    `tell(what, names)`: how the build says that its proof is written while its pages are drawn
    (press.proof.make_proof)."""

    def __init__(self, tell: Callable[[str, list[str]], None]) -> None:
        super().__init__()
        self.tell = tell


def _freeze(changed: threading.Event) -> bool:
    """Set what serve holds once its first warm-up has run to the end, its garbage collected already,
    apart from every later collection (gc.freeze): the typesetter, its fonts and sheets, the lines
    kept, which live as long as serve (press.pipeline froze only the modules loaded). The full
    collection after each edit of 2020-02 went through all of them: 35-94 ms, 2-9 ms once frozen
    (gc.callbacks, bench/browser.py). Once only: a frozen object is never collected, so no edit's
    leftovers are frozen (the lines an edit replaces stay once). Not after the first build as well:
    its first edit then took 0.02-0.04 CPU-s more (7 runs of each, back to back). Not with an edit
    waiting: its build's garbage was left uncollected."""
    if changed.is_set():
        return False
    gc.freeze()
    return True


def _watch(saves, watched: list[Path], gone: threading.Event) -> None:
    """The watcher, in the server's process: a None on `saves` for each save seen under `watched`,
    then why the watch ended, if it ends before the builder is `gone`."""
    said = "the watch ended"
    try:
        import watchfiles

        # An editor saves a file in one write or one rename, its events within a millisecond: 5 ms
        # of quiet is the end of a save (changes go on being grouped for 50 ms at most). A save
        # was seen 17 ms after it with 10 ms, 9 ms with 5 (median of 10, measured); a save seen
        # in two halves only starts a build that the second stops (press.stages.Stopped).
        for _ in watchfiles.watch(*watched, debounce=50, step=5, stop_event=gone, raise_interrupt=False):
            saves.send(None)
    except Exception as exc:  # noqa: BLE001 (whatever stops it: said by the builder, which then stops)
        said = f"{type(exc).__name__}: {exc}"
    if not gone.is_set():
        try:
            saves.send(said)
        except OSError:  # the builder has just gone
            pass


TAB_WAIT = 0.5  # s: how long the PDFs of an edit wait for an open tab to show its proof (a hidden tab may never draw it)
PAGE_WAIT = 30  # s: how long a request for a page being drawn waits (the builder on a loaded machine)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # What a handler did not answer (a client gone while its response was flushed): for the
        # log, never a traceback in the editor's terminal.
        LOG.debug("serve: request from %s failed", client_address, exc_info=True)


def _serve_http(builds, builder_end, proof_dir: Path, port: int, watcher: tuple | None = None) -> None:
    """The server process: serve the proof folder, and tell open tabs of each build that
    the builder reports on `builds` (a list of error lines, empty for a good build); and tell the
    builder, by its generation, when a good build's proof is on screen (BuildState.tell); and, given a
    `watcher` (saves, watched, the builder's end of `saves`), tell it of each save seen (_watch)."""
    builder_end.close()  # this process's copy of the other end: without it, no end of file when the builder stops
    if watcher is not None:
        watcher[2].close()
    state = BuildState(proof_dir, tell=builds.send)
    handler = type("Handler", (ProofHandler,), {"state": state, "root": proof_dir})
    try:
        server = _Server(("127.0.0.1", port), partial(handler, directory=str(proof_dir)))
    except OSError as exc:
        builds.send(f"cannot serve on this port: {exc.strerror or exc} (choose another with --port)")
        return
    server.daemon_threads = True
    gone = threading.Event()  # the builder has stopped

    def listen() -> None:
        try:
            while True:
                said = builds.recv()
                if isinstance(said, list):  # a build's error lines, or none: its proof is on disk
                    state.finished(said)
                elif said[0] == "proof":  # a good proof on disk, but for the pages named, being drawn
                    state.finished([], said[1])
                else:  # ("drawn", names): written
                    state.drawn(said[1])
        except (EOFError, OSError):  # the builder has stopped
            gone.set()
            server.shutdown()

    threading.Thread(target=listen, daemon=True).start()
    if watcher is not None:
        threading.Thread(target=_watch, args=(*watcher[:2], gone), daemon=True).start()
    builds.send(f"http://127.0.0.1:{server.server_address[1]}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
