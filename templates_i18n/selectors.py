"""Reads for the scenario library: listing, fetching and rendering scenarios in the buyer's language.

This module is the one place that reads the translated ``body_<lang>`` fields (CONVENTIONS.md,
"Multilingual text"): the language is picked here (buyer locale → detected → English) and the text is
rendered inside ``translation.override``.
"""

import re
from dataclasses import dataclass

from django.db.models import F, Q
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext, ngettext

from seller_desk.errors import ApplicationError

from .languages import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    SUPPORTED_LANGUAGES,
    detect_language,
    direction,
    django_language,
    field_suffix,
    normalize_language,
)
from .models import Scenario

PLACEHOLDER_RE = re.compile(r"\{([a-z][a-z0-9_]*)\}")
# How many of the buyer's latest messages the language detector reads when the locale says nothing.


@dataclass(frozen=True)
class RenderedText:
    text: str
    language: str
    direction: str


def _language_label(language: str) -> str:
    return f"{LANGUAGE_NAMES[language]} ({language})"


def scenario_texts(scenario: Scenario) -> dict[str, str]:
    """The scenario's text per language, in the nine's order; languages without text are left out."""
    texts = {}
    for language in SUPPORTED_LANGUAGES:
        value = getattr(scenario, f"body_{field_suffix(language)}") or ""
        if value.strip():
            texts[language] = value
    return texts


def scenario_languages(scenario: Scenario) -> list[str]:
    return list(scenario_texts(scenario))


def scenario_missing_languages(scenario: Scenario) -> list[str]:
    available = set(scenario_languages(scenario))
    return [language for language in SUPPORTED_LANGUAGES if language not in available]


def scenario_title(scenario: Scenario) -> str:
    """The title as agents see it (titles are written in English)."""
    return scenario.title_en or scenario.title or scenario.code


def _visible_to(store) -> Q:
    """Official scenarios, plus the store's own when there is a store (platform admins may have none)."""
    if store is None:
        return Q(store__isnull=True)
    return Q(store__isnull=True) | Q(store=store)


def scenario_list(*, store, order_status: str | None = None) -> list[Scenario]:
    """Official scenarios (seed order) then the store's own; with ``order_status``, only those that fit it.

    A scenario with no order statuses fits every status.
    """
    result = sorted(
        Scenario.objects.filter(_visible_to(store)), key=lambda s: (s.store_id is not None, s.position, s.id)
    )
    if order_status:
        result = [s for s in result if not s.order_statuses or order_status in s.order_statuses]
    return result


def scenario_get(*, store, code: str) -> Scenario:
    """An official scenario or one of ``store``'s own by code; 404 for anything else (another store's code too)."""
    scenario = (
        Scenario.objects.filter(_visible_to(store), code=code)
        .order_by(F("store_id").asc(nulls_first=True))
        .first()
        if code
        else None
    )
    if scenario is None:
        raise Http404(gettext("No scenario '%(code)s'.") % {"code": code})
    return scenario


def placeholders(text: str) -> list[str]:
    """Placeholder names in ``text`` (``{days}`` → ``days``), first occurrence order, each once."""
    seen: list[str] = []
    for name in PLACEHOLDER_RE.findall(text or ""):
        if name not in seen:
            seen.append(name)
    return seen


def scenario_placeholders(scenario: Scenario) -> list[str]:
    """Every placeholder used by any language of the scenario."""
    names: list[str] = []
    for text in scenario_texts(scenario).values():
        for name in placeholders(text):
            if name not in names:
                names.append(name)
    return names


def _checked_language(language: str | None) -> str:
    code = normalize_language(language)
    if code is None:
        options = ", ".join(SUPPORTED_LANGUAGES)
        raise ApplicationError(
            {
                "language": gettext("Language '%(value)s' is not supported; use one of: %(options)s.")
                % {"value": language or "", "options": options}
            }
        )
    return code


