"""Shared fixtures: the real command line, run on the real issue."""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The project's own press package, however pytest was started (from another folder, or as
# `pytest` rather than `python -m pytest`), and before any installed copy.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
ISSUE = ROOT / "content" / "2020-02"
SAMPLE = ROOT / "content" / "2020-06"  # the second issue, written to use every feature of the format
ISSUES = {"2020-02": ISSUE, "2020-06": SAMPLE}
# Sample issues of the awkward cases, built once like the others by the tests that ask for them
# (build_of): 2020-09 the page composer's (issue 21), 2020-12 English-heavy prose.
MORE_ISSUES = {"2020-09": ROOT / "content" / "2020-09", "2020-12": ROOT / "content" / "2020-12"}
SEEDS = ROOT / "tests" / "seeds"  # the texts content/2020-02 was made from (tests/seeds/README.md)


def run_build(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run build.py as an editor would, and insist it never shows a traceback: for tests of the
    command line itself (exit status, what a new process prints, a process killed)."""
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True,
                            text=True, env={**os.environ, **(env or {})}, timeout=600)
    assert "Traceback" not in result.stderr, result.stderr
    return result


# run_fresh's fork server: it imports what build.py and a build import (not WeasyPrint, which a
# command-line build's first worker imports), says "ready", then for each request (a JSON line)
# forks a process that takes the request's folder, environment and limits, its stdin from
# /dev/null and its stdout and stderr to files, and runs build.py's main (or the code given) to
# its end as `python build.py` would: sys.exit with main's status, a traceback and exit 1 on an
# exception, the interpreter's own shutdown. The answer: the exit status (minus the signal that
# ended it), how long it ran, and its CPU time and peak resident memory, its waited-for workers
# included (wait4: what getrusage(RUSAGE_CHILDREN) counts for a child of the test process).
FORK_SERVER = r"""
import json, os, resource, signal, sys, time
sys.path.insert(0, sys.argv[1])
import build
import press.pipeline, press.stages, press.parity, press.preflight, press.issue, press.markup, press.proof
print("ready", flush=True)
for line in sys.stdin:
    request = json.loads(line)
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        if request["session"]:  # a process group of its own, to kill whole
            os.setsid()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        if request["memory"]:
            resource.setrlimit(resource.RLIMIT_AS, (request["memory"], request["memory"]))
        signal.alarm(request["seconds"])  # its default action ends the process
        for fd, name in ((0, os.devnull), (1, request["stdout"]), (2, request["stderr"])):
            opened = os.open(name, os.O_RDONLY if fd == 0 else os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(opened, fd)
            os.close(opened)
        if "code" in request:
            sys.argv = ["-c", *request["argv"]]
            exec(compile(request["code"], "<string>", "exec"), {"__name__": "__main__"})
            sys.exit(0)
        sys.argv = ["build.py", *request["argv"]]
        sys.exit(build.main(request["argv"]))
    _, status, usage = os.wait4(pid, 0)
    print(json.dumps({"status": os.waitstatus_to_exitcode(status), "seconds": time.monotonic() - started,
                      "cpu": usage.ru_utime + usage.ru_stime, "maxrss": usage.ru_maxrss * 1024}), flush=True)
"""


class ForkServer:
    """build.py in a process of its own, as run_build runs it, without a new interpreter's
    imports in each (about 1 CPU-s): each run is forked from one process that has done them,
    and is a process like any other from there (its own environment, folder, output, limits,
    exit and shutdown, its own workers)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.log = folder / "server.err"
        with open(self.log, "w") as err:
            self.server = subprocess.Popen([sys.executable, "-c", FORK_SERVER, str(ROOT)], cwd=ROOT,
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True)
        ready = self.server.stdout.readline()
        # What the imports print is what every new process would print first.
        assert ready == "ready\n" and self.log.read_text() == "", self.log.read_text()
        self.runs = 0

    def run(self, args: tuple[str, ...] = (), cwd: Path = ROOT, env: dict | None = None, code: str | None = None,
            memory: int = 0, seconds: int = 600, session: bool = False) -> tuple[subprocess.CompletedProcess, float]:
        self.runs += 1
        out, err = self.folder / f"{self.runs}.out", self.folder / f"{self.runs}.err"
        request = {"argv": list(args), "cwd": str(cwd), "env": {**os.environ, **(env or {})}, "memory": memory,
                   "seconds": seconds, "session": session, "stdout": str(out), "stderr": str(err)}
        if code is not None:
            request["code"] = code
        self.server.stdin.write(json.dumps(request) + "\n")
        self.server.stdin.flush()
        answer = json.loads(self.server.stdout.readline())
        result = subprocess.CompletedProcess(["build.py", *args], answer["status"],
                                             out.read_bytes().decode("utf-8", "replace"),
                                             err.read_bytes().decode("utf-8", "replace"))
        result.cpu_seconds, result.peak_memory = answer["cpu"], answer["maxrss"]  # user + system; bytes
        out.unlink()
        err.unlink()
        assert answer["status"] != -signal.SIGALRM, f"build.py {' '.join(args)} ran past {seconds} s"
        return result, answer["seconds"]

    def close(self) -> None:
        self.server.stdin.close()
        assert self.server.wait(timeout=60) == 0 and self.log.read_text() == "", self.log.read_text()


@pytest.fixture(scope="session")
def fork_server(tmp_path_factory):
    server = ForkServer(tmp_path_factory.mktemp("fork-server"))
    yield server
    server.close()


@pytest.fixture(scope="session")
def run_fresh(fork_server):
    """run_build's twin for tests of what a new process of build.py prints and exits with: the
    same arguments and result, and no traceback let pass, from a process forked from one that has
    done the imports (FORK_SERVER). Not for what differs between processes themselves (a hash seed),
    nor for a process to kill or signal."""

    def run(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
        result, _ = fork_server.run(args, cwd=cwd, env=env)
        assert "Traceback" not in result.stderr, result.stderr
        return result

    return run


def build_here(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """build.py's main in the test process, for tests about the pages built: the same arguments,
    exit status and output as run_build, without a new process's imports (about 1.1 s each)."""
    import build

    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_cwd = {key: os.environ.get(key) for key in env or {}}, os.getcwd()
    os.environ.update(env or {})
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = build.main(list(args))
            except SystemExit as stop:  # argparse's, on a usage error (status 2) or --help (0)
                status = stop.code if isinstance(stop.code, int) else 1
    finally:
        os.chdir(saved_cwd)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return subprocess.CompletedProcess(["build.py", *args], status, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def session_build(tmp_path_factory):
    """Each sample issue built once for the whole session: id -> (output folder, what the build
    printed). 2020-02 and 2020-06 with --press (their three reading PDFs and their press PDF, which
    test_press and test_readers read); 2020-09 and 2020-12 without (no test reads a press PDF of
    theirs: it cost 0.3 CPU-s each). The build runs in the test process; under pytest-xdist
    (`make test`) the first worker to need an issue builds it while the others wait on a lock,
    then all read the same folder and log, so no issue is built twice."""
    made: dict[str, tuple[Path, str]] = {}
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each worker's own (popen-gw0, ...)

    def build(issue_id: str) -> tuple[Path, str]:
        if issue_id not in made:
            out, log = shared / f"built-{issue_id}", shared / f"built-{issue_id}.log"
            with open(shared / f"built-{issue_id}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed, or the worker dies
                if not log.exists():  # written last, once the build has succeeded
                    press = ("--press",) if issue_id in ISSUES else ()
                    result = build_here("pdf", str({**ISSUES, **MORE_ISSUES}[issue_id]), "-o", str(out), *press)
                    assert result.returncode == 0, result.stderr
                    log.write_text(result.stderr, encoding="utf-8")
            made[issue_id] = out, log.read_text(encoding="utf-8")
        return made[issue_id]

    return build


@pytest.fixture(scope="session")
def build_of(session_build):
    """The output folder of an issue (by id), built once per test session."""
    return lambda issue_id: session_build(issue_id)[0]


@pytest.fixture(scope="session")
def build_log(session_build):
    """What the session's build of an issue printed: its warnings and notes."""
    return lambda issue_id: session_build(issue_id)[1]


@pytest.fixture(scope="session")
def built(build_of) -> Path:
    """The PDFs of 2020-02 (the three reading PDFs and the press PDF), built once per test session."""
    return build_of("2020-02")


def small_issue_yaml(slugs: list[str], covers: int = 1, caption_words: int = 0) -> str:
    """The issue.yaml of a small issue of these articles, with `covers` cover photos (their
    captions longer by `caption_words` words)."""
    import yaml

    cover = [{"image": f"images/cover-{i + 1}.jpg",
              "caption": {"zh": f"封面照片 {i + 1} 的说明" + "，科研人员在实验室工作" * (caption_words // 4),
                          "en": f"The caption of cover photo {i + 1}." + " Researchers at work." * (caption_words // 3)}}
             for i in range(covers)]
    issue = {"id": "tiny", "title": {"zh": "中国科技通讯", "en": "CHINA S&T NEWSLETTER"},
             "number": {"zh": "2020 年第 9 期", "en": "No.9 2020"}, "date": "2020-09-01", "cover": cover,
             "articles": list(slugs)}
    return yaml.safe_dump(issue, allow_unicode=True)


def small_issue(folder: Path, files: dict[str, str], covers: int = 1, caption_words: int = 0,
                issue_yaml: str | None = None) -> Path:
    """An issue made in `folder` of these files (name -> text: `slug.lang.md` articles, in the
    order given, and anything else an issue folder holds), its cover photos taken from the sample
    issues; its issue.yaml small_issue_yaml's, or `issue_yaml`. The small issue that tests vary."""
    (folder / "images").mkdir(parents=True)
    photos = sorted((ISSUE / "images").glob("cover-*.jpg")) + sorted((SAMPLE / "images").glob("cover-*.jpg"))
    for i in range(covers):
        shutil.copy(photos[i], folder / "images" / f"cover-{i + 1}.jpg")
    slugs = list(dict.fromkeys(name.split(".")[0] for name in files if name.endswith(".md")))
    (folder / "issue.yaml").write_text(issue_yaml or small_issue_yaml(slugs, covers, caption_words), encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def project_cache() -> Path:
    """The cache folder the session's builds (build_here, in the test process) use."""
    return Path(os.environ.get("PRESS_CACHE_DIR") or ROOT / ".cache")


@pytest.fixture
def warm_cache(built, tmp_path) -> Path:
    """A cache folder of the test's own (what its builds add is seen by no other test), holding
    what the session's builds left in the project's cache: 2020-02's parts, font subsets and
    images among them, so that a build of it there sets only what the test changed. The cached
    files are hard links (press replaces a cache entry by renaming a new file over it, never by
    writing into it); the small indexes are copies."""
    source, target = project_cache(), tmp_path / "warm-cache"
    target.mkdir()
    for entry in source.iterdir():
        if entry.is_dir() and entry.name != "bench":  # bench/run.py's downloads: not a build's
            shutil.copytree(entry, target / entry.name, copy_function=os.link)
        elif entry.is_file():
            shutil.copy2(entry, target / entry.name)
    return target


@pytest.fixture
def issue_copy(tmp_path, built) -> Path:
    """A private copy of the issue to break. The session's build of 2020-02 is made first: its
    parts, in the project's cache, are then those of every unbroken article of the copy, which a
    build of the copy there reuses instead of setting them again."""
    target = tmp_path / "2020-02"
    shutil.copytree(ISSUE, target)
    return target


# The longest tests (5 to 60 s each on a quiet machine), longest first (pytest --durations, quiet
# machine, end of the last session). Handed out last, one of them would keep a worker busy after
# the others have run out of tests.
LONGEST_FIRST = ("test_notes_counted.py::test_a_paragraph_of_1000_links", "test_bench_smoke.py::",
                 "test_bench_browser.py::",
                 "test_relayout.py::test_an_edited_part_typeset_after_the_last_gives_the_pages_of_a_fresh_typesetting[2020-06]",
                 "test_reproducible.py::test_the_faster", "test_relayout.py::test_serve_warms",
                 "test_input_bounds.py::test_a_1_mb_article_is_checked_in_bounded_time[lines",
                 "test_resilience_speed.py::test_the_workers_end", "test_relayout.py::",
                 "test_readers.py::test_every_reader_draws_every_page_as_pdfium_does[2020-06.pdf]",
                 "test_notes_counted.py::test_300_chinese_links",
                 "test_proof_browser.py::test_the_preview_follows", "test_readers.py::test_every_reader",
                 "test_safety.py::test_a_build_killed", "test_press.py::test_press_preflight_names_a_low_resolution")

# Modules whose module-scoped fixtures build or read what no other module shares (an issue of
# their own, a browser, layouts read once a process), with their CPU-s in a whole run: each is
# kept whole on one worker. Split between two workers, the fixture is made on both (in the run of
# suite_table10.txt test_wide_figures built its three issues twice, 5.4 CPU-s), and its tests,
# taken out of their module's run, tear it down and make it again in the one process.
TOGETHER = {"test_resilience.py": 35, "test_composition.py": 28, "test_reading_view.py": 15, "test_wide_figures.py": 14,
            "test_markup_pdf.py": 8, "test_tagged.py": 6, "test_calls_and_tables.py": 3, "test_proof_pages.py": 3}


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`make test`): the longest tests dealt out among the workers, each at the
    start of its first share, then the modules of TOGETHER, each whole in one worker's first share
    (the workers' shares as even as their CPU-s make them), the rest as collected. pytest-xdist's
    load scheduling gives each worker first a run of consecutive tests (a quarter of its share),
    then more as it frees up, a run at a time from wherever the list has got to: the longest put
    one after the other would all fall to the first worker, and a module may be cut between two."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 0)  # set in each worker
    if workers < 2:
        return

    def module(item) -> str:
        return item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1]

    def rank(item) -> int:
        return next((i for i, name in enumerate(LONGEST_FIRST) if name in item.nodeid), len(LONGEST_FIRST))

    modules = {name: [item for item in items if module(item) == name] for name in TOGETHER}
    longest = sorted((item for item in items if rank(item) < len(LONGEST_FIRST)), key=rank)
    chunk = max(len(items) // workers // 4, 2)  # xdist.scheduler.load: LoadScheduling.schedule
    room = [chunk - -(-len(longest) // workers)] * workers  # what a first run holds beyond the longest
    kept, load = [[] for _ in range(workers)], [0] * workers
    for name in sorted(TOGETHER, key=TOGETHER.get, reverse=True):
        fits = [w for w in range(workers) if len(modules[name]) <= room[w]]
        if fits:  # else its tests go with the others
            w = min(fits, key=lambda w: load[w])
            kept[w] += modules[name]
            room[w] -= len(modules[name])
            load[w] += TOGETHER[name]
    whole = {id(item) for share in kept for item in share}
    longest = [item for item in longest if id(item) not in whole]
    rest = [item for item in items if rank(item) == len(LONGEST_FIRST) and id(item) not in whole]
    shares = [longest[w::workers] + kept[w] for w in range(workers)]
    ordered = []
    for share in shares:
        ordered += share + rest[:max(chunk - len(share), 0)]
        rest = rest[max(chunk - len(share), 0):]
    items[:] = ordered + rest


def pytest_addoption(parser):
    parser.addoption("--update-baselines", action="store_true", default=False,
                     help="approve the current pages of the built PDFs as the visual baselines")


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (its own browser download cannot be had here)."""
    from playwright.sync_api import sync_playwright

    # A failure, not a skip: tools/setup.sh installs Chromium, and a skipped browser test reads as
    # a passed one in a summary nobody scrolls up.
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is not at {CHROMIUM}: run 'bash tools/setup.sh', which installs it")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


def _cpu_seconds() -> float:
    """CPU time of this process and everything under it: what it ran and waited for, and its live
    descendants (typesetting workers, serve, browsers) with what they waited for."""
    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:4])
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += sum(child.cpu_times()[:4])
    return total


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """With PRESS_TEST_CPU=FILE, each test's CPU seconds (set-up, call and tear-down, the session's
    builds counted to the first test that asks for them) are appended to FILE as JSON lines: on a
    machine shared with other work, CPU time moves far less than wall time."""
    path = os.environ.get("PRESS_TEST_CPU")
    if not path:
        yield
        return
    import json
    import time

    cpu, wall, start = _cpu_seconds(), time.perf_counter(), time.time()
    yield
    # The worker and start time too: where each worker idled (the run's tail) is read from them.
    record = {"test": item.nodeid, "cpu": round(_cpu_seconds() - cpu, 3), "wall": round(time.perf_counter() - wall, 3),
              "worker": os.environ.get("PYTEST_XDIST_WORKER", ""), "start": round(start, 3)}
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


@pytest.fixture(scope="session")
def run_script(fork_server):
    """A Python script of the project (a file, run as `python FILE ARGS` runs it) or code (as
    `python -c CODE ARGS`), in a process of its own forked from the fork server's, whose imports
    are done (0.5 CPU-s of each new interpreter, measured): for checks that must leave nothing in the
    test process (fontconfig pointed at the project's fonts, counters patched into press), not for
    a process to kill or signal. The script's own folder leads sys.path, as with `python FILE`."""

    def run(script: Path | str, *args: str, cwd: Path = ROOT, env: dict | None = None,
            seconds: int = 900) -> subprocess.CompletedProcess:
        if isinstance(script, Path):
            code = (f"import runpy, sys\nsys.path.insert(0, {str(script.parent)!r})\nsys.argv[0] = {str(script)!r}\n"
                    f"runpy.run_path({str(script)!r}, run_name='__main__')\n")
        else:
            code = script
        result, _ = fork_server.run(args, cwd=cwd, env=env, code=code, seconds=seconds)
        return result

    return run


@pytest.fixture(scope="session", autouse=True)
def _scratch(tmp_path_factory):
    """WeasyPrint copies a typesetter's faces into a temporary folder of its own (2 MB), removed only
    when its font configuration is collected, which the end of a process that typesets in place (a
    test's, the fork server's children) never does: every run of the suite left them in /tmp. This
    process's and every process it starts put theirs in pytest's own temporary folder, which pytest
    prunes (three runs kept). The command line's builds clean up after themselves."""
    scratch = str(tmp_path_factory.mktemp("scratch"))
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = tempfile.tempdir = scratch
    yield
    tempfile.tempdir = None
    if before is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = before
