from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.defaults import page_not_found
from django.views.static import serve

from .auth import membership_of, owner_required
from .errors import ApplicationError, date_value
from .forms import ThrottledAuthenticationForm
from .models import AuditKind, MemberRole
from .selectors import AUDIT_PAGE_SIZE, audit_actors, audit_event_list, member_get, member_list
from .services import (
    member_invite,
    member_remove,
    member_role_change,
    store_revoke_integration_token,
    store_rotate_integration_token,
)
from .storage import SIGNATURE_PARAM, media_signature_valid


class LoginView(auth_views.LoginView):
    """Django's login page with the shared-cache lock: a locked login answers 429 with ``Retry-After``."""

    template_name = "registration/login.html"
    authentication_form = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked_seconds:
            response.status_code = 429
            response["Retry-After"] = str(form.locked_seconds)
        return response


def not_found(request, exception=None):
    """404: the API's JSON error shape under ``/api/`` (a path no route matches, too), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": {"detail": ["Not found."]}}, status=404)
    return page_not_found(request, exception)


@login_required
def home(request):
    if membership_of(request.user) is not None:
        return redirect("inbox")
    return redirect("admin:index")


@require_safe
def media_file(request, path: str):
    """An uploaded file, only under the signed URL its storage hands out; any other path is a 404."""
    if not media_signature_valid(path, request.GET.get(SIGNATURE_PARAM)):
        raise Http404("No such file.")
    return serve(request, path, document_root=settings.MEDIA_ROOT)


@owner_required
def team(request):
    """The owner's team page: who works the desk, as what; add agents, change roles, remove people."""
    form_errors: dict[str, list[str]] = {}
    form_values = {"username": "", "role": MemberRole.AGENT}
    if request.method == "POST":
        form_values = {"username": request.POST.get("username", ""), "role": request.POST.get("role", "")}
        try:
            membership = member_invite(
                store=request.store,
                acting_user=request.user,
                username=form_values["username"],
                password=request.POST.get("password", ""),
                role=form_values["role"],
            )
        except ApplicationError as exc:
            form_errors = exc.errors
        else:
            messages.success(
                request, f"{membership.user.username} can now log in as {membership.get_role_display()}."
            )
            return redirect("team")
    return render(
        request,
        "seller_desk/team.html",
        {
            "nav": "team",
            "members": member_list(store=request.store),
            "roles": MemberRole.choices,
            "form_errors": form_errors,
            "form_values": form_values,
        },
        status=400 if form_errors else 200,
    )


@owner_required
@require_POST
def team_member_role(request, member_id: int):
    membership = member_get(store=request.store, membership_id=member_id)
    try:
        member_role_change(
            store=request.store,
            acting_user=request.user,
            membership_id=membership.pk,
            role=request.POST.get("role", ""),
        )
    except ApplicationError as exc:
        messages.error(request, " ".join(m for msgs in exc.errors.values() for m in msgs))
    else:
        messages.success(request, f"{membership.user.username}'s role is saved.")
    return redirect("team")


@owner_required
@require_POST
def team_member_remove(request, member_id: int):
    membership = member_get(store=request.store, membership_id=member_id)
    try:
        member_remove(store=request.store, acting_user=request.user, membership_id=membership.pk)
    except ApplicationError as exc:
        messages.error(request, " ".join(m for msgs in exc.errors.values() for m in msgs))
    else:
        messages.success(request, f"{membership.user.username} no longer has access to the desk.")
    return redirect("team")


def _integration_page(request, *, new_token: str | None = None):
    last = audit_event_list(store=request.store, kind_group="store").first()
    response = render(
        request,
        "seller_desk/integration.html",
        {
            "nav": "team",
            "new_token": new_token,
            "revoked": request.store.integration_token_hash.startswith("revoked:"),
            "last_change": last,
        },
    )
    if new_token:
        response["Cache-Control"] = "no-store"  # the token is shown once; no cache keeps it
    return response


@owner_required
@require_safe
def integration_settings(request):
    """The owner's integration page: rotate or revoke the token the marketplace calls ingress with."""
    return _integration_page(request)


@owner_required
@require_POST
def integration_token_rotate(request):
    token = store_rotate_integration_token(store=request.store, acting_user=request.user)
    return _integration_page(request, new_token=token)


