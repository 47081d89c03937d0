"""The typesetter's only way to read files: a sandboxed URL fetcher.

Documents are given the virtual base https://press.invalid/issue/, so no
absolute path of this machine ever reaches WeasyPrint (or the PDF, where
WeasyPrint names images after their URL). The fetcher maps the virtual
folders issue/, styles/, templates/ and fonts/ onto the project, follows
symlinks and refuses anything that resolves outside them, any other URL
(http, file, ftp) and large data: URIs. A refusal stops the rendering:
an image must never silently go missing.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .cache import Cache
from .sources import as_written

BASE = "https://press.invalid/"
DATA_URI_LIMIT = 64 * 1024


class RefusedFetch(FatalURLFetchingError):
    def __init__(self, url: str, reason: str):
        super().__init__(f"{reason}: {url[:200]}")
        self.url, self.reason = url, reason


class SandboxFetcher(URLFetcher):
    def __init__(self, roots: dict[str, Path], fonts: dict[str, bytes], image_cache: Cache | None = None):
        super().__init__(allowed_protocols=("https", "data"))
        self.roots = {name: Path(root).resolve() for name, root in roots.items()}
        self.fonts = fonts
        self.image_cache = image_cache

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            if len(url) > DATA_URI_LIMIT:
                raise RefusedFetch(url, f"data: URI larger than {DATA_URI_LIMIT // 1024} KB")
            return super().fetch(url, headers)
        if not url.startswith(BASE):
            raise RefusedFetch(url, "only files inside the issue folder can be used")
        folder, _, rest = unquote(urlsplit(url).path).lstrip("/").partition("/")
        if folder == "fonts" and rest in self.fonts:
            return URLFetcherResponse(url, self.fonts[rest], {"Content-Type": "font/otf"})
        root = self.roots.get(folder)
        if root is None:
            raise RefusedFetch(url, "not inside the issue folder, styles/, templates/ or fonts/")
        path = as_written(root, rest).resolve()
        if not path.is_relative_to(root):
            raise RefusedFetch(url, "resolves outside its folder")
        if not path.is_file():
            raise RefusedFetch(url, "no such file")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = path.read_bytes()
        if folder == "issue" and kind in ("image/jpeg", "image/png") and self.image_cache is not None:
            data, kind = print_size(data, kind, self.image_cache)
        return URLFetcherResponse(url, data, {"Content-Type": kind})


# The widest an image is printed (the text block, 176 mm) at 300 ppi.
MAX_PRINT_PIXELS = 2100


def print_size(data: bytes, kind: str, cache: Cache) -> tuple[bytes, str]:
    """The image scaled down to what print can use, made once and kept in the cache."""
    import hashlib
    import io

    from PIL import Image

    digest = hashlib.sha256(data).hexdigest()
    key = f"{digest} {kind} {MAX_PRINT_PIXELS}"
    name = digest[:24] + (".jpg" if kind == "image/jpeg" else ".png") + ".entry"
    found = cache.read("images", name, key)
    if found is not None:
        return found, kind
    with Image.open(io.BytesIO(data)) as img:
        if img.width <= MAX_PRINT_PIXELS:
            out = data
        else:
            img.thumbnail((MAX_PRINT_PIXELS, MAX_PRINT_PIXELS * 4), Image.LANCZOS)
            buffer = io.BytesIO()
            img.save(buffer, "JPEG" if kind == "image/jpeg" else "PNG", quality=90, optimize=True)
            out = buffer.getvalue()
    cache.write("images", name, key, out)
    return out, kind


def url_for(folder: str, relative: str = "") -> str:
    return f"{BASE}{folder}/{relative}"
