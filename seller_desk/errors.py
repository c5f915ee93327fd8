"""One application error type: field -> messages, mapped to API.md's error shape."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A broken rule. ``errors`` maps a field name to messages that say the rule and the fix."""

    def __init__(self, errors: dict[str, list[str] | str], *, banned_words: list[dict] | None = None):
        self.errors = {field: [m] if isinstance(m, str) else list(m) for field, m in errors.items()}
        self.banned_words = banned_words or []
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))

    def as_payload(self) -> dict:
        payload: dict = {"errors": self.errors}
        if self.banned_words:
            payload["banned_words"] = self.banned_words
        return payload


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            if key == "non_field_errors":
                name = prefix or "non_field_errors"
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(x, dict | list) for x in detail):
            out[prefix or "non_field_errors"] = [str(x) for x in detail]
        else:
            for index, value in enumerate(detail):
                for k, v in _flatten(value, f"{prefix}[{index}]" if prefix else str(index)).items():
                    out.setdefault(k, []).extend(v)
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(exc.as_payload(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        return Response({"errors": {"detail": [gettext("Not found.")]}}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"errors": _flatten(exc.detail)}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"errors": {"detail": [str(response.data["detail"])]}}
    return response


def date_value(value, field: str, errors: dict):
    """A date from a form or JSON value (``YYYY-MM-DD``); empty is None; a bad one notes ``errors[field]``."""
    from datetime import date

    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[field] = gettext("'%(value)s' is not a date; use YYYY-MM-DD.") % {"value": value}
        return None
