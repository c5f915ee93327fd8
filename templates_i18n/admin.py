"""Django admin for platform admins: the scenario library and the banned-word list."""

from django import forms
from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from seller_desk.errors import ApplicationError

from .dates import stale_dates_errors
from .guard import text_guard_enforce
from .languages import SUPPORTED_LANGUAGES, field_suffix
from .models import BannedWord, Scenario
from .selectors import scenario_languages, scenario_missing_languages
from .services import banned_word_clean, banned_word_create, banned_word_delete, banned_word_update

# --- scenarios ---


class ScenarioAdminForm(forms.ModelForm):
    """Every language's text passes the banned-word guard, as in the desk; a changed official text naming a
    date that is over needs "The dates are right" ticked (issue 13, the same check as the desk's edit page)."""

    dates_confirmed = forms.BooleanField(
        required=False, label="The dates are right", help_text="Save texts that name a date that is over."
    )

    def clean(self):
        cleaned = super().clean()
        if self.instance.store_id is None and not cleaned.get("dates_confirmed"):
            changed = {
                f"body_{field_suffix(lang)}": cleaned.get(f"body_{field_suffix(lang)}") or ""
                for lang in SUPPORTED_LANGUAGES
                if f"body_{field_suffix(lang)}" in self.changed_data
            }
            for name, message in stale_dates_errors(
                changed, store=None, confirm_hint="Tick “The dates are right” to save it anyway."
            ).items():
                self.add_error(name if name in self.fields else None, message)
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


class BannedWordAdminForm(forms.ModelForm):
    """Validated by the same rules as the desk and the API (services.banned_word_clean)."""

    language = forms.ChoiceField(
        required=False,
        choices=[("", "Every language"), *((code, code) for code in SUPPORTED_LANGUAGES)],
    )

    class Meta:
        model = BannedWord
        fields = ("term", "language", "match", "suggestion", "is_active")

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned.update(
                banned_word_clean(
                    term=cleaned.get("term"),
                    language=cleaned.get("language"),
                    suggestion=cleaned.get("suggestion"),
                    match=cleaned.get("match"),
                    banned_word=self.instance if self.instance.pk else None,
                )
            )
        except ApplicationError as exc:
            for name, field_messages in exc.errors.items():
                for message in field_messages:
                    self.add_error(name if name in self.fields else None, message)
        return cleaned

    def validate_unique(self):
        """Duplicates are reported by banned_word_clean, also for look-alike spellings."""


@admin.register(BannedWord)
class BannedWordAdmin(admin.ModelAdmin):
    """Writes go through the services: validation, updated_by, and the list version every process watches."""

    form = BannedWordAdminForm
    list_display = ("term", "language", "match", "suggestion", "is_active", "updated_by", "updated_at")
    list_filter = ("language", "match", "is_active")
    search_fields = ("term", "suggestion")
    ordering = ("language", "term")

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in form.Meta.fields}
        if change:
            stored = BannedWord.objects.get(pk=obj.pk)
            saved = banned_word_update(acting_user=request.user, banned_word=stored, **data)
        else:
            saved = banned_word_create(acting_user=request.user, **data)
        obj.pk = saved.pk
        obj.updated_at = saved.updated_at

    def delete_model(self, request, obj):
        banned_word_delete(acting_user=request.user, banned_word=obj)

    def delete_queryset(self, request, queryset):
        for banned_word in queryset:
            banned_word_delete(acting_user=request.user, banned_word=banned_word)
