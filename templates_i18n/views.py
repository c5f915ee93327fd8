"""Pages: the scenario library (replies) and the banned-word list."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from seller_desk.auth import is_platform_admin, membership_of
from seller_desk.errors import ApplicationError
from seller_desk.models import OrderStatus

from . import selectors as scenario_selectors
from . import services as scenario_services
from .languages import DEFAULT_LANGUAGE, LANGUAGE_NAMES, SUPPORTED_LANGUAGES, direction, field_suffix
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


def _scenario_row(scenario) -> dict:
    available = set(scenario_selectors.scenario_languages(scenario))
    return {
        "scenario": scenario,
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
    rows = [_scenario_row(s) for s in scenarios]
    code = request.GET.get("code") or (scenarios[0].code if scenarios else "")
    selected = scenario_selectors.scenario_get(store=request.store, code=code) if code else None
    detail = None
    if selected is not None:
        texts = scenario_selectors.scenario_texts(selected)
        seed = official_scenario(selected.code) if selected.is_official else None
        detail = {
            "scenario": selected,
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
