"""Form helpers every app's pages share."""

from datetime import date

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import formats, translation

from .errors import ApplicationError


class ApplicationErrorFormMixin:
    """Show an ApplicationError from a service as field errors.

    ``error_fields`` maps a service's error key to the form field that shows it; keys of no (or of a
    disabled) field go to the top of the form.
    """

    error_fields: dict[str, str] = {}

    def add_application_error(self, error: ApplicationError) -> None:
        for key, messages in error.errors.items():
            field = self.error_fields.get(key, key)
            target = field if field in self.fields and not self.fields[field].disabled else None
            for message in messages:
                self.add_error(target, message)


ISO_DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"


def date_input_attrs() -> dict[str, str]:
    """What every ``<input type=date>`` of the desk carries (docs/i18n.md, "Date inputs"): the interface
    language (the browser may still draw the picker in its own), and for a browser that falls back to a text
    box the format the server reads."""
    return {
        "lang": translation.get_language() or "en",
        "placeholder": "YYYY-MM-DD",
        "pattern": ISO_DATE_PATTERN,
    }


class DeskDateInput(forms.DateInput):
    """A native date picker followed by the picked date written out in the interface language ("2026年11月15日"),
    so the date is unambiguous whatever order the browser shows day and month in; ``static/desk/forms.js``
    keeps it current while the date is changed."""

    input_type = "date"
    template_name = "seller_desk/widgets/date.html"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, {**date_input_attrs(), **(attrs or {})})
        day = value if isinstance(value, date) else None
        if isinstance(value, str):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                day = None
        context["widget"]["echo"] = formats.date_format(day, "DATE_FORMAT") if day else ""
        return context


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login page's form: refused while the username or the client address is locked
    (``seller_desk/throttle.py``), even with the right password; failures are counted."""

    locked_seconds = 0

    def clean(self):
        from . import throttle
        from .apis import login_locked_message
        from .middleware import client_ip

        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request is not None else "unknown"
        self.locked_seconds = throttle.login_lockout_seconds(username=username, ip=ip)
        if self.locked_seconds:
            raise ValidationError(login_locked_message(self.locked_seconds), code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.login_failure_record(username=username, ip=ip)
            raise
        throttle.login_success_record(username=username)
        return cleaned
