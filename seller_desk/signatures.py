"""HMAC-SHA256 signatures shared by the desk and the marketplace (docs/operations.md "The marketplace endpoint").

Both directions sign the same way: ``X-Seller-Desk-Timestamp: <unix seconds>`` and
``X-Seller-Desk-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>``. The desk signs every
message it POSTs to the store's marketplace endpoint; when a store has a secret, every ingress request must be
signed with it and its timestamp must be within five minutes of the desk's clock.
"""

import hashlib
import hmac
import time

from django.utils.translation import gettext
from rest_framework import exceptions, permissions

TIMESTAMP_HEADER = "X-Seller-Desk-Timestamp"
SIGNATURE_HEADER = "X-Seller-Desk-Signature"
MAX_SKEW_SECONDS = 5 * 60


def signature_for(*, secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(*, secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(now if now is not None else time.time()))
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature_for(secret=secret, timestamp=timestamp, body=body),
    }


def signature_problem(*, secret: str, timestamp: str | None, signature: str | None, body: bytes) -> str:
    """Why a request's signature is refused, or "" when it is good."""
    if not timestamp or not signature:
        return gettext("This store signs its ingress: send %(ts)s and %(sig)s.") % {
            "ts": TIMESTAMP_HEADER,
            "sig": SIGNATURE_HEADER,
        }
    if not timestamp.isdigit():
        return gettext("%(ts)s must be the request time in whole Unix seconds.") % {"ts": TIMESTAMP_HEADER}
    if abs(time.time() - int(timestamp)) > MAX_SKEW_SECONDS:
        return gettext(
            "%(ts)s is more than 5 minutes away from the desk's clock; sign the request again."
        ) % {"ts": TIMESTAMP_HEADER}
    expected = signature_for(secret=secret, timestamp=timestamp, body=body)
    if not hmac.compare_digest(expected, signature.strip()):
        return gettext(
            "%(sig)s does not match: HMAC-SHA256 of '<timestamp>.<body>' with the store's secret."
        ) % {"sig": SIGNATURE_HEADER}
    return ""


class IngressSignature(permissions.BasePermission):
    """Beside the integration token: a store with a marketplace secret accepts only signed ingress."""

    def has_permission(self, request, view):
        store = getattr(request.user, "store", None)
        if store is None or not store.marketplace_secret:
            return True
        problem = signature_problem(
            secret=store.marketplace_secret,
            timestamp=request.headers.get(TIMESTAMP_HEADER),
            signature=request.headers.get(SIGNATURE_HEADER),
            body=request._request.body,
        )
        if problem:
            raise exceptions.AuthenticationFailed(problem)
        return True
