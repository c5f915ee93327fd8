"""Pages: the scenario library (replies), the banned-word list, and the inbox's reply assist panel."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from seller_desk.auth import is_platform_admin, membership_of, store_member_required
from seller_desk.errors import ApplicationError
from seller_desk.models import OrderStatus

from . import selectors as scenario_selectors
from . import services as scenario_services
from .languages import DEFAULT_LANGUAGE, LANGUAGE_NAMES, SUPPORTED_LANGUAGES, direction, field_suffix
from .models import Voice
from .scenario_seed import official_scenario

# --- scenarios ---


def _library_access(view):
    """Store members (their store's library) and platform admins (the official library, also without a store)."""

    @login_required
    def wrapper(request, *args, **kwargs):
        membership = membership_of(request.user)
        if membership is None and not is_platform_admin(request.user):
            raise PermissionDenied("This account is not a member of a store.")
        request.membership = membership
        request.store = membership.store if membership else None
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _can_edit(request, scenario) -> bool:
    if scenario.is_official:
        return is_platform_admin(request.user)
    return request.store is not None and scenario.store_id == request.store.id


def _text_parts(text: str) -> list[dict]:
    """The text cut around its placeholders, so the page can highlight ``{days}`` and the like."""
    parts = []
    for n, piece in enumerate(scenario_selectors.PLACEHOLDER_RE.split(text)):
        if piece:
            parts.append({"text": f"{{{piece}}}" if n % 2 else piece, "placeholder": bool(n % 2)})
    return parts


def _library_today(request):
    from django.utils import timezone

    from seller_desk.selectors import store_local_date

    return store_local_date(request.store) if request.store is not None else timezone.localdate()


def _scenario_labels(scenario, today) -> dict:
    """Voice, markets and season of a scenario, as the library and the reply box show them."""
    return {
        "advice": scenario.voice == Voice.ADVICE,
        "markets": list(scenario.markets or ()),
        "out_of_season": not scenario.in_season(today),
        "valid_from": scenario.valid_from,
        "valid_until": scenario.valid_until,
    }


def _scenario_row(scenario, today) -> dict:
    available = set(scenario_selectors.scenario_languages(scenario))
    return {
        "scenario": scenario,
        **_scenario_labels(scenario, today),
        "title": scenario_selectors.scenario_title(scenario),
        "chips": [
            {"code": lang, "name": LANGUAGE_NAMES[lang], "present": lang in available}
            for lang in SUPPORTED_LANGUAGES
        ],
        "count": len(available),
    }


@_library_access
def scenario_library(request):
    """The library: official scenarios then the store's own, filtered by order status; one shown in full."""
    order_status = request.GET.get("order_status") or None
    if order_status not in OrderStatus.values:
        order_status = None
    scenarios = scenario_selectors.scenario_list(store=request.store, order_status=order_status)
    today = _library_today(request)
    rows = [_scenario_row(s, today) for s in scenarios]
    code = request.GET.get("code") or (scenarios[0].code if scenarios else "")
    selected = scenario_selectors.scenario_get(store=request.store, code=code) if code else None
    detail = None
    if selected is not None:
        texts = scenario_selectors.scenario_texts(selected)
        seed = official_scenario(selected.code) if selected.is_official else None
        detail = {
            "scenario": selected,
            **_scenario_labels(selected, today),
            "title": scenario_selectors.scenario_title(selected),
            "question": seed["question"] if seed else "",
            "seed_heading": seed["seed_heading"] if seed else "",
            "texts": [
                {
                    "code": lang,
                    "name": LANGUAGE_NAMES[lang],
                    "dir": direction(lang),
                    "parts": _text_parts(text),
                }
                for lang, text in texts.items()
            ],
            "missing": [
                {"code": lang, "name": LANGUAGE_NAMES[lang]}
                for lang in scenario_selectors.scenario_missing_languages(selected)
            ],
            "placeholders": scenario_selectors.scenario_placeholders(selected),
            "statuses": [OrderStatus(s).label for s in selected.order_statuses if s in OrderStatus.values],
            "can_edit": _can_edit(request, selected),
            "default_language": DEFAULT_LANGUAGE
            if DEFAULT_LANGUAGE in texts
            else next(iter(texts), DEFAULT_LANGUAGE),
        }
    return render(
        request,
        "templates_i18n/scenario_library.html",
        {
            "nav": "scenario-library",
            "official_rows": [r for r in rows if r["scenario"].is_official],
            "own_rows": [r for r in rows if not r["scenario"].is_official],
            "detail": detail,
            "order_status": order_status or "",
            "order_statuses": OrderStatus.choices,
            "has_store": request.store is not None,
        },
    )


@_library_access
def scenario_preview(request, code: str):
    """htmx partial: the scenario rendered in one language with the agent's placeholder values."""
    language = request.GET.get("language") or DEFAULT_LANGUAGE
    variables = {k: v for k, v in request.GET.items() if k != "language"}
    context = {"language_name": LANGUAGE_NAMES.get(language, language)}
    try:
        rendered = scenario_selectors.scenario_render(
            store=request.store, code=code, language=language, variables=variables
        )
        context["rendered"] = rendered
    except ApplicationError as exc:
        context["errors"] = [m for msgs in exc.errors.values() for m in msgs]
    return render(request, "templates_i18n/scenario_preview.html", context)


class ScenarioForm(forms.Form):
    title = forms.CharField(max_length=300)
    confirm_dates = forms.BooleanField(
        required=False,
        label="The dates are right: save the text with the past dates it names",
    )
    order_statuses = forms.MultipleChoiceField(
        choices=OrderStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to offer it for every order status.",
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

    def add_application_error(self, exc: ApplicationError) -> None:
        for field, msgs in exc.errors.items():
            for msg in msgs:
                self.add_error(field if field in self.fields else None, msg)


def _scenario_form_page(request, *, form, scenario=None):
    return render(
        request,
        "templates_i18n/scenario_form.html",
        {"nav": "scenario-library", "form": form, "scenario": scenario},
    )


@_library_access
@require_http_methods(["GET", "POST"])
def scenario_new(request):
    """A store's own template in any of the nine languages."""
    if request.store is None:
        raise PermissionDenied("Store templates belong to a store.")
    form = ScenarioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = scenario_services.store_template_create(
                store=request.store,
                acting_user=request.user,
                title=form.cleaned_data["title"],
                texts={k: v for k, v in form.texts().items() if v},
                order_statuses=form.cleaned_data["order_statuses"],
            )
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, f"Template “{scenario_selectors.scenario_title(scenario)}” saved.")
            return redirect(f"{reverse('scenario-library')}?code={scenario.code}")
    return _scenario_form_page(request, form=form)


@_library_access
@require_http_methods(["GET", "POST"])
def scenario_edit(request, code: str):
    """Edit a store template (its members) or an official scenario (platform admins)."""
    scenario = scenario_selectors.scenario_get(store=request.store, code=code)
    if not _can_edit(request, scenario):
        raise PermissionDenied("Official scenarios are edited by platform admins only.")
    initial = {
        "title": scenario_selectors.scenario_title(scenario),
        "order_statuses": scenario.order_statuses,
    }
    for lang, text in scenario_selectors.scenario_texts(scenario).items():
        initial[f"body_{field_suffix(lang)}"] = text
    form = ScenarioForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = scenario_services.scenario_update(
                store=request.store,
                acting_user=request.user,
                code=code,
                title=form.cleaned_data["title"],
                texts=form.texts(),
                order_statuses=form.cleaned_data["order_statuses"],
                confirm_dates=form.cleaned_data.get("confirm_dates", False),
            )
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            messages.success(request, f"“{scenario_selectors.scenario_title(scenario)}” saved.")
            return redirect(f"{reverse('scenario-library')}?code={scenario.code}")
    return _scenario_form_page(request, form=form, scenario=scenario)


@_library_access
@require_POST
def scenario_delete(request, code: str):
    if request.store is None:
        raise PermissionDenied("Official scenarios cannot be deleted.")
    scenario = scenario_selectors.scenario_get(store=request.store, code=code)
    title = scenario_selectors.scenario_title(scenario)
    scenario_services.store_template_delete(store=request.store, acting_user=request.user, code=code)
    messages.success(request, f"Template “{title}” deleted.")
    return redirect("scenario-library")


# --- banned words ---

_BANNED_LANGUAGE_CHOICES = [
    ("", "Every language"),
    *((code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES),
]
_MATCH_CHOICES = [
    ("word", "Whole word"),
    ("stem", "All forms (stem)"),
    ("substring", "Anywhere"),
]
_MATCH_HELP = {
    "word": "The word on its own; English words also with -s, -es, -ly, -al, -ally, -ness.",
    "stem": "Every inflected form: Russian endings (эпидемии, эпидемией…); other languages: words starting with it.",
    "substring": "Anywhere, even inside other words.",
}


class BannedWordForm(forms.Form):
    """Shapes only: the rules are banned_word_clean's, and its errors land on these fields."""

    term = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "Word"}),
    )
    language = forms.ChoiceField(required=False, choices=_BANNED_LANGUAGE_CHOICES)
    match = forms.ChoiceField(choices=_MATCH_CHOICES, initial="word")
    suggestion = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "Say instead…"}),
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def add_application_error(self, exc: ApplicationError) -> None:
        for field, field_messages in exc.errors.items():
            for message in field_messages:
                self.add_error(field if field in self.fields else None, message)


