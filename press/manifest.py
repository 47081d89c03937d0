"""Reuse the outputs of a build whose inputs have not changed.

Everything a build reads is fingerprinted: the issue folder, templates,
styles, fonts, the pipeline's own code, the installed Python packages and
the system's Pango and HarfBuzz (which break and shape the lines), and the
options that change the output. The fingerprint and the hashes of
the written files go into the output folder; when both still match, the
build is done without loading a single stage. Only the standard library
and PyYAML are used here, so that this answer costs milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from functools import lru_cache
from pathlib import Path
from stat import S_ISLNK, S_ISREG

from .project import CJK_DIR, CODE, output_dir

MANIFEST = ".press-build.json"


def fingerprint(groups: list[tuple[Path, list[Path]]], options: object, roots: list[Path],
                digests: Path | None = None, known: dict | None = None, libraries: Path | None = None) -> str:
    """The hash of the options, the environment and each group's files (named relative to the
    group's folder). Only what the build itself reads is given here (see `issue_files`), and only
    regular files inside `roots` are read: a link out of them, a pipe, a device or a file of /proc
    is fingerprinted by its name and kind alone (the build that meets it says what is wrong).
    A file that cannot be read is an error line, all of them at once. `digests`: a file where the
    digests of the files read are kept from one run to the next (see file_digest); `known`: the
    session's digests (press.session), which it adds to; `libraries`: a file where the versions of
    Pango and HarfBuzz are kept from one run to the next (see library_versions)."""
    known = {} if known is None else known
    kept = _load_digests(digests, known) if digests is not None else []
    real_roots = [Path(os.path.realpath(root)) for root in roots]
    digest = hashlib.sha256(repr(options).encode())
    digest.update(environment(library_versions(libraries)))
    problems, used, folders = [], set(), {}
    for folder, files in groups:
        prefix = os.path.join(str(folder), "")
        for path in files:
            name = str(path)  # relative to the folder: its files are named from it (relpath asks the cwd twice)
            name = name[len(prefix):] if name.startswith(prefix) else os.path.relpath(path, folder)
            digest.update(f"{name}\0".encode())
            try:
                digest.update(content_digest(path, real_roots, used, folders, known))
            except OSError as exc:
                problems.append((path, f"cannot be read: {exc.strerror or exc}"))
    if problems:
        from .errors import PressError, error

        raise PressError([error(path, None, message, code="file.unreadable") for path, message in problems])
    for key in known.keys() - used:  # an edited source's older versions: serve's session keeps one build's worth
        del known[key]
    if digests is not None:
        _save_digests(digests, used, known, kept)
    return digest.hexdigest()


def stamp(issue_dir: Path, templates_dir: Path, styles_dir: Path, fonts_dir: Path, fonts: list[Path], cache_dir: Path,
          options: tuple, press_profile: Path | None = None, known: dict | None = None) -> str:
    """The fingerprint of a build: the issue's sources and images, templates, styles, fonts (`fonts`,
    the faces of fonts_dir), code, installed packages and libraries (environment), `options`, and the
    printing condition's profile of a press build, wherever PRESS_ICC_PROFILE puts it. Only the files
    a build reads are read, and no link is followed out of the issue folder or the project folder (the
    fonts' own folder, fonts/cjk, may be a link elsewhere: the build reads it). `known`: as for
    fingerprint."""
    project = Path(templates_dir).parent
    groups = [(issue_dir, issue_files(issue_dir))]
    groups += [(folder, walk(folder, [project])) for folder in (templates_dir, styles_dir)]
    groups += [(fonts_dir, fonts), (CODE, walk(CODE, [CODE]))]
    roots = [issue_dir, project, Path(fonts_dir) / CJK_DIR, CODE]
    if press_profile is not None:
        groups.append((press_profile.parent, [press_profile]))
        roots.append(press_profile.parent)
    cache = Path(cache_dir)
    return fingerprint(groups, options, roots, cache / "digests.json", known, cache / "libraries.json")


def options(strict: bool, source_date, press: bool) -> tuple:
    """The options that change the PDFs, as the fingerprint holds them: --strict (a warning fails the
    build), SOURCE_DATE_EPOCH's day (a datetime.date, or None), --press."""
    return strict, source_date, press


def recorded(issue_dir: Path, out_dir: Path | None, cache_dir: Path, stamp: str) -> tuple[str, Path, dict] | None:
    """The issue's id, its output folder (`out_dir`, else build/<issue-id>/) and the record of its last
    build, when that build was made from the inputs `stamp` names and its outputs are untouched."""
    found = issue_id(issue_dir, Path(cache_dir) / "issue-ids.json")
    if found is None:
        return None
    folder = output_dir(out_dir, found)
    previous = reuse(folder, stamp)
    return (found, folder, previous) if previous else None


def content_digest(path: Path, roots: list[Path], used: set | None = None, folders: dict | None = None,
                   known: dict | None = None) -> bytes:
    """The file's digest, or what stands for a path that is not read: a link out of `roots`
    (given resolved), something that is not a regular file, nothing at all. Raises OSError
    for a file that is there but cannot be read. `folders`: real paths of folders already
    resolved, kept by the caller for the files of one run (resolving each file's whole path
    was most of a warm build's fingerprint)."""
    path = Path(path)
    try:
        own = os.lstat(path)
    except PermissionError:
        raise
    except OSError as exc:  # nothing there, a name too long: the build says so where it reads it
        return f"missing {exc.errno}".encode()
    # Paths compared as text (a Path made and compared for each file was half of a warm build's
    # fingerprint): `roots` are resolved, and so is the target.
    if S_ISLNK(own.st_mode):
        target = os.path.realpath(path)
    else:
        folders = {} if folders is None else folders
        parent = os.path.dirname(path)
        if parent not in folders:
            folders[parent] = os.path.realpath(parent)
        target = os.path.join(folders[parent], path.name)
    if not _inside(target, roots):
        return b"outside"
    try:
        return file_digest(path, used, known)
    except NotAFile:
        return b"not a file"
    except PermissionError:
        raise
    except OSError as exc:  # a loop of links, a name too long: the build says so, in its words
        return f"unreadable {exc.errno}".encode()


def _inside(real: str, roots: list) -> bool:
    """Whether a resolved path is one of `roots` (resolved) or under one."""
    for root in map(str, roots):
        if real == root or real.startswith(root if root.endswith(os.sep) else root + os.sep):
            return True
    return False


def issue_files(issue_dir: Path) -> list[Path]:
    """The files of an issue folder that a build reads: issue.yaml, the articles (<slug>.zh.md,
    <slug>.en.md), translation records and lists of accepted warnings at its top (the build's
    warnings depend on them), images anywhere in it (press/preflight.py's suffixes). Anything
    else an editor keeps there (notes, a video, a link to /proc) is not read. Folders are
    entered through links only when they lead inside the issue folder."""
    issue_dir = Path(issue_dir)
    top = [p for p in _entries(issue_dir) if p.name == "issue.yaml"
           or p.name.endswith((".zh.md", ".en.md", ".translation.yaml", ".accepted.yaml"))]
    images = [p for p in walk(issue_dir, [issue_dir]) if p.suffix.lower() in IMAGE_SUFFIXES]
    return sorted(set(top) | set(images), key=str)


# press/preflight.py's, which loads too much (Pillow, the Markdown stage) for a warm build to import it.
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff"}


def walk(folder: Path, roots: list[Path]) -> list[Path]:
    """Every path under `folder` that is not a folder, in order. Links to folders are entered only
    when they lead inside `roots` (each real folder once: a loop of links ends)."""
    real_roots = [os.path.realpath(root) for root in roots]
    found, seen, todo = [], set(), [Path(folder)]
    while todo:
        current = todo.pop()
        real = os.path.realpath(current)
        if real in seen or not _inside(real, real_roots):
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)  # each folder in the same order
        except OSError:  # not a folder, or not one we may list: the build says so where it reads it
            continue
        for entry in entries:
            if entry.name == "__pycache__":
                continue
            try:
                is_dir = entry.is_dir()  # follows a link: where it leads is checked when entered
            except OSError:
                is_dir = False
            (todo if is_dir else found).append(current / entry.name)
    return sorted(found, key=str)  # as text: Path's own order compares lists of parts, three times slower


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(Path(folder).iterdir())
    except OSError:  # not a folder, or not one we may list: the build says so where it reads it
        return []


