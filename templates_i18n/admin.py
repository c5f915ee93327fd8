"""Django admin for platform admins: the scenario library and the banned-word list."""

from django import forms
from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from seller_desk.errors import ApplicationError

from .guard import text_guard_enforce
from .languages import SUPPORTED_LANGUAGES, field_suffix
from .models import Scenario
from .selectors import scenario_languages, scenario_missing_languages

# --- scenarios ---


class ScenarioAdminForm(forms.ModelForm):
    """Every language's text passes the banned-word guard, as in the desk."""

    def clean(self):
        cleaned = super().clean()
        for language in SUPPORTED_LANGUAGES:
            field = f"body_{field_suffix(language)}"
            text = cleaned.get(field) or ""
            if not text.strip():
                continue
            try:
                text_guard_enforce(text=text, field=field)
            except ApplicationError as exc:
                for name, messages in exc.errors.items():
                    for message in messages:
                        self.add_error(name if name in self.fields else None, message)
        return cleaned


@admin.register(Scenario)
class ScenarioAdmin(TranslationAdmin):
    form = ScenarioAdminForm
    list_display = ("code", "title", "store", "position", "languages", "missing")
    list_filter = (("store", admin.EmptyFieldListFilter),)
    search_fields = ("code", "title_en", "body_en")
    readonly_fields = ("created_by", "updated_at")
    ordering = ("store", "position", "id")

    @admin.display(description="Languages")
    def languages(self, obj):
        return ", ".join(scenario_languages(obj))

    @admin.display(description="Missing")
    def missing(self, obj):
        return ", ".join(scenario_missing_languages(obj)) or "—"

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


# --- banned words ---