def _banned_words_access(view):
    """Store members read the list; platform admins (with or without a store) also edit it."""

    @login_required
    def wrapper(request, *args, **kwargs):
        if membership_of(request.user) is None and not is_platform_admin(request.user):
            raise PermissionDenied("This account is not a member of a store.")
        request.can_edit_banned_words = is_platform_admin(request.user)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _banned_words_admin_only(request) -> None:
    if not request.can_edit_banned_words:
        raise PermissionDenied("Only platform admins may change the banned-word list.")


def _banned_word_display(banned_word):
    """The entry with the labels its row shows."""
    banned_word.language_name = LANGUAGE_NAMES.get(banned_word.language, "Every language")
    banned_word.match_label = dict(_MATCH_CHOICES).get(banned_word.match, banned_word.match)
    banned_word.match_help = _MATCH_HELP.get(banned_word.match, "")
    return banned_word


def _banned_words_context(request, *, form=None, edit_form=None, editing_id=None, notice="") -> dict:
    return {
        "nav": "banned-words",
        "words": [_banned_word_display(w) for w in scenario_selectors.banned_word_list()],
        "can_edit": request.can_edit_banned_words,
        "form": form or BannedWordForm(),
        "edit_form": edit_form,
        "editing_id": editing_id,
        "notice": notice,
    }