@lru_cache(maxsize=1)
def environment(libraries: tuple[str, ...] | None = None) -> bytes:
    """What the pages depend on besides press's own files: the installed Python packages and
    the Pango and HarfBuzz that WeasyPrint loads, by version (`libraries`, as library_versions
    gives them; else asked of the libraries themselves).

    The packages are named by their installed metadata folders (name-version.dist-info), which
    is what importlib.metadata reads, without its cost (50-100 ms to import and scan, where a
    warm build takes 120 ms)."""
    installed = set()
    for folder in sys.path:
        try:
            installed.update(n for n in os.listdir(folder or ".") if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return "\n".join(sorted(installed) + list(libraries or _loaded_versions()[0])).encode()


PANGO = ("libpango-1.0.so.0", "libpango-1.0.dylib", "libpango-1.0-0.dll")
HARFBUZZ = ("libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll")
LINKER_CACHE = Path("/etc/ld.so.cache")  # where the dynamic linker of Linux finds a library by name


def library_versions(record: Path | None = None) -> tuple[str, ...]:
    """The versions of Pango and HarfBuzz, asked through the very library names WeasyPrint's ffi
    loads (weasyprint/text/ffi.py): the dynamic linker gives the same library to both.

    Loading them takes 10 ms, a tenth of a warm build: `record` keeps the versions with what the
    linker found them from (its cache, the library files it loaded, the variables that steer it),
    and while none of that changed they are read from it. An upgrade of either replaces its file
    and runs ldconfig, which rewrites the linker's cache: asked again."""
    if record is None:
        return _loaded_versions()[0]
    try:
        kept = json.loads(Path(record).read_text(encoding="utf-8"))
        versions = kept["versions"]
        unchanged = kept["linker"] == _linker_state() and len(kept["files"]) == 2 \
            and all(kept["files"][path] == _state(path) for path in kept["files"])
        whole = isinstance(versions, list) and len(versions) == 2 and all(isinstance(v, str) for v in versions)
        if unchanged and whole:
            return tuple(versions)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # none yet, outdated or damaged: asked again
    versions, files = _loaded_versions()
    if files:  # found where they were loaded from: kept
        from .errors import PressError
        from .output import write_atomically

        data = {"linker": _linker_state(), "files": {path: _state(path) for path in files}, "versions": versions}
        try:
            write_atomically(record, json.dumps(data), durable=False)
        except PressError:  # only a speed-up
            pass
    return versions


def _loaded_versions() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The libraries' versions, and the files they were loaded from (none when that cannot be told).
    Asked again, a library already loaded answers in microseconds: dlopen only counts it again."""
    found = [_library_version(PANGO, "pango_version_string"), _library_version(HARFBUZZ, "hb_version_string")]
    versions, files = tuple(version for version, _ in found), tuple(file for _, file in found)
    return versions, files if all(files) else ()


def _linker_state() -> list:
    return [os.environ.get("LD_LIBRARY_PATH", ""), os.environ.get("LD_PRELOAD", ""), _state(str(LINKER_CACHE))]


def _state(path: str) -> list | None:
    try:
        return file_state(os.stat(path))
    except OSError:
        return None


def _library_version(names: tuple[str, ...], function: str) -> tuple[str, str | None]:
    """The version, and the file the dynamic linker loaded the library from (dladdr: as it named it)."""
    import ctypes

    for name in names:
        try:
            version = getattr(ctypes.CDLL(name), function)
        except (OSError, AttributeError):
            continue
        version.restype = ctypes.c_char_p
        return f"{name} {version().decode()}", _file_of(ctypes, version)
    return f"{names[0]} missing", None  # the typesetter will say so when it loads


def _file_of(ctypes, function) -> str | None:
    class DlInfo(ctypes.Structure):
        _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                    ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]

    try:
        dladdr = ctypes.CDLL(None).dladdr
    except (OSError, AttributeError):  # no dladdr (Windows)
        return None
    dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(DlInfo)]
    info = DlInfo()
    if not dladdr(ctypes.cast(function, ctypes.c_void_p), ctypes.byref(info)) or not info.dli_fname:
        return None
    return os.path.abspath(os.fsdecode(info.dli_fname))


class NotAFile(OSError):
    """A pipe, socket or device where a file was expected: never opened for reading."""


def file_digest(path: Path, used: set | None = None, known: dict | None = None) -> bytes:
    """The SHA-256 of a regular file's bytes. A file is read again only when its inode, size,
    modification or change time differ from the last time it was read into `known` (the session's
    digests, press.session): within a process that stays up (serve), and across runs through the
    file fingerprint() keeps in the cache folder. Only a file that had not changed for SETTLED_NS
    when it was read is remembered: any later write gives it a newer change time (which nothing
    can set back), where a write within the same tick of the clock as the one before (an editor
    saving twice in a second, the same length) could leave all four as they were. Reading the
    sources and code again was a third of a warm build's fingerprint.

    Anything but a regular file is never opened; the file is opened without waiting (a pipe
    swapped in meanwhile would block the open) and must still be a regular file once open."""
    stat = os.stat(path)
    if not S_ISREG(stat.st_mode):
        raise NotAFile(f"{path} is not a regular file")
    key = (str(path), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    known = {} if known is None else known
    if key in known:
        if used is not None:
            used.add(key)
        return known[key]  # not even opened
    read_at = time.time_ns()
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with open(fd, "rb") as f:
        stat = os.fstat(fd)
        if not S_ISREG(stat.st_mode):
            raise NotAFile(f"{path} is not a regular file")
        # In pieces when large: a video need not fit in memory.
        digest = hashlib.sha256(f.read()).digest() if stat.st_size < LARGE_FILE \
            else hashlib.file_digest(f, "sha256").digest()
    if stat.st_ctime_ns < read_at - SETTLED_NS:
        key = (str(path), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
        known[key] = digest
        if used is not None:
            used.add(key)
    return digest


def _load_digests(path: Path, known: dict) -> list:
    """The entries kept in `path` (as _save_digests wrote them), added to `known`."""
    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))
        for entry in entries:
            key, digest = tuple(entry[:-1]), bytes.fromhex(entry[-1])
            known.setdefault(key, digest)
        return entries
    except (OSError, ValueError, TypeError):  # none yet, or damaged: the files are read again
        return []


def _save_digests(path: Path, used: set, known: dict, kept: list) -> None:
    """Keep the digests of the files this fingerprint read, and no others (`kept`: what the file
    holds now): the file stays as small as the project's files are few."""
    entries = sorted([*key, known[key].hex()] for key in used)
    if entries == kept:
        return
    from .errors import PressError
    from .output import write_atomically

    try:
        write_atomically(path, json.dumps(entries), durable=False)
    except PressError:  # only a speed-up: the next run reads the files again
        pass


# A file is remembered by its stat once unchanged this long before it was read: more than the
# tick of any file system's clock (FAT's is 2 s).
SETTLED_NS = 3 * 10**9
LARGE_FILE = 256 * 1024


def issue_id(issue_dir: Path, known: Path | None = None) -> str | None:
    """The id of issue.yaml, or None when it cannot be read: the full build will say why.
    `known`: a file in the cache folder that remembers the id of each issue.yaml read before,
    by its bytes' digest, so that a warm build need not load YAML (a third of its time). Each
    id is kept with a digest of itself and its key: a damaged one would name the output and
    baseline folders after another issue (diff compared with its baselines), and is read again."""
    try:
        path = Path(issue_dir) / "issue.yaml"
        if not path.is_file() or path.stat().st_size > 100_000:  # a pipe would be waited on forever
            return None
        raw = path.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(raw).hexdigest()
    ids = _known_ids(known)
    if digest in ids:
        return ids[digest]
    import yaml

    from .issue import load_yaml  # loaded by every build that gets this far

    try:
        data = load_yaml(raw.decode("utf-8"))
    except (ValueError, RecursionError, yaml.YAMLError):
        return None
    found = str(data["id"]) if isinstance(data, dict) and data.get("id") else None
    if found is not None and known is not None:
        from .errors import PressError
        from .output import write_atomically

        ids = dict(list(ids.items())[-(KNOWN_IDS - 1):]) | {digest: found}
        try:
            write_atomically(known, json.dumps({key: [value, _id_check(key, value)] for key, value in ids.items()}),
                             durable=False)
        except PressError:  # only a speed-up
            pass
    return found


KNOWN_IDS = 32  # issue.yaml versions remembered
BUILT = "built.json"  # in the cache folder: the stamps of the last builds made with it
KNOWN_BUILDS = 32


def built_before(cache_dir: Path, stamp: str) -> bool:
    """Whether a build of the inputs `stamp` names was made with this cache folder (its outputs since
    deleted, or written to another folder): its parts are in the cache then, unless removed since.
    Only a guess of the work ahead (press.pipeline: whether to let a worker import WeasyPrint early),
    so a damaged record is as none."""
    try:
        return stamp in json.loads((Path(cache_dir) / BUILT).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return False


def remember_built(cache_dir: Path, stamp: str) -> None:
    path = Path(cache_dir) / BUILT
    try:
        stamps = [s for s in json.loads(path.read_text(encoding="utf-8")) if isinstance(s, str) and s != stamp]
    except (OSError, ValueError, TypeError):
        stamps = []
    from .errors import PressError
    from .output import write_atomically

    try:
        write_atomically(path, json.dumps(stamps[-(KNOWN_BUILDS - 1):] + [stamp]), durable=False)
    except PressError:  # only a guess
        pass


def _known_ids(known: Path | None) -> dict[str, str]:
    """The remembered ids whose check holds: one that does not (damaged) is as if never read."""
    if known is None:
        return {}
    try:
        ids = json.loads(Path(known).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(ids, dict):
        return {}
    return {key: entry[0] for key, entry in ids.items()
            if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
            and entry[1] == _id_check(key, entry[0])}


def _id_check(key: str, issue_id: str) -> str:
    return hashlib.sha256(f"{key}\0{issue_id}".encode()).hexdigest()


def reuse(out_dir: Path, stamp: str) -> dict | None:
    """The recorded build in out_dir, if it was made from these inputs and its files are untouched.
    The record's own check must hold too: the warnings it says again, the first pages and page
    keys the proof uses come from it, and a damaged one would be said or used as it reads.

    A file whose inode, size and times are those recorded just after it was written is untouched
    (any write sets its change time, which nothing can set back) and is not read: hashing the
    three PDFs again was a tenth of a warm build. One changed in the same tick of the clock as the
    record was written (its change time not older than the record's) is read all the same."""
    try:
        path = Path(out_dir) / MANIFEST
        with open(path, encoding="utf-8") as f:
            recorded_at = os.fstat(f.fileno()).st_mtime_ns
            record = json.loads(f.read())
        if record["fingerprint"] != stamp or record.pop("check") != _record_check(record):
            return None
        states = record.get("states", {})
        for name, digest in record["outputs"].items():
            state = os.stat(Path(out_dir) / name)
            if states.get(name) == file_state(state) and state.st_ctime_ns < recorded_at:
                continue
            if hashlib.sha256((Path(out_dir) / name).read_bytes()).hexdigest() != digest:
                return None
        return record
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record(out_dir: Path, stamp: str, outputs: dict[str, str], warnings: list[list], first_pages: dict[str, int],
           page_keys: list[str], block_pages: dict[str, list] | None = None) -> None:
    """`outputs`: the SHA-256 (hex) of each file written, by name, in the order written;
    `block_pages`: each article's [source line, printed page] pairs (the proof's reading view)."""
    try:
        states = {name: file_state(os.stat(Path(out_dir) / name)) for name in outputs}
    except OSError:  # gone already: the next build is a full one
        return
    data = {
        "fingerprint": stamp,
        "outputs": outputs,
        "states": states,
        "warnings": warnings,
        "first_pages": first_pages,
        "page_keys": page_keys,
        "block_pages": block_pages or {},
    }
    data["check"] = _record_check(data)
    from .errors import PressError
    from .output import write_atomically

    try:
        write_atomically(Path(out_dir) / MANIFEST, json.dumps(data, ensure_ascii=False, indent=1), durable=False)
    except PressError:  # only a speed-up: the next build is a full one
        pass


def file_state(stat: os.stat_result) -> list[int]:
    """What any write to a file changes (its change time, which nothing can set back), and which file it is."""
    return [stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]


def _record_check(data: dict) -> str:
    """The digest of the record as it reads back from JSON (its numbers as keys become text)."""
    read_back = json.loads(json.dumps(data, ensure_ascii=False))
    return hashlib.sha256(json.dumps(read_back, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
