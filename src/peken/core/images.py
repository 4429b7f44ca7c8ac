"""Uploaded photos: only real JPEG, PNG or WebP pictures get in, and what gets in is a new file
re-encoded by Pillow (resized, metadata dropped), so a hostile file never reaches a visitor."""

import io
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from peken.core.errors import InvalidInput

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_SIDE = 1600
# Refuse decompression bombs: a small file that claims to be an enormous picture.
MAX_PIXELS = 40_000_000


class ImageRejected(InvalidInput):
    code = "image_invalid"
    default_message = gettext_lazy("Foto harus berupa JPEG, PNG atau WebP, paling besar 2 MB.")


@dataclass(frozen=True)
class CleanImage:
    file: ContentFile
    width: int
    height: int


def image_clean(
    upload, *, max_bytes: int = MAX_UPLOAD_BYTES, max_side: int = MAX_SIDE
) -> CleanImage:
    """A re-encoded WebP of the uploaded picture, or ImageRejected with the reason."""
    size = getattr(upload, "size", None)
    if size is None:
        size = len(upload.read())
        upload.seek(0)
    if size > max_bytes:
        raise ImageRejected(
            _("Foto terlalu besar (%(size).1f MB); batasnya %(limit)s MB.")
            % {"size": size / 1024 / 1024, "limit": max_bytes // 1024 // 1024}
        )
    data = upload.read()
    picture = _open(data)
    picture = ImageOps.exif_transpose(picture)
    picture.thumbnail((max_side, max_side))
    if picture.mode not in ("RGB", "RGBA"):
        picture = picture.convert("RGBA" if "A" in picture.getbands() else "RGB")
    output = io.BytesIO()
    picture.save(output, format="WEBP", quality=82, method=4)
    return CleanImage(
        file=ContentFile(output.getvalue(), name=f"{uuid.uuid4().hex}.webp"),
        width=picture.width,
        height=picture.height,
    )


def _open(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise ImageRejected(
                    _("Format %(format)s tidak diterima; pakai JPEG, PNG atau WebP.")
                    % {"format": probe.format}
                )
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageRejected(_("Ukuran gambar (piksel) terlalu besar."))
            probe.verify()  # walks the whole file: a truncated or doctored one fails here
        picture = Image.open(io.BytesIO(data))
        picture.load()
        return picture
    except ImageRejected:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as error:
        raise ImageRejected(_("Berkas ini bukan foto JPEG, PNG atau WebP yang utuh.")) from error
