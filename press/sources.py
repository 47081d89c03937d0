"""What a path of the issue folder is, before anything reads it.

An editor's folder can hold anything: a folder where an article should be,
a link to nothing, a link to itself, a named pipe (reading one waits
forever), a name too long for the file system. Each is said in words, at
the file, instead of a traceback, a hang or a file silently left out.
"""

from __future__ import annotations

import errno
import os
import stat
import unicodedata
from pathlib import Path


def exists(path: Path) -> bool:
    """Anything at all at `path`, a broken link included."""
    try:
        os.lstat(path)
        return True
    except OSError as exc:
        return exc.errno not in (errno.ENOENT, errno.ENOTDIR)


def problem(path: Path, root: Path) -> str | None:
    """Why `path` cannot be read as a file of the folder `root`, or None when it can.
    Said so that it follows the file's name: "… is a folder, not a file"."""
    path = Path(path)
    try:
        # Where the path leads, as far as it leads anywhere: outside is said first, found or not.
        target = path.resolve()
        own = os.lstat(path)
    except RuntimeError:  # Python 3.11 reports a link loop so
        return "is a link that leads back to itself"
    except OSError as exc:
        return "is outside the issue folder" if not _inside(path, root) else _os_problem(exc)
    if not target.is_relative_to(Path(root).resolve()):
        return "is a link to a file outside the issue folder" if stat.S_ISLNK(own.st_mode) \
            else "is outside the issue folder"
    try:
        mode = os.stat(target).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a link that leads back to itself"
        if exc.errno in (errno.ENOENT, errno.ENOTDIR) and stat.S_ISLNK(own.st_mode):
            return f"is a link to nothing: '{os.readlink(path)}' does not exist"
        return _os_problem(exc)
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(mode):
        return "is not a file but a pipe, socket or device"
    return None


def as_written(folder: Path, relative: str) -> Path:
    """`folder / relative`, each name of it that is not there as written matched to the one
    entry of its folder whose name reads the same in NFC. The sources are read as NFC text
    (press/issue.py), while a file copied from macOS may keep its name decomposed (e + U+0301):
    the editor wrote the name the folder shows. Without such an entry, the path as written."""
    path = Path(folder)
    for name in Path(relative).parts:
        if not exists(path / name) and name not in ("..", "."):
            try:
                alike = [entry for entry in os.listdir(path)
                         if unicodedata.normalize("NFC", entry) == unicodedata.normalize("NFC", name)]
            except OSError:
                alike = []
            if len(alike) == 1:
                name = alike[0]
        path = path / name
    return path


def folder_problem(path: Path) -> str | None:
    """Why `path` cannot be an issue folder, or None."""
    try:
        if Path(path).is_dir():
            return None
    except OSError as exc:  # a name too long, say
        return _os_problem(exc)
    return "is not a folder: name the issue folder, which holds issue.yaml" if exists(path) else "no such issue folder"


def _inside(path: Path, root: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(root))


def _os_problem(exc: OSError) -> str:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "not found"
    if exc.errno == errno.ENAMETOOLONG:
        return "has a name too long for the file system"
    return f"cannot be read: {exc.strerror or exc}"
