"""Pictures sent to buyers: JPG/JPEG/PNG up to 5 MB, checked by content, never by name (R8)."""

import warnings

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from seller_desk.errors import ApplicationError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png"}


def picture_validate(upload, *, field: str = "image") -> None:
    """Raise ApplicationError naming ``field`` unless ``upload`` is a real JPEG/PNG within the size limit."""
    limit = settings.SELLER_DESK["MAX_PICTURE_BYTES"]
    if upload.size > limit:
        raise ApplicationError(
            {field: f"The picture is {upload.size:,} bytes; pictures may be at most 5 MB ({limit:,} bytes)."}
        )
    name = (upload.name or "").lower()
    if not name.endswith((".jpg", ".jpeg", ".png")):
        raise ApplicationError({field: "Pictures must be JPG, JPEG or PNG files."})
    pixel_limit = settings.SELLER_DESK["MAX_PICTURE_PIXELS"]
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow warns above its own limit and raises above twice that; ours is lower and an error.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as img:
                kind = img.format
                width, height = img.size
                if width * height > pixel_limit:
                    raise ApplicationError(
                        {
                            field: f"The picture is {width:,}×{height:,} pixels; pictures may have at most "
                            f"{pixel_limit:,} pixels ({pixel_limit // 1_000_000} megapixels)."
                        }
                    )
                img.verify()
    except Image.DecompressionBombError as exc:
        raise ApplicationError(
            {
                field: f"The picture declares too many pixels; pictures may have at most {pixel_limit:,} pixels."
            }
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ApplicationError(
            {field: "This file is not a readable JPG or PNG picture (checked by content)."}
        ) from exc
    finally:
        upload.seek(0)
    if kind not in ALLOWED_FORMATS:
        raise ApplicationError(
            {field: f"This file is a {kind} picture by content; only JPG/JPEG and PNG are allowed."}
        )