def _banned_word_form_initial(banned_word) -> dict:
    return {
        "term": banned_word.term,
        "language": banned_word.language,
        "match": banned_word.match,
        "suggestion": banned_word.suggestion,
        "is_active": banned_word.is_active,
    }


def _banned_word_row(request, banned_word, *, form=None):
    context = {"word": _banned_word_display(banned_word), "can_edit": request.can_edit_banned_words}
    if form is not None:
        context["edit_form"] = form
        return render(request, "templates_i18n/banned_word_form_row.html", context)
    return render(request, "templates_i18n/banned_word_row.html", context)


@_banned_words_access
def banned_words(request):
    """The banned-word list, a "try a text" box, and (platform admins) inline editing."""
    return render(request, "templates_i18n/banned_words.html", _banned_words_context(request))


@_banned_words_access
@require_POST
def banned_word_new(request):
    _banned_words_admin_only(request)
    form = BannedWordForm(request.POST)
    if form.is_valid():
        try:
            created = scenario_services.banned_word_create(acting_user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            notice = f"Added “{created.term}”. Every desk process enforces it within a second."
            if request.htmx:
                context = _banned_words_context(request, notice=notice)
                return render(request, "templates_i18n/banned_words_panel.html", context)
            messages.success(request, notice)
            return redirect("banned-words")
    context = _banned_words_context(request, form=form)
    template = "banned_words_panel.html" if request.htmx else "banned_words.html"
    return render(request, f"templates_i18n/{template}", context, status=200 if request.htmx else 400)


@_banned_words_access
@require_http_methods(["GET", "POST"])
def banned_word_edit(request, banned_word_id: int):
    _banned_words_admin_only(request)
    banned_word = scenario_selectors.banned_word_get(banned_word_id=banned_word_id)
    if request.method == "GET":
        form = BannedWordForm(initial=_banned_word_form_initial(banned_word))
        if request.htmx:
            return _banned_word_row(request, banned_word, form=form)
        context = _banned_words_context(request, edit_form=form, editing_id=banned_word.pk)
        return render(request, "templates_i18n/banned_words.html", context)
    form = BannedWordForm(request.POST)
    if form.is_valid():
        try:
            banned_word = scenario_services.banned_word_update(
                acting_user=request.user, banned_word=banned_word, **form.cleaned_data
            )
        except ApplicationError as exc:
            form.add_application_error(exc)
        else:
            if request.htmx:
                return _banned_word_row(request, banned_word)
            messages.success(request, f"Saved “{banned_word.term}”.")
            return redirect("banned-words")
    if request.htmx:
        return _banned_word_row(request, banned_word, form=form)
    context = _banned_words_context(request, edit_form=form, editing_id=banned_word.pk)
    return render(request, "templates_i18n/banned_words.html", context, status=400)


@_banned_words_access
def banned_word_row(request, banned_word_id: int):
    """One row as shown (an inline edit's Cancel)."""
    banned_word = scenario_selectors.banned_word_get(banned_word_id=banned_word_id)
    if not request.htmx:
        return redirect("banned-words")
    return _banned_word_row(request, banned_word)


@_banned_words_access
@require_POST
def banned_word_delete(request, banned_word_id: int):
    from django.http import HttpResponse

    _banned_words_admin_only(request)
    banned_word = scenario_selectors.banned_word_get(banned_word_id=banned_word_id)
    term = banned_word.term
    scenario_services.banned_word_delete(acting_user=request.user, banned_word=banned_word)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, f"Removed “{term}” from the list.")
    return redirect("banned-words")