@owner_required
@require_POST
def integration_token_revoke(request):
    store_revoke_integration_token(store=request.store, acting_user=request.user)
    messages.success(
        request,
        _("The integration token is revoked: the marketplace can't call ingress until you rotate it."),
    )
    return redirect("integration-settings")


SUBJECT_LABELS = {
    "membership": "team member",
    "store": "store",
    "order": "order",
    "coupon": "coupon",
    "campaign": "campaign",
    "autoreplysettings": "auto-reply",
    "bannedword": "banned word",
    "scenario": "scenario",
}


def _detail_lines(details: dict) -> list[str]:
    """An event's details as short lines a person reads: ``field: old → new`` for changes, times and dates
    in the store's zone."""
    details = dict(details or {})
    lines = []
    if "from" in details and "to" in details:
        lines.append(f"{_short(details.pop('from'))} → {_short(details.pop('to'))}")
    for key, value in details.items():
        if key == "changes" and isinstance(value, dict):
            for field, pair in value.items():
                if isinstance(pair, (list, tuple)) and len(pair) == 2:
                    lines.append(f"{field}: {_short(pair[0])} → {_short(pair[1])}")
                else:
                    lines.append(f"{field}: {_short(pair)}")
        elif isinstance(value, (list, tuple)) and len(value) == 2 and key in ("enabled", "welcome_text"):
            lines.append(f"{key}: {_short(value[0])} → {_short(value[1])}")
        else:
            lines.append(f"{key}: {_short(value)}")
    return lines


def _short(value, limit: int = 80) -> str:
    if isinstance(value, (list, tuple)):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, str) and len(value) > 19 and value[4:5] == "-" and value[10:11] == "T":
        when = parse_datetime(value)
        text = date_format(timezone.localtime(when), "M j, Y H:i") if when else value
    else:
        text = str(value)
    if text == "":
        return "—"
    return text if len(text) <= limit else text[: limit - 1] + "…"


@owner_required
@require_safe
def audit_log_page(request):
    """The owner's audit log: every change people ask about later, with filters by kind, person and date."""
    errors: dict[str, str] = {}
    kind = request.GET.get("kind") or ""
    group = ""
    if kind.endswith(".*"):
        group, kind = kind[:-2], ""
    if kind and kind not in AuditKind.values:
        errors["kind"] = "Pick a kind from the list."
        kind = ""
    if group and group not in AUDIT_GROUPS:
        errors["kind"] = "Pick a kind from the list."
        group = ""
    actor_id = request.GET.get("actor") or ""
    actor_id = int(actor_id) if actor_id.isdigit() else None
    dates = {}
    for field in ("since", "until"):
        dates[field] = date_value(request.GET.get(field) or None, field, errors)
    if dates["since"] and dates["until"] and dates["since"] > dates["until"]:
        errors["until"] = "The end date is before the start date."
        dates["until"] = None
    events = audit_event_list(
        store=request.store,
        kind=kind or None,
        kind_group=group or None,
        actor_id=actor_id,
        since=dates["since"],
        until=dates["until"],
    )
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    with timezone.override(ZoneInfo(request.store.timezone)):
        rows = [
            {
                "event": e,
                "lines": _detail_lines(e.details),
                "subject_kind": SUBJECT_LABELS.get(e.subject_type, e.subject_type),
            }
            for e in page.object_list
        ]
        return render(
            request,
            "seller_desk/audit.html",
            {
                "nav": "audit-log",
                "rows": rows,
                "page": page,
                "query": query.urlencode(),
                "errors": errors,
                "kind_groups": [
                    (key, label, [(k.value, k.label) for k in AuditKind if k.value.startswith(f"{key}.")])
                    for key, label in AUDIT_GROUPS.items()
                ],
                "selected_kind": f"{group}.*" if group else kind,
                "actors": audit_actors(store=request.store),
                "selected_actor": actor_id,
                "since": request.GET.get("since", ""),
                "until": request.GET.get("until", ""),
                "store_timezone": request.store.timezone,
            },
            status=400 if errors else 200,
        )


AUDIT_GROUPS = {
    "member": "Team",
    "store": "Store",
    "order": "Orders",
    "dispute": "Disputes",
    "coupon": "Coupons",
    "campaign": "Campaigns",
    "autoreply": "Auto-reply",
    "banned_word": "Banned words (platform)",
    "scenario": "Official scenarios (platform)",
}
