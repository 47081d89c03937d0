"""Bounded work (issue 23): the build fingerprint reads only the files a build reads, follows no
link out of the issue or project folder and opens no pipe, device or file of /proc; an unreadable
file is an error line; the typesetting workers end with their build however it ends; serve
answers every request, without a traceback, and only for 127.0.0.1 and localhost."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ISSUE, ROOT, build_here

# Run in a process of its own: an audit hook cannot be taken out again. It prints every path
# the fingerprint opened, then the fingerprint.
OPENS = """
import json, os, sys
sys.path.insert(0, {root!r})
from press.config import load_config
from press import pipeline
from press.session import Session
cfg = load_config({issue!r}, {out!r})
opened = []
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        opened.append(os.path.abspath(os.fsdecode(args[0])))
sys.addaudithook(hook)
stamp = pipeline._fingerprint(cfg, Session())
print(json.dumps({{"opened": opened, "stamp": stamp}}))
"""


def fingerprint_opens(issue: Path, out: Path, cache: Path) -> tuple[set[str], str]:
    script = OPENS.format(root=str(ROOT), issue=str(issue), out=str(out))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PRESS_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    return set(found["opened"]), found["stamp"]


def add_strange_files(issue: Path) -> list[Path]:
    """What an editor's folder may hold besides the issue: each is named as a file the build
    reads would be (an image, an article), so only its kind keeps it from being read."""
    strange = []
    for name, target in (("images/mem.jpg", "/proc/self/mem"), ("images/kmsg.png", "/proc/kmsg"),
                         ("outside.zh.md", "/etc/hostname"), ("images/loop.jpg", "images/loop.jpg")):
        (issue / name).symlink_to(target)
        strange.append(issue / name)
    os.mkfifo(issue / "images" / "pipe.jpg")
    os.mkfifo(issue / "pipe.zh.md")
    (issue / "notes.txt").write_text("not part of the issue")
    (issue / "video.mp4").write_bytes(b"\0" * 1000)
    return strange + [issue / "images" / "pipe.jpg", issue / "pipe.zh.md", issue / "notes.txt", issue / "video.mp4"]


def test_the_fingerprint_opens_the_files_a_build_reads_and_no_other(issue_copy, tmp_path):
    strange = add_strange_files(issue_copy)
    (issue_copy / "working-together.accepted.yaml").write_text("[]\n", encoding="utf-8")
    opened, _ = fingerprint_opens(issue_copy, tmp_path / "out", tmp_path / "cache")
    in_issue = {Path(p).relative_to(issue_copy).as_posix() for p in opened if Path(p).is_relative_to(issue_copy)}
    # What the build reads, from the sources: issue.yaml, each article, the translation records
    # and lists of accepted warnings, the images.
    used = {"issue.yaml", "working-together.accepted.yaml"}
    used |= {p.name for p in ISSUE.glob("*.md") if re.fullmatch(r".+\.(zh|en)\.md", p.name)}
    used |= {p.name for p in ISSUE.glob("*.translation.yaml")}
    used |= {f"images/{p.name}" for p in (ISSUE / "images").iterdir() if p.suffix == ".jpg"}
    assert in_issue == used
    assert not {str(p) for p in strange} & opened
    assert not {p for p in opened if p.startswith(("/proc", "/sys", "/dev", "/etc"))}, opened


def test_a_list_of_accepted_warnings_written_after_a_build_is_read_by_the_next(issue_copy, tmp_path):
    """Its warnings come from that list too: a build must not be answered from the last one's
    record (which printed the warnings of then) when only the list changed."""
    out = tmp_path / "out"
    first = build_here("pdf", str(issue_copy), "-o", str(out))
    assert first.returncode == 0 and "accepted.yaml" not in first.stderr, first.stderr
    (issue_copy / "working-together.accepted.yaml").write_text("zh: [unclosed\n", encoding="utf-8")
    again = build_here("pdf", str(issue_copy), "-o", str(out))
    assert again.returncode == 0, again.stderr
    assert f"{os.path.relpath(issue_copy, ROOT)}/working-together.accepted.yaml:1: warning: cannot read this list of " \
           "accepted warnings" in again.stderr, again.stderr


def test_a_build_beside_links_out_pipes_and_proc_files_ends_and_says_what_it_left(issue_copy, tmp_path, run_fresh):
    add_strange_files(issue_copy)
    result = run_fresh("pdf", str(issue_copy), "-o", str(tmp_path / "out"))  # no hang: run_fresh's limit of time
    assert result.returncode == 0, result.stderr
    # The two named as articles but not listed in issue.yaml are said, as any such file is.
    for name in ("outside", "pipe"):
        assert f"{name}.zh.md: warning: article '{name}' is not listed in issue.yaml 'articles' and is left out  [article.unlisted]" \
            in result.stderr


def _without_root_read_powers() -> None:
    """Root reads any file whatever its mode: take that power (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)
    out of the capability bounding set of the child, before it runs the build."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "PR_CAPBSET_DROP")