def text_check_segments(text: str, hits) -> list[dict]:
    """The text cut into plain and banned pieces, for highlighting (each piece escaped by the template)."""
    segments: list[dict] = []
    position = 0
    for hit in hits:
        if hit.start > position:
            segments.append({"text": text[position : hit.start], "hit": None})
        segments.append({"text": text[hit.start : hit.end], "hit": hit})
        position = hit.end
    if position < len(text):
        segments.append({"text": text[position:], "hit": None})
    return segments


@_banned_words_access
@require_POST
def text_check_partial(request):
    """POST ``text`` → an HTML fragment with the banned words highlighted; ``data-ok`` says whether it may be sent."""
    from .guard import banned_words_message, text_check

    text = request.POST.get("text", "")
    hits = text_check(text)
    context = {
        "text": text,
        "hits": hits,
        "ok": not hits,
        "segments": text_check_segments(text, hits),
        "message": banned_words_message(hits) if hits else "",
    }
    return render(request, "templates_i18n/text_check_result.html", context)


# --- reply assist ---
# The panel above the inbox reply box (docs/reply-assist.md): suggested scenarios, the reply language,
# the "/" search over every scenario the store can use, rendering a pick for the conversation, and the
# banned-word check as the agent types. The conversation comes from conversations.selectors, scoped to
# the member's store (another store's conversation is a 404).

REPLY_ASSIST_SUGGESTIONS = 3
# Snippet of text shown on each side of a banned word under the reply box.
REPLY_ASSIST_CONTEXT = 32


def _assist_conversation(request, conversation_id: int):
    from conversations.selectors import conversation_get

    return conversation_get(store=request.store, conversation_id=conversation_id)


def _assist_language(request, conversation) -> str:
    """The language asked for (one of the nine), else the buyer's language."""
    from .languages import normalize_language

    return normalize_language(request.GET.get("language")) or scenario_selectors.reply_language_for(
        conversation
    )


def _language_reason(conversation) -> str:
    """Why this language was chosen, in the words of the rule (locale, else detected, else English)."""
    from .languages import normalize_language

    locale = conversation.buyer.locale
    if normalize_language(locale):
        return f"buyer's locale: {locale}"
    shown = f"{locale} (not one of the nine)" if locale else "not set"
    return f"buyer's locale: {shown} — read from their messages, else English"


