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
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    for path in files:
        digest.update(hashlib.sha256(path.read_bytes()).digest() if path.exists() else b"-")
    return digest.hexdigest()


def issue_id(issue_dir: Path) -> str | None:
    """The id of issue.yaml, or None when it cannot be read: the full build will say why."""
    import yaml

    try:
        data = yaml.safe_load((Path(issue_dir) / "issue.yaml").read_text(encoding="utf-8"))
        return str(data["id"]) if isinstance(data, dict) and data.get("id") else None
    except (OSError, ValueError, yaml.YAMLError):
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
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
