"""PDF rendering with WeasyPrint: Jinja templates under templates/pdf/, a URL fetcher that serves
only the app's own static files and stored media, a QR code and a small route map as inline SVG.

Templates reference files as `fieldapp:/static/<path>` and `fieldapp:/media/<sha256>.<ext>`;
anything else (file://, http(s)://, data:, a path escaping the folder) is refused, so user text
that slipped into an attribute can never read the server's files or reach the network.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

import segno
from flask import current_app, render_template
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from fieldapp.infra import media

SCHEME = "fieldapp"
BASE_URL = f"{SCHEME}:/"
STATIC_PREFIX = f"{SCHEME}:/static/"
MEDIA_PREFIX = f"{SCHEME}:/media/"
_MEDIA_NAME = re.compile(r"^([0-9a-f]{64})\.(png|jpg)$")
_MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg"}
_STATIC_SUFFIXES = {".css", ".png", ".jpg", ".jpeg", ".svg", ".woff", ".woff2", ".ttf"}


class FetchRefused(ValueError):
    """The PDF asked for a resource outside the app's static files and stored media."""


class MediaUnavailable(RuntimeError):
    """The media store failed while a PDF was rendered: no document is made without its images."""


class SafeFetcher(URLFetcher):
    """WeasyPrint URL fetcher limited to `fieldapp:/static/…` and `fieldapp:/media/…`."""

    def __init__(self, static_root: Path, store: media.MediaStore):
        super().__init__(timeout=1, allowed_protocols=(SCHEME,), allow_redirects=False)
        self.static_root = static_root.resolve()
        self.store = store
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        """Serve `url` from the static folder or the media store.

        :raises FetchRefused: for any other URL or a file not stored (WeasyPrint then skips
            the resource).
        :raises FatalURLFetchingError: when the media store itself fails (the render stops).
        """
        try:
            body, content_type = self._locate(str(url))
        except FetchRefused:
            self.refused.append(str(url))
            raise
        return URLFetcherResponse(str(url), body=body, headers={"Content-Type": content_type})

    def _locate(self, url: str) -> tuple[bytes, str]:
        if any(char in url for char in "\\%?#\x00"):
            raise FetchRefused(f"refused: {url[:80]}")
        if url.startswith(MEDIA_PREFIX):
            match = _MEDIA_NAME.match(url.removeprefix(MEDIA_PREFIX))
            if not match:
                raise FetchRefused(f"refused: {url[:80]}")
            sha256, ext = match.groups()
            content_type = _MEDIA_TYPES[ext]
            return self._read_media(url, media.relative_name(sha256, content_type)), content_type
        if url.startswith(STATIC_PREFIX):
            path = (self.static_root / url.removeprefix(STATIC_PREFIX)).resolve()
            if (
                not path.is_relative_to(self.static_root)
                or path.suffix.lower() not in _STATIC_SUFFIXES
                or not path.is_file()
            ):
                raise FetchRefused(f"refused: {url[:80]}")
            guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return path.read_bytes(), guessed
        raise FetchRefused(f"refused: {url[:80]}")

    def _read_media(self, url: str, key: str) -> bytes:
        try:
            return self.store.read(key)
        except FileNotFoundError:
            raise FetchRefused(f"missing: {url[:80]}") from None
        except Exception as exc:
            # WeasyPrint would log any other error and leave the image out; a delivery note
            # without its signature must not be issued, so this one stops the render.
            raise FatalURLFetchingError(f"media store failed for {url[:80]}: {exc}") from exc


def fetcher() -> SafeFetcher:
    """A fetcher for the current app's static folder and media store."""
    return SafeFetcher(Path(current_app.static_folder), media.backend())


def media_url(sha256: str, content_type: str) -> str | None:
    """The `fieldapp:/media/…` URL of a stored image, or None for other file types."""
    ext = {value: key for key, value in _MEDIA_TYPES.items()}.get(content_type)
    return f"{MEDIA_PREFIX}{sha256}.{ext}" if ext else None


def render_html(html: str, fetch: SafeFetcher | None = None) -> bytes:
    """PDF bytes for an HTML string, fetched through the safe fetcher only.

    :raises MediaUnavailable: when the media store failed to give a stored image.
    """
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetch or fetcher())
    try:
        return document.write_pdf()
    except FatalURLFetchingError as exc:  # a BaseException: turned into an ordinary error
        raise MediaUnavailable(str(exc)) from exc


def render(template: str, **context) -> bytes:
    """Render `templates/pdf/<template>.html` (autoescaped) to PDF bytes."""
    return render_html(render_template(f"pdf/{template}.html", **context))


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code for `url` (error correction M, no quiet-zone border)."""
    code = segno.make(url, error="m", micro=False)
    return Markup(code.svg_inline(scale=3, border=0, dark="#000"))  # noqa: S704 (segno's SVG)
