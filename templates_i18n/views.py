"""Pages: the scenario library (replies) and the banned-word list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from seller_desk.auth import is_platform_admin, membership_of, owner_required
from seller_desk.errors import ApplicationError
from seller_desk.models import OrderStatus

from . import selectors as scenario_selectors
from . import services as scenario_services
from .forms import MATCH_CHOICES, MATCH_HELP, BannedWordForm, ScenarioForm
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
            raise PermissionDenied(gettext("This account is not a member of a store."))
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
        raise PermissionDenied(gettext("Store templates belong to a store."))
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
            messages.success(
                request,
                gettext("Template “%(value)s” saved.")
                % {"value": scenario_selectors.scenario_title(scenario)},
            )
            return redirect(f"{reverse('scenario-library')}?code={scenario.code}")
    return _scenario_form_page(request, form=form)


@_library_access
@require_http_methods(["GET", "POST"])
def scenario_edit(request, code: str):
    """Edit a store template (its members) or an official scenario (platform admins)."""
    scenario = scenario_selectors.scenario_get(store=request.store, code=code)
    if not _can_edit(request, scenario):
        raise PermissionDenied(gettext("Official scenarios are edited by platform admins only."))
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
            messages.success(
                request,
                gettext("“%(value)s” saved.") % {"value": scenario_selectors.scenario_title(scenario)},
            )
            return redirect(f"{reverse('scenario-library')}?code={scenario.code}")
    return _scenario_form_page(request, form=form, scenario=scenario)


@_library_access
@require_POST
def scenario_delete(request, code: str):
    if request.store is None:
        raise PermissionDenied(gettext("Official scenarios cannot be deleted."))
    scenario = scenario_selectors.scenario_get(store=request.store, code=code)
    title = scenario_selectors.scenario_title(scenario)
    scenario_services.store_template_delete(store=request.store, acting_user=request.user, code=code)
    messages.success(request, gettext("Template “%(title)s” deleted.") % {"title": title})
    return redirect("scenario-library")


# --- banned words ---


def _banned_words_access(view):
    """Store members read the list; platform admins (with or without a store) also edit it."""

    @login_required
    def wrapper(request, *args, **kwargs):
        if membership_of(request.user) is None and not is_platform_admin(request.user):
            raise PermissionDenied(gettext("This account is not a member of a store."))
        request.can_edit_banned_words = is_platform_admin(request.user)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _banned_words_admin_only(request) -> None:
    if not request.can_edit_banned_words:
        raise PermissionDenied(gettext("Only platform admins may change the banned-word list."))


def _banned_word_display(banned_word):
    """The entry with the labels its row shows."""
    banned_word.language_name = LANGUAGE_NAMES.get(banned_word.language, gettext("Every language"))
    banned_word.match_label = dict(MATCH_CHOICES).get(banned_word.match, banned_word.match)
    banned_word.match_help = MATCH_HELP.get(banned_word.match, "")
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
            notice = gettext("Added “%(term)s”. Every desk process enforces it within a second.") % {
                "term": created.term
            }
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
            messages.success(request, gettext("Saved “%(term)s”.") % {"term": banned_word.term})
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
    messages.success(request, gettext("Removed “%(term)s” from the list.") % {"term": term})
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


# --- picks report (issue 13, point 5) ---


@owner_required
@require_http_methods(["GET"])
def scenario_pick_report(request):
    """How often the agents took the first suggestion, per reply language (the store's own picks only)."""
    try:
        days = int(request.GET.get("days", 90))
    except ValueError:
        days = 90
    days = days if days in PICK_REPORT_DAYS else 90
    report = scenario_selectors.scenario_pick_report(store=request.store, days=days)
    titles = {s.code: s.title for s in scenario_selectors.scenario_list(store=request.store)}
    for row in report["top"]:
        row["title"] = titles.get(row["picked_code"], row["picked_code"])
    return render(
        request,
        "templates_i18n/scenario_picks.html",
        {"nav": "replies", "report": report, "day_choices": PICK_REPORT_DAYS},
    )


PICK_REPORT_DAYS = (7, 30, 90, 365)
