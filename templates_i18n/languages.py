"""The nine buyer languages, locale normalisation and detection (lingua, restricted to the nine)."""

from functools import lru_cache

from django.utils.translation import gettext_lazy as _

SUPPORTED_LANGUAGES = ("en", "ar", "es", "fr", "he", "ko", "pl", "pt-BR", "ru")
RTL_LANGUAGES = frozenset({"ar", "he"})
LANGUAGE_NAMES = {
    "en": _("English"),
    "ar": _("Arabic"),
    "es": _("Spanish"),
    "fr": _("French"),
    "he": _("Hebrew"),
    "ko": _("Korean"),
    "pl": _("Polish"),
    "pt-BR": _("Portuguese (Brazil)"),
    "ru": _("Russian"),
}
DEFAULT_LANGUAGE = "en"


def normalize_language(value: str | None) -> str | None:
    """'pt_BR', 'pt-br', 'pt', 'ru_RU', 'iw' -> one of the nine codes, or None."""
    if not value:
        return None
    tag = value.strip().replace("_", "-")
    if not tag:
        return None
    primary = tag.split("-")[0].lower()
    if primary == "pt":
        return "pt-BR"
    if primary == "iw":
        primary = "he"
    return primary if primary in SUPPORTED_LANGUAGES else None


@lru_cache(maxsize=4096)
def bcp47(tag: str | None) -> str:
    """A locale as a BCP 47 tag, for API output: 'pt_BR' -> 'pt-BR', 'ru_ru' -> 'ru-RU', 'EN' -> 'en'."""
    parts = [p for p in (tag or "").strip().replace("_", "-").split("-") if p]
    if not parts:
        return ""
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            out.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        else:
            out.append(part.lower())
    return "-".join(out)


def direction(language: str) -> str:
    return "rtl" if language in RTL_LANGUAGES else "ltr"


def field_suffix(language: str) -> str:
    """The modeltranslation field suffix of a language code ('pt-BR' -> 'pt_br')."""
    return language.lower().replace("-", "_")


def django_language(language: str) -> str:
    """The Django LANGUAGES code of a language code ('pt-BR' -> 'pt-br')."""
    return language.lower()


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = [
        Language.ENGLISH,
        Language.ARABIC,
        Language.SPANISH,
        Language.FRENCH,
        Language.HEBREW,
        Language.KOREAN,
        Language.POLISH,
        Language.PORTUGUESE,
        Language.RUSSIAN,
    ]
    return LanguageDetectorBuilder.from_languages(*languages).build()


_ISO_TO_CODE = {
    "EN": "en",
    "AR": "ar",
    "ES": "es",
    "FR": "fr",
    "HE": "he",
    "KO": "ko",
    "PL": "pl",
    "PT": "pt-BR",
    "RU": "ru",
}


def detect_language(text: str) -> str | None:
    """The most likely of the nine languages for ``text``, or None when there is nothing to go on."""
    if not text or not any(ch.isalpha() for ch in text):
        return None
    detected = _detector().detect_language_of(text)
    if detected is None:
        return None
    return _ISO_TO_CODE.get(detected.iso_code_639_1.name)