def test_a_file_that_cannot_be_read_is_an_error_line(issue_copy, tmp_path):
    shut = [issue_copy / "working-together.en.md", issue_copy / "images" / "iraq-team.jpg"]
    for path in shut:
        os.chmod(path, 0)
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "pdf", str(issue_copy), "-o", str(tmp_path / "out")],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PRESS_CACHE_DIR": str(tmp_path / "cache")},
                            preexec_fn=_without_root_read_powers if os.geteuid() == 0 else None)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert lines == [f"2020-02/{p.relative_to(issue_copy).as_posix()}: error: cannot be read: Permission denied  [file.unreadable]"
                     for p in sorted(shut)], result.stderr


def test_the_files_are_hashed_once_not_at_every_build(tmp_path):
    """The fonts (82 MB) and the sources are hashed by the first run; a later run, in another process,
    reads their digests from the cache folder and does not open them, until one changes."""
    from press.fonts import font_files
    from press.manifest import LARGE_FILE, SETTLED_NS

    large = {str(p.absolute()) for p in font_files(ROOT / "fonts") if p.stat().st_size >= LARGE_FILE}
    assert large
    settled = time.time_ns() - SETTLED_NS
    sources = {str(p.absolute()) for p in ISSUE.glob("*.??.md") if p.stat().st_ctime_ns < settled}
    first, stamp = fingerprint_opens(ISSUE, tmp_path / "out", tmp_path / "cache")
    assert large | sources <= {os.path.abspath(p) for p in first}
    second, again = fingerprint_opens(ISSUE, tmp_path / "out", tmp_path / "cache")
    assert again == stamp and not (large | sources) & {os.path.abspath(p) for p in second}


def test_a_file_that_changed_is_read_again(tmp_path, monkeypatch):
    """Its digest is remembered by path, inode, size and times, and only once it had not changed for
    a while when it was read (manifest.SETTLED_NS): rewritten with the same size, or only touched,
    it is read again, also within the same tick of the clock as the write before (on the project's
    own fonts, shared with other checkouts, nothing is written: a file of our own stands in)."""
    from press import manifest

    monkeypatch.setattr(manifest, "SETTLED_NS", 300_000_000)
    big = tmp_path / "issue" / "images" / "big.png"
    big.parent.mkdir(parents=True)
    store = tmp_path / "digests.json"

    def stamp() -> bytes:
        # A new session each time, as a new process: only the store remembers.
        return manifest.fingerprint([(tmp_path / "issue", [big])], (), [tmp_path / "issue"], store)

    def settle() -> None:
        time.sleep(manifest.SETTLED_NS / 1e9 + 0.05)

    def remembered() -> list:
        return json.loads(store.read_text()) if store.exists() else []

    for size in (100, manifest.LARGE_FILE + 1):  # a source, a large image
        big.write_bytes(b"a" * size)
        first = stamp()
        assert remembered() == []  # just written: it may change again within the tick
        big.write_bytes(b"b" * size)  # the same size, and perhaps the same tick
        assert stamp() != first
        settle()
        second = stamp()
        assert remembered()[0][0] == str(big)
        os.utime(big)
        settle()
        again = stamp()
        assert again == second
        store.write_text(json.dumps([[*entry[:-1], "00" * 32] for entry in json.loads(store.read_text())]))
        assert stamp() != again  # a remembered digest is used, not the file's: this is the store at work
        store.unlink()


def children_of(pid: int, deep: bool = True) -> set[int]:
    """The process's children, and with `deep` theirs, and so on."""
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = {int(k) for k in (task / "children").read_text().split()}
            except OSError:
                continue
            todo += (kids - found) if deep else []
            found |= kids
    return found


def group_alive(pgid: int, seconds: float = 5) -> bool:
    """Whether any process of the group is left after `seconds` (one that ends meanwhile is not)."""
    deadline = time.time() + seconds
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        if time.time() > deadline:
            return True
        time.sleep(0.05)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# When each cold build of 2020-02 is killed, in seconds after its workers are up: early, while
# they set their first parts; midway; and late, where on a quiet machine (2.4 s in all) the
# build may be writing its PDFs or have ended (a kill after its end, said so). The waits were
# random.Random(23).uniform(0, 2.5) four times, 2.31, 2.37, 2.23 and 0.21 s: three builds let run
# to about the same moment, and no kill midway but under load.
KILLED_AFTER = (0.2, 1.2, 2.3)


