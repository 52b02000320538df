"""Upload rules: type by content, size and pixel limits, metadata removed, orientation applied."""

from __future__ import annotations

import io
import threading
import time
import tracemalloc

import pytest
from PIL import Image, PngImagePlugin

from fieldapp.infra import uploads


def _jpeg(width=800, height=600, exif=None, colour="red") -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), colour)
    image.save(out, "JPEG", exif=exif) if exif is not None else image.save(out, "JPEG")
    return out.getvalue()


def _exif_with_gps_and_orientation(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "S", 2: (12.0, 5.0, 30.0), 3: "W", 4: (77.0, 2.0, 10.0)}  # GPSInfo
    return exif


def test_a_text_file_renamed_jpg_is_refused():
    with pytest.raises(uploads.UploadError, match="no es una imagen"):
        uploads.clean_photo(b"MZ\x90\x00 this is not an image, whatever its name says")


def test_a_gif_is_refused_even_though_pillow_reads_it():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(uploads.UploadError, match="JPEG, PNG o WEBP"):
        uploads.clean_photo(out.getvalue())


def test_an_oversize_file_is_refused_before_decoding():
    with pytest.raises(uploads.UploadError, match="pesa más de 8 MB"):
        uploads.clean_photo(b"\xff\xd8" + b"0" * (uploads.MAX_BYTES + 1))


def test_a_decompression_bomb_is_refused_quickly_with_little_memory():
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")  # ~12 KB on disk, 100 MP decoded
    bomb = out.getvalue()
    assert len(bomb) < 200_000
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(uploads.UploadError):
        uploads.clean_photo(bomb)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 0.5
    assert peak < 5 * 1024 * 1024


def test_a_large_but_allowed_image_is_refused_above_the_pixel_limit():
    out = io.BytesIO()
    Image.new("1", (8_000, 6_000)).save(out, "PNG")  # 48 MP: under Pillow's own limit
    with pytest.raises(uploads.UploadError, match="8000 × 6000"):
        uploads.clean_photo(out.getvalue())


def test_exif_and_gps_are_stripped_and_orientation_applied():
    # Orientation 6: the camera held sideways; the stored photo must be upright (portrait).
    raw = _jpeg(800, 600, exif=_exif_with_gps_and_orientation(6))
    assert Image.open(io.BytesIO(raw)).getexif()[0x8825]
    clean = uploads.clean_photo(raw)
    stored = Image.open(io.BytesIO(clean.data))
    assert stored.format == "JPEG" and clean.content_type == "image/jpeg"
    assert (stored.width, stored.height) == (600, 800) == (clean.width, clean.height)
    assert len(stored.getexif()) == 0
    assert b"Exif" not in clean.data[:200] and b"PhoneMaker" not in clean.data
    assert "exif" not in stored.info and "icc_profile" not in stored.info


def test_photos_are_downscaled_to_1600_on_the_long_side():
    clean = uploads.clean_photo(_jpeg(3200, 2400))
    assert (clean.width, clean.height) == (1600, 1200)


def test_png_and_webp_photos_become_jpeg():
    for fmt in ("PNG", "WEBP"):
        out = io.BytesIO()
        Image.new("RGBA", (300, 200), (0, 128, 0, 128)).save(out, fmt)
        clean = uploads.clean_photo(out.getvalue())
        assert Image.open(io.BytesIO(clean.data)).format == "JPEG"


def test_signatures_stay_png_without_metadata():
    out = io.BytesIO()
    Image.new("RGBA", (600, 200), (255, 255, 255, 0)).save(out, "PNG", pnginfo=None)
    clean = uploads.clean_signature(out.getvalue())
    assert clean.content_type == "image/png"
    assert Image.open(io.BytesIO(clean.data)).format == "PNG"


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_a_half_sent_photo_is_refused_even_with_weasyprint_loaded(image_format):
    import weasyprint  # noqa: F401  (it sets ImageFile.LOAD_TRUNCATED_IMAGES for the process)

    out = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(out, image_format)
    whole = out.getvalue()
    assert uploads.clean_photo(whole).width == 400
    with pytest.raises(uploads.UploadError, match="dañada o incompleta|no es una imagen"):
        uploads.clean_photo(whole[: len(whole) * 2 // 3])


# --- Issue 13: metadata beyond EXIF (item 5), decoding cost (item 6) ----------------------------

SECRET = b"Cliente Maria Flores DNI 45678912"


def test_jpeg_comments_and_png_text_do_not_survive_cleaning():
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "teal").save(out, "JPEG", comment=SECRET)
    assert SECRET in out.getvalue()
    clean = uploads.clean_photo(out.getvalue())
    assert SECRET not in clean.data
    assert set(Image.open(io.BytesIO(clean.data)).info) <= {
        "jfif",
        "jfif_version",
        "jfif_unit",
        "jfif_density",
        "dpi",
    }
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", SECRET.decode())
    out = io.BytesIO()
    Image.new("RGBA", (600, 200), (255, 255, 255, 0)).save(out, "PNG", pnginfo=text)
    signature = uploads.clean_signature(out.getvalue())
    assert SECRET not in signature.data
    assert "Comment" not in Image.open(io.BytesIO(signature.data)).info


def test_a_tiny_file_of_many_pixels_is_refused_before_decoding():
    """A 6300 x 6300 PNG is ~100 KB and cost 1 s and +270 MB to decode as a photo."""
    out = io.BytesIO()
    Image.new("RGB", (6300, 6300), "white").save(out, "PNG")
    assert len(out.getvalue()) < 200_000
    tracemalloc.start()
    with pytest.raises(uploads.UploadError, match="6300 × 6300"):
        uploads.clean_photo(out.getvalue())
    with pytest.raises(uploads.UploadError, match="6300 × 6300"):
        uploads.clean_signature(out.getvalue())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 5 * 1024 * 1024


def test_a_twelve_megapixel_phone_photo_is_still_accepted():
    clean = uploads.clean_photo(_jpeg(4000, 3000))
    assert (clean.width, clean.height) == (1600, 1200)


def test_images_are_decoded_one_at_a_time_per_worker(monkeypatch):
    active, most = [0], [0]
    real = uploads._decode
    guard = threading.Lock()

    def counting(image):
        with guard:
            active[0] += 1
            most[0] = max(most[0], active[0])
        try:
            time.sleep(0.05)  # hold the decode long enough for the others to try
            return real(image)
        finally:
            with guard:
                active[0] -= 1

    monkeypatch.setattr(uploads, "_decode", counting)
    photo = _jpeg(800, 600)
    threads = [threading.Thread(target=uploads.clean_photo, args=(photo,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert most[0] == 1
