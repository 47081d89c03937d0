"""Write outputs so that a reader never sees half a file.

Each file goes to a temporary name in the same folder and is renamed
over the old one only when all of it is on disk; a build that fails
before this point leaves earlier outputs untouched.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_outputs(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write every output only once all of them exist in memory."""
    return [write_atomically(Path(out_dir) / name, data) for name, data in files.items()]