def test_the_workers_end_when_their_build_is_killed(tmp_path, fork_server):
    """kill -9 at moments of a cold build once its workers are up (KILLED_AFTER): none outlives
    it. Each build is a process of its own, forked from one that has done the imports
    (conftest.ForkServer, whose one child it is while it runs), and forks its workers as any
    build does."""
    import threading

    killed = 0
    for run, wait in enumerate(KILLED_AFTER):
        cache = tmp_path / f"cache-{run}"  # empty: the workers have parts to set
        ended: list = []
        builder = threading.Thread(target=lambda: ended.append(fork_server.run(
            ("pdf", str(ISSUE), "-o", str(tmp_path / f"out-{run}")), env={"PRESS_CACHE_DIR": str(cache)})[0]))
        builder.start()
        build, workers = None, set()
        deadline = time.time() + 60
        while len(workers) < 2 and time.time() < deadline and builder.is_alive():
            build = build or next(iter(children_of(fork_server.server.pid, deep=False)), None)
            workers = children_of(build) if build else set()
            time.sleep(0.02)
        assert len(workers) >= 2, "the build never started its workers"
        time.sleep(wait)
        workers |= children_of(build)
        try:
            os.kill(build, signal.SIGKILL)
        except ProcessLookupError:  # the build had ended first (and been reaped): a kill after its end
            pass
        builder.join(60)
        assert not builder.is_alive() and ended[0].returncode in (0, -signal.SIGKILL), ended
        killed += ended[0].returncode == -signal.SIGKILL
        deadline = time.time() + 10
        while time.time() < deadline and any(alive(p) for p in workers):
            time.sleep(0.05)
        left = [p for p in workers if alive(p)]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, f"run {run}: workers {left} outlived their build"
    assert killed, "no build was killed midway"


