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
