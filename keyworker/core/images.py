"""Uploaded photos: read with Pillow whatever the file's name says, refuse what is not a JPEG, PNG or WebP picture or
would unpack to an enormous picture, turn upright (EXIF orientation), and write as JPEG without any EXIF data (so no
GPS position, camera or time leaves the setting). Used by the learning journals and the staff photos."""

import io
import warnings

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from PIL import Image, ImageOps, UnidentifiedImageError

from keyworker.core.errors import RuleViolation
from keyworker.core.uploads import MB

# A phone photo is 12 to 50 megapixels; a picture of more is refused before it is decoded (a decompression bomb is a
# small file that claims a huge picture).
MAX_PIXELS = 60_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO: the JPEG some phones write with a depth map


def _refuse(message: str, field: str) -> RuleViolation:
    return RuleViolation(message, rule="photo", field=field)


def image_read(upload, *, field: str, max_bytes: int, draft_side: int) -> Image.Image:
    """The upload decoded (a JPEG at the smallest scale still at least `draft_side`), or a RuleViolation on `field`."""
    too_large = f"The photo is larger than {max_bytes // MB} MB. Choose a smaller photo."
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise _refuse(too_large, field)
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _refuse(too_large, field)
    if not data:
        raise _refuse("The file is empty. Choose a photo (JPEG, PNG or WebP).", field)
    not_image = "This file is not a photo we can read. Choose a JPEG, PNG or WebP photo."
    too_big = "This picture is too large to open safely. Choose an ordinary photo from a phone or camera."
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise _refuse(not_image, field)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _refuse(too_big, field)
            image.draft("RGB", (draft_side, draft_side))  # JPEG decodes at a reduced scale: faster, same result
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(too_big, field) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refuse(not_image, field) from None
    return image


def image_clean(image: Image.Image) -> Image.Image:
    """Upright (the EXIF orientation applied), RGB, and a new image that carries none of the original's info."""
    ImageOps.exif_transpose(image, in_place=True)  # in place: a copy of 12 megapixels costs more than the turn
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    clean = image if image.mode == "RGB" else image.convert("RGB")
    clean.info = {}
    return clean


def image_jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True, exif=b"")  # exif=b"": nothing of the original's metadata
    return out.getvalue()


def photo_response(name: str) -> FileResponse:
    """A stored JPEG, kept by the browser only (never by a shared cache); 404 when the file is not there."""
    if not name or not default_storage.exists(name):
        raise Http404("No such photo")
    response = FileResponse(default_storage.open(name, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