def _assist_languages(available=None) -> list[dict]:
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "dir": direction(code),
            "present": available is None or code in available,
        }
        for code in SUPPORTED_LANGUAGES
    ]


def _assist_scenario(scenario) -> dict:
    return {
        "code": scenario.code,
        "title": scenario_selectors.scenario_title(scenario),
        "official": scenario.is_official,
        "languages": scenario_selectors.scenario_languages(scenario),
        "advice": scenario.voice == Voice.ADVICE,
    }


@require_GET
@store_member_required
def reply_assist(request, conversation_id: int):
    """The assist panel: reply language with the nine to switch to, the "/" list, and a slot the
    suggestions load into (they may take a moment on a cold process, the rest must not wait)."""
    conversation = _assist_conversation(request, conversation_id)
    language = _assist_language(request, conversation)
    scenarios = [_assist_scenario(s) for s in scenario_selectors.scenario_list(store=request.store)]
    return render(
        request,
        "templates_i18n/_reply_assist.html",
        {
            "conversation": conversation,
            "language": language,
            "language_name": LANGUAGE_NAMES[language],
            "language_reason": _language_reason(conversation),
            "languages": _assist_languages(),
            "scenarios": scenarios,
        },
    )


@require_GET
@store_member_required
def reply_assist_suggestions(request, conversation_id: int):
    """The top suggestions for the conversation (buyer's latest messages + order status), best first."""
    conversation = _assist_conversation(request, conversation_id)
    result = scenario_selectors.suggestions_for_conversation(store=request.store, conversation=conversation)
    language = _assist_language(request, conversation)
    by_code = {s.code: s for s in scenario_selectors.scenario_list(store=request.store)}
    ranked = [s for s in result.suggestions if s.code in by_code]
    lowest = ranked[-1].score if ranked else 0.0
    top = ranked[0].score if ranked else 0.0
    suggestions = []
    for rank, suggestion in enumerate(ranked[:REPLY_ASSIST_SUGGESTIONS], start=1):
        item = _assist_scenario(by_code[suggestion.code])
        spread = top - lowest
        item.update(
            rank=rank,
            score=suggestion.score,
            # Scores only compare within one ranking: the bar shows how close to the best it is,
            # measured against the weakest candidate of the same ranking.
            bar=round(100 * (suggestion.score - lowest) / spread) if spread > 0 else 100,
            has_language=language in item["languages"],
            confident=suggestion.confident,
        )
        item["bar"] = max(item["bar"], 6)
        suggestions.append(item)
    return render(
        request,
        "templates_i18n/_reply_assist_suggestions.html",
        {
            "conversation": conversation,
            "suggestions": suggestions,
            # No confident first suggestion: the box says no official scenario fits and pre-selects none.
            "none_fits": bool(suggestions) and not suggestions[0]["confident"],
            "language": language,
            "language_name": LANGUAGE_NAMES[language],
            "order_status": conversation.order.get_status_display() if conversation.order_id else "",
        },
    )


@require_GET
@store_member_required
def reply_assist_render(request, conversation_id: int):
    """A scenario rendered for the conversation: order id and buyer name filled in, any other
    placeholder left as ``{name}`` for the agent to fill; a missing language names the ones there are."""
    conversation = _assist_conversation(request, conversation_id)
    if not request.GET.get("code"):
        return HttpResponseBadRequest("code: name the scenario to render (?code=…).")
    scenario = scenario_selectors.scenario_get(store=request.store, code=request.GET["code"])
    language = _assist_language(request, conversation)
    known = scenario_selectors.conversation_variables(conversation)
    # Placeholders the conversation cannot fill stay visible as {name}: the agent fills them in the box.
    variables = {name: f"{{{name}}}" for name in scenario_selectors.scenario_placeholders(scenario)}
    variables.update(known)
    available = scenario_selectors.scenario_languages(scenario)
    context = {
        "conversation": conversation,
        "scenario": _assist_scenario(scenario),
        "language": language,
        "language_name": LANGUAGE_NAMES[language],
        "available": [{"code": code, "name": LANGUAGE_NAMES[code]} for code in available],
        "languages": _assist_languages(available),
    }
    if language not in available:
        # Nothing is machine-translated: say so, and offer the languages the scenario is written in.
        context["missing_language"] = True
        return render(request, "templates_i18n/_reply_assist_render.html", context)
    try:
        rendered = scenario_selectors.scenario_render(
            store=request.store, code=scenario.code, language=language, variables=variables
        )
    except ApplicationError as exc:
        context["errors"] = [m for msgs in exc.errors.values() for m in msgs]
    else:
        context["rendered"] = rendered
        used = scenario_selectors.placeholders(scenario_selectors.scenario_texts(scenario)[language])
        context["unfilled"] = scenario_selectors.placeholders(rendered.text)
        context["filled"] = [{"name": name, "value": known[name]} for name in used if name in known]
    return render(request, "templates_i18n/_reply_assist_render.html", context)


