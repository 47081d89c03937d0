"""serve writes an edit's PDFs once an open tab has shown its proof (press/serve.py: the server
process tells the builder, which waits TAB_WAIT s at most): the server process of serve itself,
driven over its pipe and over HTTP as the builder and a tab drive it, without a build."""

from __future__ import annotations

import http.client
import multiprocessing
import socket

import pytest

from press.serve import _serve_http

QUIET = 0.4  # s: long enough for a message the server should not send to arrive


@pytest.fixture
def server(tmp_path):
    """(the builder's end of the pipe, the server's port)"""
    proof = tmp_path / "proof"
    proof.mkdir()
    (proof / "index.html").write_text('<body><img src="pages/p001.jpg?v=1"></body>', encoding="utf-8")
    context = multiprocessing.get_context("fork")
    builds, server_end = context.Pipe()
    process = context.Process(target=_serve_http, args=(server_end, builds, proof, 0), daemon=True)
    process.start()
    server_end.close()
    try:
        yield builds, int(builds.recv().rstrip("/").rsplit(":", 1)[1])
    finally:
        builds.close()  # the server shuts down when its builder is gone
        process.join(timeout=10)
    assert process.exitcode == 0


def _shown(port: int, generation: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", f"/__shown?generation={generation}")
    status = connection.getresponse().status
    connection.close()
    return status


def _listen(port: int) -> socket.socket:
    """A tab listening to the server's events, its first event read."""
    tab = socket.create_connection(("127.0.0.1", port), timeout=10)
    tab.sendall(f"GET /__events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    said = b""
    while b"data: " not in said or not said.endswith(b"\n\n"):
        said += tab.recv(4096)
    return tab


def test_with_no_tab_open_the_builder_is_told_at_once(server):
    builds, _ = server
    builds.send([])  # a good proof: the first generation
    assert builds.poll(5) and builds.recv() == 1
    builds.send(["a.md:1: error: wrong"])  # a failed build has no PDFs to write: nothing to tell
    assert not builds.poll(QUIET)
    builds.send([])
    assert builds.poll(5) and builds.recv() == 3


def test_with_a_tab_open_the_builder_is_told_once_it_has_shown_the_latest_proof(server):
    builds, port = server
    tab = _listen(port)
    try:
        builds.send([])
        assert not builds.poll(QUIET)  # the tab has not shown it
        builds.send([])  # the next edit's proof, before the tab showed the first
        assert _shown(port, 1) == 204 and not builds.poll(QUIET)  # an older proof shown: not the latest
        assert _shown(port, 2) == 204
        assert builds.poll(5) and builds.recv() == 2
        assert _shown(port, 2) == 204 and not builds.poll(QUIET)  # a second tab showing it: told once
        builds.send(["a.md:1: error: wrong"])
        assert _shown(port, 3) == 204 and not builds.poll(QUIET)
    finally:
        tab.close()


def _page(port: int, src: str, timeout: float = 10) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("GET", "/" + src)
    response = connection.getresponse()
    status, body = response.status, response.read()
    connection.close()
    return status, body


def test_a_page_still_being_drawn_is_sent_once_written_and_one_never_drawn_is_not_sent(server, tmp_path):
    """The builder tells of a proof as soon as its index is written, naming the pages it is still
    drawing (press.proof.make_proof): a tab's request for one waits until the builder says it is
    written, and gets what was written then, never the file of an older page under the new URL."""
    import threading
    import time

    builds, port = server
    proof = tmp_path / "proof"
    (proof / "pages").mkdir()
    (proof / "pages" / "p001.jpg").write_bytes(b"the old page")
    (proof / "index.html").write_text('<body><img src="pages/p001.jpg?v=2"></body>', encoding="utf-8")
    builds.send(("proof", ["p001.jpg"]))  # on disk but for page 1, being drawn
    assert builds.poll(5) and builds.recv() == 1  # no tab open: told at once
    got = []
    asking = threading.Thread(target=lambda: got.append(_page(port, "pages/p001.jpg?v=2")))
    asking.start()
    asking.join(QUIET)
    assert asking.is_alive() and not got  # held while the page is drawn
    (proof / "pages" / "p001.jpg").write_bytes(b"the new page")
    written = time.perf_counter()
    builds.send(("drawn", ["p001.jpg"]))
    asking.join(10)
    assert got == [(200, b"the new page")] and time.perf_counter() - written < 5
    assert _page(port, "pages/p001.jpg?v=2") == (200, b"the new page")  # drawn: sent at once

    # A proof whose page 1 is never drawn (its build failed meanwhile): not sent under its URL.
    (proof / "index.html").write_text('<body><img src="pages/p001.jpg?v=3"></body>', encoding="utf-8")
    builds.send(("proof", ["p001.jpg"]))
    assert builds.poll(5) and builds.recv() == 2
    got.clear()
    asking = threading.Thread(target=lambda: got.append(_page(port, "pages/p001.jpg?v=3")[0]))
    asking.start()
    builds.send(["a.md:1: error: wrong"])
    asking.join(10)
    assert got == [404]
    assert _page(port, "pages/p001.jpg?v=2")[0] == 200  # the last drawn page is still there
