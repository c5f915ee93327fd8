"""Browser forms of the scenario library and the banned-word list: shapes only, the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from seller_desk.forms import ApplicationErrorFormMixin
from seller_desk.models import OrderStatus

from .languages import LANGUAGE_NAMES, SUPPORTED_LANGUAGES, direction, field_suffix


class ScenarioForm(ApplicationErrorFormMixin, forms.Form):
    title = forms.CharField(max_length=300)
    confirm_dates = forms.BooleanField(
        required=False,
        label=_("The dates are right: save the text with the past dates it names"),
    )
    order_statuses = forms.MultipleChoiceField(
        choices=OrderStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to offer it for every order status."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for lang in SUPPORTED_LANGUAGES:
            self.fields[f"body_{field_suffix(lang)}"] = forms.CharField(
                label=f"{LANGUAGE_NAMES[lang]} ({lang})",
                required=False,
                widget=forms.Textarea(attrs={"rows": 4, "dir": direction(lang), "lang": lang}),
            )

    def text_fields(self):
        return [self[f"body_{field_suffix(lang)}"] for lang in SUPPORTED_LANGUAGES]

    def texts(self) -> dict[str, str]:
        return {lang: self.cleaned_data.get(f"body_{field_suffix(lang)}", "") for lang in SUPPORTED_LANGUAGES}


BANNED_LANGUAGE_CHOICES = [
    ("", gettext_lazy("Every language")),
    *((code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES),
]
MATCH_CHOICES = [
    ("word", gettext_lazy("Whole word")),
    ("stem", gettext_lazy("All forms (stem)")),
    ("substring", gettext_lazy("Anywhere")),
]
MATCH_HELP = {
    "word": gettext_lazy("The word on its own; English words also with -s, -es, -ly, -al, -ally, -ness."),
    "stem": gettext_lazy(
        "Every inflected form: Russian endings (эпидемии, эпидемией…); other languages: words starting with it."
    ),
    "substring": gettext_lazy("Anywhere, even inside other words."),
}


class BannedWordForm(ApplicationErrorFormMixin, forms.Form):
    """Shapes only: the rules are banned_word_clean's, and its errors land on these fields."""

    term = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": gettext_lazy("Word")}),
    )
    language = forms.ChoiceField(required=False, choices=BANNED_LANGUAGE_CHOICES)
    match = forms.ChoiceField(choices=MATCH_CHOICES, initial="word")
    suggestion = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": gettext_lazy("Say instead…")}),
    )
    is_active = forms.BooleanField(required=False, initial=True, label=_("Active"))
