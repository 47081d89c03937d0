"""The build's caches on disk (the project's .cache/, or PRESS_CACHE_DIR): entries that cannot lie.

Every entry (a typeset part, a font subset, a print-size image) is stored with the SHA-256
of the key it was stored under and of its own content, and both are checked when it is
read. An entry that fails (a flipped byte, cut short, another key's entry copied over it,
a folder in its place) is treated as missing: it is made again, written over, and said
as a note, never used. A file where a cache folder should be is replaced by the folder
(PRESS_CACHE_DIR naming a file is an error of the configuration, press/config.py).
The cache is press's own: nothing else is expected to write there.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .errors import Problem, note
from .output import make_folder, write_atomically

# Changed when the layout of an entry changes: an entry of another layout is then damaged, not misread.
MAGIC = b"press cache entry 1\n"
_DIGEST = 32


class Cache:
    """One cache folder and what was found wrong in it while this object was used (`notes`)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.notes: list[Problem] = []

    def read(self, folder: str, name: str, key: str) -> bytes | None:
        """The content stored under `key`, or None if there is none or it is damaged."""
        path = self.root / folder / name
        try:
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None  # never made (or its folder is a file: replaced when the entry is written)
        except OSError as exc:  # a folder in its place, unreadable
            self._damaged(path, f"cannot be read: {exc.strerror or exc}")
            return None
        head = len(MAGIC) + 2 * _DIGEST
        if not data.startswith(MAGIC) or len(data) < head:
            self._damaged(path, "not one of press, or cut short")
            return None
        key_digest, content_digest = data[len(MAGIC):len(MAGIC) + _DIGEST], data[len(MAGIC) + _DIGEST:head]
        content = data[head:]
        if key_digest != _sha(key.encode()):
            self._damaged(path, "holds the entry of another key")
        elif content_digest != _sha(content):
            self._damaged(path, "its content does not match its digest")
        else:
            return content
        return None

    def write(self, folder: str, name: str, key: str, content: bytes) -> Path:
        path = self.folder(folder) / name
        if path.is_dir() and not path.is_symlink():
            import shutil

            shutil.rmtree(path, ignore_errors=True)  # read() has said so already
        # Not synced: an entry lost to a crash is made again, and a half-written one fails its digest.
        return write_atomically(path, MAGIC + _sha(key.encode()) + _sha(content) + content, durable=False)

    def folder(self, name: str) -> Path:
        """The cache's folder `name`, made if need be; a file (or a link to nothing) in its place, or
        in the cache's own, is replaced."""
        replace_non_folder(self.root, self.notes)
        return replace_non_folder(self.root / name, self.notes)

    def _damaged(self, path: Path, why: str) -> None:
        self.notes.append(note(path, None, f"damaged cache entry ({why}): not used, made again", code="cache.damaged"))


def replace_non_folder(folder: Path, notes: list[Problem] | None = None) -> Path:
    """Make `folder`; a file or a link where it should be is removed first (and said in `notes`).
    Two processes may do this at once: whichever removes the file, both find the folder."""
    folder = Path(folder)
    if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
        try:
            folder.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass  # make_folder says why the folder cannot be made
        else:
            if notes is not None:
                notes.append(note(folder, None, "cache folder was a file: replaced by an empty folder", code="cache.replaced"))
    return make_folder(folder)


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


FONTCONFIG_RECORD = "press-digests"  # beside fontconfig's own cache files: what press found them to hold


def check_fontconfig_cache(conf_dir: Path, conf: Path, font_dirs: list[Path]) -> list[Problem]:
    """fontconfig's cache of the fallback face and fonts/extra, made by press and then checked
    against the digests press recorded, as press's own entries are. fontconfig itself checks
    only a header and the folders' times: a flipped byte inside would be used. Anything that does
    not match (or a face added, which fontconfig would write over) is deleted and made again
    with fc-cache. Without fc-cache, fontconfig makes the files itself and nothing is recorded.
    Returns a note for each file that differs from the record while the fonts have not changed:
    damaged, as a damaged entry of press's own is said."""
    record = conf_dir / FONTCONFIG_RECORD
    state = "".join(f"dir {folder} {_mtime(folder)}\n" for folder in font_dirs)
    found = state + "".join(f"{path.name} {_sha(path.read_bytes()).hex()}\n"
                            for path in sorted(conf_dir.glob("*.cache-*")) if path.is_file())
    try:
        recorded = record.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        recorded = ""
    if recorded == found:
        return []
    # Loaded here, as a warm build (press.fonts imports this module) never gets this far.
    import shutil
    import subprocess

    notes = []
    if recorded.startswith(state):  # the same fonts: what differs was damaged, not outdated
        for line in recorded[len(state):].splitlines():
            name, _, digest = line.partition(" ")
            path = conf_dir / name
            if f"{name} {digest}\n" not in found and (path.exists() or path.is_symlink()):  # gone is no damage
                why = "its content does not match its digest" if path.is_file() else "not a file"
                notes.append(note(path, None, f"damaged cache entry ({why}): not used, made again",
                                  code="cache.damaged"))
    for path in conf_dir.glob("*.cache-*"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    fc_cache = shutil.which("fc-cache")
    if fc_cache is None:
        record.unlink(missing_ok=True)
        return notes
    made = subprocess.run([fc_cache], env={**os.environ, "FONTCONFIG_FILE": str(conf)}, capture_output=True)
    if made.returncode == 0:
        write_atomically(record, state + "".join(f"{path.name} {_sha(path.read_bytes()).hex()}\n"
                                                 for path in sorted(conf_dir.glob("*.cache-*")) if path.is_file()),
                         durable=False)
    return notes


def _mtime(folder: Path) -> int:
    try:
        return folder.stat().st_mtime_ns
    except OSError:
        return 0