def render_text(*, text: str, variables: dict) -> str:
    """Fill ``{name}`` placeholders from ``variables``; an unfilled one is an error naming it."""
    values = {str(k): ("" if v is None else str(v)).strip() for k, v in (variables or {}).items()}
    missing = [name for name in placeholders(text) if not values.get(name)]
    if missing:
        listed = ", ".join(f"{{{name}}}" for name in missing)
        raise ApplicationError(
            {
                "variables": ngettext(
                    "Fill the placeholder %(listed)s before sending this reply.",
                    "Fill the placeholders %(listed)s before sending this reply.",
                    len(missing),
                )
                % {"listed": listed}
            }
        )
    return PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], text)


def scenario_render(*, store, code: str, language: str | None, variables: dict | None = None) -> RenderedText:
    """Scenario ``code`` in ``language`` with its placeholders filled.

    A language the scenario has no text for is an error naming it and the languages that are available;
    nothing is ever machine-translated.
    """
    scenario = scenario_get(store=store, code=code)
    lang = _checked_language(language)
    available = scenario_languages(scenario)
    if lang not in available:
        listed = ", ".join(_language_label(a) for a in available) or "none"
        raise ApplicationError(
            {
                "language": gettext(
                    "Scenario '%(code)s' has no %(value)s text. Available: %(listed)s. Pick one of those, or write the reply yourself."
                )
                % {"code": scenario.code, "value": _language_label(lang), "listed": listed}
            }
        )
    with translation.override(django_language(lang)):
        body = scenario.body
    return RenderedText(
        text=render_text(text=body, variables=variables or {}), language=lang, direction=direction(lang)
    )


def reply_language(*, locale: str, buyer_texts: list[str]) -> str:
    """The buyer's language: their locale if it is one of the nine, else detected in their latest messages
    (``buyer_texts``, oldest first), else English."""
    locale_language = normalize_language(locale)
    if locale_language:
        return locale_language
    texts = [t for t in buyer_texts if t]
    detected = detect_language("\n".join(texts)) if texts else None
    return detected or DEFAULT_LANGUAGE


def reply_text_render(
    *, store, code: str, language: str | None, buyer_language: str, known: dict, variables: dict
) -> RenderedText:
    """Render scenario ``code`` in ``language`` or else the buyer's language.

    ``known`` holds the values the caller knows (order id, buyer name); the agent's ``variables`` win over
    them; ``days`` and any other placeholder must come from the agent.
    """
    lang = _checked_language(language) if language else buyer_language
    values = dict(known)
    values.update({k: v for k, v in (variables or {}).items() if v not in (None, "")})
    return scenario_render(store=store, code=code, language=lang, variables=values)


# --- suggestions ---


def scenario_suggestions(
    *, store, text: str, order_status: str | None = None, buyer_country: str | None = None
):
    """Scenarios for a buyer message, best first: official ones and ``store``'s own (templates_i18n/suggest.py)."""
    from .suggest import suggest_scenarios

    return suggest_scenarios(store=store, text=text, order_status=order_status, buyer_country=buyer_country)


def suggestions_for_text(
    *, store, text: str, order_status: str | None, language: str, buyer_country: str | None = None
):
    """Scenario suggestions for the reply box, answered in ``language``; no text gets no suggestions."""
    from .suggest import SuggestionResult, suggest_scenarios

    if not text:
        return SuggestionResult(language=language, suggestions=[])
    result = suggest_scenarios(store=store, text=text, order_status=order_status, buyer_country=buyer_country)
    return SuggestionResult(language=language, suggestions=result.suggestions)


# --- banned words ---


def banned_word_list():
    """The whole banned-word list (one list for every store), by language then word."""
    from .models import BannedWord

    return BannedWord.objects.select_related("updated_by").order_by("language", "term", "id")


def banned_word_get(*, banned_word_id: int):
    """One banned-word entry; 404 when there is none."""
    from django.shortcuts import get_object_or_404

    from .models import BannedWord

    return get_object_or_404(BannedWord.objects.select_related("updated_by"), pk=banned_word_id)


# --- picks (issue 13, point 5) ---


