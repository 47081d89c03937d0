"""The live preview: the proof on 127.0.0.1, rebuilt when a source changes.

A small standard-library HTTP server fed by a builder, in the manner of
MkDocs' livereload: it serves only the proof folder (no listings, nothing
outside it), adds the reload script to the HTML it sends (never to the
files on disk), and tells open tabs over server-sent events when a build
finished, or failed. A failed build leaves the last good proof up, with the
error lines shown over it until the source is fixed.
"""

from __future__ import annotations

import json
import logging
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from .errors import PressError

LOG = logging.getLogger("press")

CLIENT = """
<div id="press-errors" hidden style="position:fixed;inset:0 0 auto 0;z-index:99;background:#fff3f3;
 border-bottom:3px solid #b3262d;padding:1rem 2rem;font:14px/1.5 monospace;white-space:pre-wrap;color:#600"></div>
<script>
(() => {
  const box = document.getElementById("press-errors");
  let seen = null;
  const events = new EventSource("/__events");
  events.onmessage = (message) => {
    const state = JSON.parse(message.data);
    if (seen !== null && state.generation !== seen && state.errors.length === 0) location.reload();
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

    def __init__(self) -> None:
        self.generation = 0
        self.errors: list[str] = []
        self.changed = threading.Condition()

    def finished(self, errors: list[str]) -> None:
        with self.changed:
            self.generation += 1
            self.errors = errors
            self.changed.notify_all()

    def snapshot(self) -> dict:
        return {"generation": self.generation, "errors": self.errors}

    def wait(self, generation: int, timeout: float) -> dict:
        with self.changed:
            self.changed.wait_for(lambda: self.generation != generation, timeout=timeout)
            return self.snapshot()


class ProofHandler(SimpleHTTPRequestHandler):
    state: BuildState
    root: Path

    def do_GET(self) -> None:  # noqa: N802 (the http.server name)
        path = self.path.split("?", 1)[0]
        if path == "/__events":
            return self._events()
        if path in ("/", "/index.html"):
            index = self.root / "index.html"
            page = index.read_text(encoding="utf-8") if index.exists() else WAITING
            return self._send(page.replace("</body>", CLIENT + "</body>").encode(), "text/html; charset=utf-8")
        target = Path(self.translate_path(path)).resolve()
        if not target.is_relative_to(self.root.resolve()) or not target.is_file():
            return self.send_error(HTTPStatus.NOT_FOUND)
        return super().do_GET()

    def list_directory(self, path):  # never show what is in a folder
        self.send_error(HTTPStatus.NOT_FOUND)
        return None

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = self.state.snapshot()
        try:
            while True:
                self.wfile.write(f"data: {json.dumps(state, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()
                state = self.state.wait(state["generation"], timeout=15)
        except (BrokenPipeError, ConnectionResetError):
            return

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # page images change under the same name
        super().end_headers()

    def log_message(self, format, *args) -> None:
        LOG.debug("serve: " + format, *args)


def serve(build: Callable[[], None], watched: list[Path], proof_dir: Path, port: int = 0,
          ready: Callable[[str], None] = print) -> None:
    """Build, serve the proof, rebuild on every change under `watched`, until Ctrl-C."""
    import watchfiles

    state = BuildState()

    def rebuild() -> None:
        try:
            build()
            state.finished([])
        except PressError as exc:
            state.finished([p.format() for p in exc.problems])
            for line in state.errors:
                print(line, flush=True)

    rebuild()
    proof_dir.mkdir(parents=True, exist_ok=True)
    handler = type("Handler", (ProofHandler,), {"state": state, "root": proof_dir})
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(proof_dir)))
    server.daemon_threads = True
    stop = threading.Event()

    def watch() -> None:
        for _ in watchfiles.watch(*watched, stop_event=stop, debounce=150, step=50):
            rebuild()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    ready(f"http://127.0.0.1:{server.server_address[1]}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()

