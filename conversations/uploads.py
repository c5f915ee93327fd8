"""Pictures sent to buyers: JPG/JPEG/PNG up to 5 MB, checked by content, never by name (R8)."""

import warnings

from django.conf import settings
from django.utils.translation import gettext
from PIL import Image, UnidentifiedImageError

from seller_desk.errors import ApplicationError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png"}


def picture_validate(upload, *, field: str = "image") -> None:
    """Raise ApplicationError naming ``field`` unless ``upload`` is a real JPEG/PNG within the size limit."""
    limit = settings.SELLER_DESK["MAX_PICTURE_BYTES"]
    if upload.size > limit:
        raise ApplicationError(
            {
                field: gettext(
                    "The picture is %(size)s bytes; pictures may be at most 5 MB (%(limit)s bytes)."
                )
                % {"size": f"{upload.size:,}", "limit": f"{limit:,}"}
            }
        )
    name = (upload.name or "").lower()
    if not name.endswith((".jpg", ".jpeg", ".png")):
        raise ApplicationError({field: gettext("Pictures must be JPG, JPEG or PNG files.")})
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
                            field: gettext(
                                "The picture is %(width)s×%(height)s pixels; pictures may have at most %(pixel_limit)s pixels (%(value)s megapixels)."
                            )
                            % {
                                "width": f"{width:,}",
                                "height": f"{height:,}",
                                "pixel_limit": f"{pixel_limit:,}",
                                "value": pixel_limit // 1_000_000,
                            }
                        }
                    )
                img.verify()
    except Image.DecompressionBombError as exc:
        raise ApplicationError(
            {
                field: gettext(
                    "The picture declares too many pixels; pictures may have at most %(pixel_limit)s pixels."
                )
                % {"pixel_limit": f"{pixel_limit:,}"}
            }
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ApplicationError(
            {field: gettext("This file is not a readable JPG or PNG picture (checked by content).")}
        ) from exc
    finally:
        upload.seek(0)
    if kind not in ALLOWED_FORMATS:
        raise ApplicationError(
            {
                field: gettext(
                    "This file is a %(kind)s picture by content; only JPG/JPEG and PNG are allowed."
                )
                % {"kind": kind}
            }
        )


# --- dispute evidence: photos (as above) and one video, checked by content ---

VIDEO_SUFFIXES = (".mp4", ".m4v", ".webm")
PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png")
# ISO BMFF brands that are not MP4 video: QuickTime, HEIF/AVIF stills, camera raw.
_NOT_MP4_BRANDS = {b"qt  ", b"heic", b"heix", b"mif1", b"msf1", b"avif", b"crx "}
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_EBML_DOCTYPE = 0x4282
_MATROSKA_SEGMENT = 0x18538067


def _read_exact(stream, n: int) -> bytes:
    data = stream.read(n)
    if len(data) != n:
        raise ValueError("truncated")
    return data


def _mp4_probe(stream, size: int) -> str:
    """Walk the top-level ISO BMFF boxes: ``ftyp`` first with an MP4 brand, every box inside the file, a ``moov``
    and media data (``mdat`` or fragments). Returns "MP4"."""
    offset, seen = 0, []
    while offset < size:
        stream.seek(offset)
        header = stream.read(8)
        if len(header) < 8:
            raise ValueError("a box header runs past the end of the file")
        box_size, box_type = int.from_bytes(header[:4], "big"), header[4:]
        if not all(0x20 <= c < 0x7F for c in box_type):
            raise ValueError("a box type is not four printable characters")
        header_len = 8
        if box_size == 1:
            box_size, header_len = int.from_bytes(_read_exact(stream, 8), "big"), 16
        elif box_size == 0:
            box_size = size - offset
        if box_size < header_len or offset + box_size > size:
            raise ValueError(f"box {box_type!r} claims {box_size} bytes")
        if not seen:
            if box_type != b"ftyp" or box_size < 16:
                raise ValueError("an MP4 starts with an ftyp box")
            brand = _read_exact(stream, 4)
            if brand in _NOT_MP4_BRANDS:
                raise ValueError(f"brand {brand!r} is not an MP4 video")
        seen.append(box_type)
        offset += box_size
    if b"moov" not in seen or not ({b"mdat", b"moof"} & set(seen)):
        raise ValueError("no movie header (moov) and media data (mdat)")
    return "MP4"


def _ebml_vint(stream, *, keep_marker: bool) -> int:
    first = _read_exact(stream, 1)[0]
    if first == 0:
        raise ValueError("invalid EBML number")
    length = 8 - first.bit_length() + 1
    value = first if keep_marker else first & (0xFF >> length)
    for byte in _read_exact(stream, length - 1):
        value = (value << 8) | byte
    return value


def _webm_probe(stream, size: int) -> str:
    """Parse the EBML header: its DocType must be ``webm`` and a Matroska Segment must follow it."""
    stream.seek(0)
    if _read_exact(stream, 4) != _EBML_MAGIC:
        raise ValueError("no EBML header")
    header_size = _ebml_vint(stream, keep_marker=False)
    header_end = stream.tell() + header_size
    if header_end > size:
        raise ValueError("the EBML header runs past the end of the file")
    doctype = None
    while stream.tell() < header_end:
        element = _ebml_vint(stream, keep_marker=True)
        length = _ebml_vint(stream, keep_marker=False)
        if stream.tell() + length > header_end:
            raise ValueError("an EBML header element runs past the header")
        value = _read_exact(stream, length)
        if element == _EBML_DOCTYPE:
            doctype = value.rstrip(b"\x00")
    if doctype != b"webm":
        raise ValueError(f"DocType {doctype!r} is not webm")
    stream.seek(header_end)
    if _ebml_vint(stream, keep_marker=True) != _MATROSKA_SEGMENT:
        raise ValueError("no Segment after the EBML header")
    return "WebM"


def video_validate(upload, *, field: str = "video") -> str:
    """Raise ApplicationError naming ``field`` unless ``upload`` is a real MP4 or WebM within the size limit.

    The container is probed (MP4 box structure, WebM EBML header), so a renamed text file is refused whatever
    its name. Returns the container found ("MP4" or "WebM")."""
    limit = settings.SELLER_DESK["MAX_VIDEO_BYTES"]
    if upload.size > limit:
        raise ApplicationError(
            {
                field: gettext("The video is %(size)s bytes; videos may be at most %(limit)s bytes.")
                % {"size": f"{upload.size:,}", "limit": f"{limit:,}"}
            }
        )
    name = (upload.name or "").lower()
    if not name.endswith(VIDEO_SUFFIXES):
        raise ApplicationError({field: gettext("Videos must be MP4 or WebM files.")})
    upload.seek(0)
    try:
        start = upload.read(4)
        probe = _webm_probe if start == _EBML_MAGIC else _mp4_probe
        return probe(upload, upload.size)
    except ValueError as exc:
        raise ApplicationError(
            {
                field: gettext("This file is not a readable MP4 or WebM video (checked by content: %(exc)s).")
                % {"exc": exc}
            }
        ) from exc
    finally:
        upload.seek(0)


def evidence_validate(upload, *, field: str) -> str:
    """Dispute evidence: a JPG/PNG photo or an MP4/WebM video, checked by content. Returns "photo" or "video"."""
    name = (upload.name or "").lower()
    if name.endswith(VIDEO_SUFFIXES):
        video_validate(upload, field=field)
        return "video"
    if name.endswith(PICTURE_SUFFIXES):
        picture_validate(upload, field=field)
        return "photo"
    raise ApplicationError(
        {
            field: gettext("“%(name)s”: evidence is a photo (JPG, PNG) or a video (MP4, WebM).")
            % {"name": upload.name}
        }
    )
