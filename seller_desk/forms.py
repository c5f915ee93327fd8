"""Form helpers every app's pages share."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

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
