"""Form helpers every app's pages share."""

from .errors import ApplicationError


class ApplicationErrorFormMixin:
    """Show an ApplicationError from a service as field errors (unknown fields go to the top of the form)."""

    def add_application_error(self, error: ApplicationError) -> None:
        for field, messages in error.errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