def request(port: int, raw: bytes, read: bool = True) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(raw)
        if not read:
            return b""
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def test_serve_answers_every_request_and_only_for_its_own_names(issue_copy, tmp_path):
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", str(issue_copy), "-o", str(tmp_path / "out")],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline, port = time.time() + 180, None
        while time.time() < deadline and port is None:
            line = proc.stdout.readline()
            if match := re.search(r"serving http://127\.0\.0\.1:(\d+)/", line):
                port = int(match[1])
            elif not line and proc.poll() is not None:
                break
        assert port, "serve did not start"
        pdf = (tmp_path / "out" / "2020-02.pdf").read_bytes()

        def get(path: str, host: str | None = f"127.0.0.1:{port}") -> bytes:
            head = f"GET {path} HTTP/1.1\r\n" + (f"Host: {host}\r\n" if host is not None else "") + "Connection: close\r\n\r\n"
            return request(port, head.encode())

        for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", "127.0.0.1"):
            answer = get("/2020-02.pdf", host)
            assert answer.startswith(b"HTTP/1.0 200") and answer.endswith(pdf), host
        # DNS rebinding: a page of another site whose name now points at 127.0.0.1.
        for host in ("evil.example", f"evil.example:{port}", f"localhost.evil.example:{port}", f"127.0.0.1:{port + 1}", None):
            assert get("/2020-02.pdf", host).startswith(b"HTTP/1.0 403"), host
        assert get("/%00").startswith(b"HTTP/1.0 404")
        assert get("/pages/%00.png").startswith(b"HTTP/1.0 404")
        # Clients that leave mid-download, many times over: a big file, asked for and dropped.
        for _ in range(20):
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.sendall(f"GET /2020-02.pdf HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
                sock.recv(100)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")  # a reset, not a close
        answer = get("/2020-02.pdf")  # and the server goes on
        assert answer.startswith(b"HTTP/1.0 200") and answer.endswith(pdf)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, output
    assert "Traceback" not in output and "Exception" not in output, output


def test_a_newer_edit_stops_the_build_of_the_last_and_is_the_one_shown(issue_copy, tmp_path):
    """An edit saved while the build of the one before is under way: that build stops (nothing
    of it is waited for), and the proof served is the newer edit's. Tried up to five times, with
    the newer save 0.15 to 0.6 s after the older: the older build must still be under way then
    (typesetting the edited article alone takes longer), and its start depends on the machine.
    Stopped with SIGTERM to serve alone (a service manager's stop): it ends as with Ctrl-C, its
    HTTP server too, and leaves nothing in its temporary folder (its typesetter's copy of the
    faces, WeasyPrint's, lives as long as serve)."""
    import threading

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", str(issue_copy), "-o", str(tmp_path / "out")],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            env={**os.environ, "TMPDIR": str(scratch)})
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()

    def index(port: int) -> str:
        return request(port, f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()).decode()

    try:
        deadline = time.time() + 180
        while time.time() < deadline and not any("serving http" in line for line in lines):
            assert proc.poll() is None, "".join(lines)
            time.sleep(0.05)
        port = int(re.search(r"serving http://127\.0\.0\.1:(\d+)/", "".join(lines))[1])
        article = issue_copy / "share-solutions.zh.md"
        text = article.read_text(encoding="utf-8")
        anchor = "这是中国科技人员奋斗的成果，"
        stopped = 0
        for attempt, gap in enumerate((0.15, 0.3, 0.6, 0.15, 0.3)):
            # Words no earlier run has typeset (the part cache is shared): each edit is real work.
            unique = f"{time.time_ns() % 10**9:09d}"
            older, newer = f"科技{unique}1", f"成果{unique}2"
            article.write_text(text.replace(anchor, anchor + older + "，"), encoding="utf-8")
            time.sleep(gap)  # the build of the older edit is under way (typesetting its article takes longer)
            article.write_text(text.replace(anchor, anchor + newer + "，"), encoding="utf-8")
            deadline = time.time() + 120
            while time.time() < deadline and newer not in index(port):
                time.sleep(0.05)
            assert newer in index(port) and older not in index(port)
            stopped = sum("a newer edit: this build stopped" in line for line in lines)
            if stopped:
                break
        assert stopped, "".join(lines)
        assert list(scratch.iterdir()), "serve's typesetter made no temporary folder: the check below proves nothing"
        time.sleep(3)  # the warm-up between edits over: what serve holds then is frozen (serve._freeze), never collected
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, "".join(lines)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert "Traceback" not in "".join(lines), "".join(lines)
    assert not group_alive(proc.pid), "serve's HTTP server outlived it"
    assert list(scratch.iterdir()) == []


WARM = """
import sys
sys.path.insert(0, {root!r})
from press.cli import main
assert main(["pdf", {issue!r}, "-o", {out!r}]) == 0
print(sorted(name for name in ("yaml", "press.stages", "press.typeset", "weasyprint", "pypdf", "PIL", "logging", "ctypes",
                                 "subprocess", "argparse", "dataclasses", "press.config", "press.pipeline")
             if name in sys.modules))
"""


def test_a_warm_build_loads_no_stage_and_no_yaml(tmp_path, warm_cache):
    """Nothing changed: the build is answered from the manifest, the issue's id from what the
    cache remembers of its issue.yaml, the fonts' digests and the versions of Pango and HarfBuzz
    from the cache, and nothing is set up for work it will not do: no logging, no subprocess, not
    even argparse, a dataclass or the Config (press/reuse.py; warm < 0.1 s). The
    cache starts with the session's parts of the issue (conftest.warm_cache): the first build
    writes the PDFs from them."""
    env = {**os.environ, "PRESS_CACHE_DIR": str(warm_cache)}
    script = WARM.format(root=str(ROOT), issue=str(ISSUE), out=str(tmp_path / "out"))
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, env=env)
    assert first.returncode == 0, first.stderr
    assert "'press.stages'" in first.stdout  # a real build, the first time
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().splitlines()[-1] == "[]", again.stdout
    assert again.stderr == first.stderr  # the same notes, said again
    assert again.stdout.splitlines()[:-1] == first.stdout.splitlines()[:-1]  # the same PDFs, in the same order


PLAIN = [[], ["pdf"], ["pdf", "x"], ["pdf", "-o", "out"], ["pdf", "x", "-o", "out"], ["pdf", "-o", "out", "x"],
         ["pdf", "--strict"], ["pdf", "x", "--strict", "--out-dir", "o"], ["pdf", "--strict", "-o", "o", "x"]]
NOT_PLAIN = [["pdf", "--press"], ["pdf", "--out-dir=o"], ["pdf", "-oout"], ["pdf", "--str"], ["pdf", "-o", "a", "-o", "b"],
             ["check"], ["proof", "x"], ["x"], ["pdf", "-h"], ["pdf", "-o"], ["pdf", "--", "x"], ["pdf", "x", "y"],
             ["pdf", "-o", "-x"], ["pdf", ""]]


@pytest.mark.parametrize("argv", PLAIN + NOT_PLAIN, ids=" ".join)
def test_the_plain_forms_of_pdf_are_read_as_argparse_reads_them(argv):
    """What the command line answers before argparse loads (a build that nothing changed): only
    these forms, each read as argparse reads it; any other is argparse's alone."""
    from press import cli

    plain = cli._plain_pdf(argv)
    if argv not in PLAIN:
        assert plain is None
        return
    args = cli._parser().parse_args(argv)
    assert (args.command or "pdf") == "pdf" and not getattr(args, "press", False)
    assert plain == (getattr(args, "issue_dir", None), getattr(args, "out_dir", None), getattr(args, "strict", False))
