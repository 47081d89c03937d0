"""Write files so that a reader never sees half a file: the one way press writes.

Each file goes to a temporary name in the same folder and is renamed over
the old one only when all of it is on disk; a build that fails before this
point leaves earlier outputs untouched, and two builds at once never read
half a cached font or part. Outputs (the PDFs) are also synced to the disk
before the rename; caches and the proof are not (a cache entry lost to a
crash is made again, and syncing each would cost a rebuild milliseconds).
A file that cannot be written (a full disk, a folder in its way) is a
problem with its path, never a traceback.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

from .errors import PressError

_SERIAL = itertools.count()


def check_folder(folder: Path, hint: str = "name another output folder with -o") -> None:
    """Raise if `folder` cannot be an output folder: it, or a folder above it, is a file."""
    folder = Path(folder)
    for step in (folder, *folder.parents):
        try:
            present = step.exists() or step.is_symlink()
        except OSError as exc:  # a name too long for the file system, a loop of links
            raise PressError.at(folder, None, f"cannot make the output folder: {exc.strerror or exc}", code="output.folder") from None
        if present:
            if not step.is_dir():
                what = "a link to nothing" if step.is_symlink() and not step.exists() else "a file"
                raise PressError.at(step, None, f"is {what}, not a folder: the output cannot be written there ({hint})", code="output.folder")
            return


def make_folder(folder: Path) -> Path:
    check_folder(folder)
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PressError.at(folder, None, f"cannot make the output folder: {exc.strerror or exc}", code="output.folder") from None
    return Path(folder)


def write_atomically(path: Path, data: bytes | str, durable: bool = True) -> Path:
    """Write bytes (or text, as UTF-8); `durable`: synced to the disk before it is renamed."""
    content = data.encode() if isinstance(data, str) else data

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            f.write(content)
            if durable:
                f.flush()
                os.fsync(f.fileno())

    return replace_atomically(path, write)


def replace_atomically(path: Path, make: Callable[[Path], None]) -> Path:
    """Make `path` anew: `make` writes a temporary name beside it (a file, a symlink), which
    then replaces `path` in one rename. A temporary name that failed is removed."""
    path = Path(path)
    make_folder(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.{next(_SERIAL)}.tmp")
    try:
        make(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise PressError.at(path, None, f"cannot be written: {exc.strerror or exc}", code="output.write") from None
    except BaseException:
        _discard(tmp)
        raise
    if os.path.lexists(tmp):
        # Renamed onto a hard link of the same file, a name is left as it was (rename(2) does
        # nothing then): the proof's links to PDFs that did not change.
        _discard(tmp)
    return path


def sweep_temporaries(folder: Path) -> None:
    """Remove the temporary names that a process killed while writing left in `folder` (the proof
    folder, which `serve` writes again and again): those of processes that no longer run."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        match = _TEMPORARY.fullmatch(name)
        if match and not _running(int(match.group(1))):
            _discard(Path(folder) / name)


_TEMPORARY = re.compile(r"\..+\.(\d+)\.\d+\.\d+\.tmp")  # as replace_atomically names them


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's: running
        return True
    return True


def _discard(tmp: Path) -> None:
    try:
        tmp.unlink(missing_ok=True)
    except OSError:  # a read-only file system refuses even this, and nothing was made there to remove
        pass
