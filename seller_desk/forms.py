"""Form helpers every app's pages share."""

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