def scenario_pick_report(*, store, days: int = 90) -> dict:
    """How often the store's agents took the first suggestion, per reply language, over the last ``days``;
    and the scenarios picked most. Only the store's own picks."""
    from datetime import timedelta

    from django.db.models import Count
    from django.utils import timezone

    from .languages import LANGUAGE_NAMES
    from .models import ScenarioPick

    picks = ScenarioPick.objects.filter(store=store, created_at__gte=timezone.now() - timedelta(days=days))
    rows = (
        picks.values("language")
        .annotate(
            picks=Count("id"),
            offered=Count("id", filter=~Q(suggested_code="")),
            first=Count("id", filter=Q(picked_code=F("suggested_code")) & ~Q(suggested_code="")),
        )
        .order_by("language")
    )
    languages = [
        {
            **row,
            "name": LANGUAGE_NAMES.get(row["language"], row["language"]),
            "share": round(100 * row["first"] / row["offered"]) if row["offered"] else None,
        }
        for row in rows
    ]
    total = {k: sum(r[k] for r in languages) for k in ("picks", "offered", "first")}
    total["share"] = round(100 * total["first"] / total["offered"]) if total["offered"] else None
    top = list(picks.values("picked_code").annotate(n=Count("id")).order_by("-n", "picked_code")[:10])
    return {"days": days, "languages": languages, "total": total, "top": top}


# --- the gist of a buyer message, for agents who don't read the buyer's language ---

GIST_CACHE_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class MessageGist:
    """What a buyer message is about, from the suggestion model: its language and, when the best
    suggestion is confident, the scenario. ``confident`` False means "not sure" and ``code`` is empty."""

    language: str
    code: str = ""
    title: str = ""
    confident: bool = False

    @property
    def label(self) -> str:
        """The gist in the current interface language: "俄语 · 询问发货延迟" or "俄语 · 不确定…"."""
        from django.utils.translation import gettext

        from .scenario_titles import OFFICIAL_TOPICS

        name = str(LANGUAGE_NAMES.get(self.language, self.language or "?"))
        if not self.confident:
            return gettext("%(language)s · not sure what it is about; read the message") % {"language": name}
        topic = gettext(OFFICIAL_TOPICS[self.code]) if self.code in OFFICIAL_TOPICS else self.title
        return f"{name} · {topic}"


def _gist_key(store, message_id: int, text: str) -> str:
    import hashlib

    digest = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
    return f"gist:v1:{store.pk if store else 0}:{message_id}:{digest}"


def message_gists(*, store, messages, order_status: str | None = None, buyer_country: str | None = None):
    """Gists for buyer messages (objects with ``id``, ``text`` and ``language``), by message id.

    Read from the cache in one round trip, keyed by message id and a hash of the text; only the misses run
    the suggestion model (local embeddings, no network), and they are stored back in one round trip."""
    from django.core.cache import cache

    from .suggest import suggest_scenarios

    wanted = {_gist_key(store, m.id, m.text): m for m in messages if (m.text or "").strip()}
    found = cache.get_many(list(wanted)) if wanted else {}
    gists: dict[int, MessageGist] = {}
    fresh = {}
    titles = None
    for key, message in wanted.items():
        if key in found:
            gists[message.id] = MessageGist(**found[key])
            continue
        result = suggest_scenarios(
            store=store, text=message.text, order_status=order_status, buyer_country=buyer_country
        )
        language = message.language or result.language
        best = result.suggestions[0] if result.suggestions else None
        if best is not None and best.confident:
            if titles is None:
                titles = dict(Scenario.objects.filter(_visible_to(store)).values_list("code", "title"))
            gist = MessageGist(
                language=language, code=best.code, title=titles.get(best.code, ""), confident=True
            )
        else:
            gist = MessageGist(language=language)
        gists[message.id] = gist
        fresh[key] = {
            "language": gist.language,
            "code": gist.code,
            "title": gist.title,
            "confident": gist.confident,
        }
    if fresh:
        cache.set_many(fresh, GIST_CACHE_SECONDS)
    return gists
