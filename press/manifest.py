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
from functools import lru_cache
from pathlib import Path

MANIFEST = ".press-build.json"
CODE = Path(__file__).resolve().parent


def fingerprint(folders: list[Path], options: object) -> str:
    digest = hashlib.sha256(repr(options).encode())
    digest.update(environment())
    for folder in folders:
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(f"{path.relative_to(folder)}\0".encode())
            digest.update(file_digest(path))
    return digest.hexdigest()


@lru_cache(maxsize=1)
def environment() -> bytes:
    """What the pages depend on besides press's own files: the installed Python packages and
    the Pango and HarfBuzz that WeasyPrint loads, by version.

    The packages are named by their installed metadata folders (name-version.dist-info), which
    is what importlib.metadata reads, without its cost (50-100 ms to import and scan, where a
    warm build takes 120 ms).
    Pango and HarfBuzz are asked for their versions through the very library names WeasyPrint's
    ffi loads (weasyprint/text/ffi.py): the dynamic linker gives the same library to both."""
    installed = set()
    for folder in sys.path:
        try:
            installed.update(n for n in os.listdir(folder or ".") if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    libraries = [_library_version(PANGO, "pango_version_string"), _library_version(HARFBUZZ, "hb_version_string")]
    return "\n".join(sorted(installed) + libraries).encode()


PANGO = ("libpango-1.0.so.0", "libpango-1.0.dylib", "libpango-1.0-0.dll")
HARFBUZZ = ("libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll")


def _library_version(names: tuple[str, ...], function: str) -> str:
    import ctypes

    for name in names:
        try:
            version = getattr(ctypes.CDLL(name), function)
        except (OSError, AttributeError):
            continue
        version.restype = ctypes.c_char_p
        return f"{name} {version().decode()}"
    return f"{names[0]} missing"  # the typesetter will say so when it loads


_DIGESTS: dict[tuple, bytes] = {}


def file_digest(path: Path) -> bytes:
    """The SHA-256 of a file's bytes. A process that stays up (serve) hashes a large file
    (the fonts are 15 MB, read twice by every build) again only when its size or
    modification time changed. Small files, such as the sources an editor saves twice
    in a second with the same length, are always read."""
    stat = os.stat(path)
    if stat.st_size < LARGE_FILE:
        return hashlib.sha256(Path(path).read_bytes()).digest()
    key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if key not in _DIGESTS:
        with open(path, "rb") as f:  # in pieces: a video left in the issue folder need not fit in memory
            _DIGESTS[key] = hashlib.file_digest(f, "sha256").digest()
    return _DIGESTS[key]


LARGE_FILE = 256 * 1024


def issue_id(issue_dir: Path) -> str | None:
    """The id of issue.yaml, or None when it cannot be read: the full build will say why."""
    import yaml

    try:
        path = Path(issue_dir) / "issue.yaml"
        if not path.is_file() or path.stat().st_size > 100_000:  # a pipe would be waited on forever
            return None
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return str(data["id"]) if isinstance(data, dict) and data.get("id") else None
    except (OSError, ValueError, RecursionError, yaml.YAMLError):
        return None


def reuse(out_dir: Path, stamp: str) -> dict | None:
    """The recorded build in out_dir, if it was made from these inputs and its files are untouched."""
    try:
        record = json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))
        if record["fingerprint"] != stamp:
            return None
        for name, digest in record["outputs"].items():
            if hashlib.sha256((Path(out_dir) / name).read_bytes()).hexdigest() != digest:
                return None
        return record
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record(out_dir: Path, stamp: str, outputs: dict[str, bytes], warnings: list[list], first_pages: dict[str, int],
           page_keys: list[str]) -> None:
    data = {
        "fingerprint": stamp,
        "outputs": {name: hashlib.sha256(pdf).hexdigest() for name, pdf in outputs.items()},
        "warnings": warnings,
        "first_pages": first_pages,
        "page_keys": page_keys,
    }
    from .errors import PressError
    from .output import write_atomically

    try:
        write_atomically(Path(out_dir) / MANIFEST, json.dumps(data, ensure_ascii=False, indent=1), durable=False)
    except PressError:  # only a speed-up: the next build is a full one
        pass
