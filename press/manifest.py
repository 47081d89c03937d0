"""Reuse the outputs of a build whose inputs have not changed.

Everything a build reads is fingerprinted: the issue folder, templates,
styles, fonts, the pipeline's own code and the pinned package versions,
and the options that change the output. The fingerprint and the hashes of
the written files go into the output folder; when both still match, the
build is done without loading a single stage. Only the standard library
and PyYAML are used here, so that this answer costs milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

MANIFEST = ".press-build.json"
CODE = Path(__file__).resolve().parent


def fingerprint(folders: list[Path], files: list[Path], options: object) -> str:
    digest = hashlib.sha256(repr(options).encode())
    for folder in folders:
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(f"{path.relative_to(folder)}\0".encode())
            digest.update(file_digest(path))
    for path in files:
        digest.update(file_digest(path) if path.exists() else b"-")
    return digest.hexdigest()


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
    path = Path(out_dir) / MANIFEST
    tmp = path.with_name(f"{MANIFEST}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # only a speed-up: the next build is a full one
        tmp.unlink(missing_ok=True)
