"""Write outputs so that a reader never sees half a file.

Each file goes to a temporary name in the same folder and is renamed
over the old one only when all of it is on disk; a build that fails
before this point leaves earlier outputs untouched.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import PressError


def check_folder(folder: Path, hint: str = "name another output folder with -o") -> None:
    """Raise if `folder` cannot be an output folder: it, or a folder above it, is a file."""
    folder = Path(folder)
    for step in (folder, *folder.parents):
        if step.exists() or step.is_symlink():
            if not step.is_dir():
                what = "a link to nothing" if step.is_symlink() and not step.exists() else "a file"
                raise PressError.at(step, None, f"is {what}, not a folder: the output cannot be written there ({hint})")
            return


def make_folder(folder: Path) -> Path:
    check_folder(folder)
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PressError.at(folder, None, f"cannot make the output folder: {exc.strerror or exc}") from None
    return Path(folder)


def write_atomically(path: Path, data: bytes) -> Path:
    path = Path(path)
    make_folder(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        # A full disk, or a folder where the file should go: said as a problem, not a traceback.
        raise PressError.at(path, None, f"cannot be written: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_outputs(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write every output only once all of them exist in memory, and none where a folder
    stands in the way of one: the others would be new and that one old."""
    for name in files:
        if (Path(out_dir) / name).is_dir():
            raise PressError.at(Path(out_dir) / name, None, "is a folder: the output cannot be written there")
    return [write_atomically(Path(out_dir) / name, data) for name, data in files.items()]