def _utf16_length(text: str) -> int:
    """Length in UTF-16 code units: JavaScript's string offsets (an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


@require_POST
@store_member_required
def reply_assist_check(request, conversation_id: int):
    """POST ``text`` → the banned words in it, each in context with its suggestion (``data-ok`` says
    whether the text may be sent). Offsets are given in UTF-16 units for the box's "Replace" buttons."""
    from .guard import text_check

    _assist_conversation(request, conversation_id)
    text = request.POST.get("text", "")
    hits = []
    for hit in text_check(text):
        before, cut_before = _context_before(text, hit.start)
        after, cut_after = _context_after(text, hit.end)
        hits.append(
            {
                "hit": hit,
                "before": before,
                "after": after,
                "cut_before": cut_before,
                "cut_after": cut_after,
                "start16": _utf16_length(text[: hit.start]),
                "end16": _utf16_length(text[: hit.end]),
                "replacement": _matching_case(hit.found, hit.suggestion),
            }
        )
    return render(
        request,
        "templates_i18n/_reply_assist_check.html",
        {"hits": hits, "ok": not hits, "text": text, **_dated_context(text, _library_today(request))},
    )


def _dated_context(text: str, today) -> dict:
    """Past dates (must be confirmed or edited) and relative or seasonal words (to check) in ``text``,
    each with its context, for the reply box and the official-text editor."""
    from .dates import find_dates

    past, notes = [], []
    for mention in find_dates(text, today=today):
        before, cut_before = _context_before(text, mention.start)
        after, cut_after = _context_after(text, mention.end)
        item = {
            "mention": mention,
            "message": mention.message(),
            "before": before,
            "after": after,
            "cut_before": cut_before,
            "cut_after": cut_after,
            "start16": _utf16_length(text[: mention.start]),
            "end16": _utf16_length(text[: mention.end]),
        }
        (past if mention.past else notes).append(item)
    return {"dated": past, "date_notes": [n for n in notes if n["mention"].kind in ("relative", "seasonal")]}


def _context_before(text: str, start: int) -> tuple[str, bool]:
    """Up to REPLY_ASSIST_CONTEXT characters before a hit, starting at a whole word; and whether it was cut."""
    if start <= REPLY_ASSIST_CONTEXT:
        return text[:start], False
    piece = text[start - REPLY_ASSIST_CONTEXT : start]
    space = next((i for i, ch in enumerate(piece) if ch.isspace()), -1)
    return (piece[space + 1 :] if 0 <= space < len(piece) - 1 else piece), True


def _context_after(text: str, end: int) -> tuple[str, bool]:
    """Up to REPLY_ASSIST_CONTEXT characters after a hit, ending at a whole word; and whether it was cut."""
    if end + REPLY_ASSIST_CONTEXT >= len(text):
        return text[end:], False
    piece = text[end : end + REPLY_ASSIST_CONTEXT]
    space = max((i for i, ch in enumerate(piece) if ch.isspace()), default=-1)
    return (piece[:space] if space > 0 else piece), True


def _matching_case(found: str, suggestion: str) -> str:
    """The suggestion written like the word it replaces: capitalised or all capitals when that was."""
    if not suggestion:
        return ""
    letters = [c for c in found if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return suggestion.upper()
    if letters and letters[0].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion
