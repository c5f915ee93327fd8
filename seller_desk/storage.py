"""Uploaded files are served only under a signed URL.

Pictures are stored under their upload name (``messages/2025/06/IMG_0001.jpg``), which is easy to guess, and buyer
photos are private. ``SignedMediaStorage.url`` adds an HMAC of the file's name (``?s=…``, keyed by SECRET_KEY) and
``seller_desk.views.media_file`` serves a file only when that signature matches. Every place that shows a picture
(inbox, buyer simulator, API ``image_url``) gets its URL from ``.url``, so each keeps working; a guessed path is a 404.
"""

from django.core import signing
from django.core.files.storage import FileSystemStorage
from django.utils.crypto import constant_time_compare

SIGNATURE_PARAM = "s"
_SALT = "seller_desk.media"


def _normalized(name: str) -> str:
    return name.replace("\\", "/").lstrip("/")


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT)


def media_signature(name: str) -> str:
    return _signer().signature(_normalized(name))


def media_signature_valid(name: str, signature: str | None) -> bool:
    """Whether ``signature`` signs ``name`` with SECRET_KEY or one of SECRET_KEY_FALLBACKS (key rotation)."""
    if not signature:
        return False
    signer = _signer()
    try:
        signed = signer.unsign(f"{_normalized(name)}{signer.sep}{signature}")
    except signing.BadSignature:
        return False
    return constant_time_compare(signed, _normalized(name))


class SignedMediaStorage(FileSystemStorage):
    def url(self, name):
        return f"{super().url(name)}?{SIGNATURE_PARAM}={media_signature(name)}"
