"""Photos and signatures from phones: checked by content (never by name), bounded in size and
pixels, decoded one at a time, and re-encoded as pixels only: no EXIF, GPS, comment or text
metadata leaves the phone's file."""

from __future__ import annotations

import base64
import binascii
import io
import threading
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# Phone photos are downscaled in the browser (long side <= 1600 px); a 16 MP original
# (4608 x 3456) is the largest a phone sends when the browser cannot downscale: phones bin their
# 48-50 MP sensors to 12 MP by default. Signatures are a canvas of a few hundred pixels each way.
# Anything above is refused before it is decoded: Pillow's default (~89 MP, bomb error at twice
# that) lets a 10,000 x 10,000 PNG through, and decoding a 100 KB PNG of 6300 x 6300 costs a
# second and 270 MB.
MAX_PIXELS = 16_000_000
MAX_SIGNATURE_PIXELS = 4_000_000
MAX_BYTES = 8 * 1024 * 1024
MAX_LONG_SIDE = 1600
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
JPEG_QUALITY = 82


class UploadError(ValueError):
    """The file cannot be accepted (message in Spanish)."""


@dataclass(frozen=True)
class CleanImage:
    """Re-encoded image bytes ready to store."""

    data: bytes
    content_type: str
    width: int
    height: int


# One decode at a time in each worker process: a few large photos arriving together would
# otherwise multiply the memory peak (gunicorn threads share the process).
_DECODING = threading.Lock()


def _open(data: bytes, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Open `data` as an allowed image format, refusing bombs before any pixel is decoded.

    :raises UploadError: when it is too big, not an image, or not an allowed format.
    """
    if not data:
        raise UploadError("El archivo está vacío.")
    if len(data) > MAX_BYTES:
        raise UploadError(f"El archivo pesa más de {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=sorted(ALLOWED_FORMATS))
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadError("El archivo no es una imagen JPEG, PNG o WEBP válida.") from None
    except OSError:
        raise UploadError("El archivo no es una imagen JPEG, PNG o WEBP válida.") from None
    width, height = image.size
    if width * height > max_pixels:
        raise UploadError(f"La imagen es demasiado grande ({width} × {height} píxeles).")
    if _truncated(data, image.format):
        raise UploadError("La imagen está dañada o incompleta.")
    return image


def _truncated(data: bytes, image_format: str | None) -> bool:
    """Whether the file stops before its end marker. Checked on the bytes because WeasyPrint
    turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process, which would let a half-sent
    photo decode with a grey bottom instead of failing."""
    if image_format == "JPEG":
        return not data.rstrip(b"\x00").endswith(b"\xff\xd9")
    if image_format == "PNG":
        return b"IEND" not in data[-16:]
    if image_format == "WEBP":
        return len(data) < 8 + int.from_bytes(data[4:8], "little")
    return False


def _decode(image: Image.Image) -> Image.Image:
    """Decode the pixels and apply the EXIF orientation.

    :raises UploadError: when the file is truncated or corrupt.
    """
    try:
        image.load()
        return ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError):
        raise UploadError("La imagen está dañada o incompleta.") from None


def clean_photo(data: bytes) -> CleanImage:
    """A photo as a metadata-free JPEG, upright, long side at most MAX_LONG_SIDE.

    :raises UploadError: for a file that is too big, not an allowed image, or damaged.
    """
    image = _open(data)
    with _DECODING:
        image = _decode(image)
        if image.mode not in ("RGB", "L"):
            background = Image.new("RGB", image.size, "white")
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            image = background
        image.thumbnail((MAX_LONG_SIDE, MAX_LONG_SIDE))
        out = io.BytesIO()
        # Pixels only: Pillow writes a JPEG comment (and ICC, EXIF) back from `info`.
        image.info = {}
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanImage(out.getvalue(), "image/jpeg", image.width, image.height)


def clean_signature(data: bytes) -> CleanImage:
    """A signature drawing as a metadata-free PNG.

    :raises UploadError: for a file that is too big, not an allowed image, or damaged.
    """
    image = _open(data, MAX_SIGNATURE_PIXELS)
    with _DECODING:
        image = _decode(image)
        if image.mode not in ("RGBA", "LA", "L", "RGB"):
            image = image.convert("RGBA")
        image.thumbnail((MAX_LONG_SIDE, MAX_LONG_SIDE))
        out = io.BytesIO()
        # Pixels and their transparency only: no text chunks, ICC profile or EXIF.
        kept = image.info.get("transparency")
        image.info = {} if kept is None else {"transparency": kept}
        image.save(out, "PNG", optimize=True)
    return CleanImage(out.getvalue(), "image/png", image.width, image.height)


def from_data_url(text: str | None) -> bytes:
    """The bytes of a drawing sent as base64, optionally a `data:` URL (what a signature pad's
    canvas gives).

    :raises UploadError: when it is missing, too big or badly encoded.
    """
    data = (text or "").strip()
    if data.startswith("data:"):
        data = data.partition(",")[2]
    if not data:
        raise UploadError("Falta el archivo.")
    if len(data) > MAX_BYTES * 4 // 3 + 4:
        raise UploadError(f"El archivo pesa más de {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise UploadError("El archivo no está bien codificado.") from None
