import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST, require_safe
from django.views.static import serve

from .audit_display import SUBJECT_LABELS, detail_lines
from .auth import is_platform_admin, membership_of, owner_required
from .errors import ApplicationError, date_value
from .forms import ThrottledAuthenticationForm
from .middleware import PREFS_SESSION_KEY, remember_preferences
from .models import AuditKind, MemberRole, UserProfile
from .selectors import AUDIT_PAGE_SIZE, audit_actors, audit_event_list, member_get, member_list
from .services import (
    member_invite,
    member_password_reset,
    member_remove,
    member_role_change,
    profile_update,
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
    """404: the API's JSON error shape under ``/api/`` (a path no route matches, too), the desk's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": {"detail": [_("Not found.")]}}, status=404)
    return render(request, "404.html", status=404)


def forbidden(request, exception=None):
    """403 in the desk's look, saying what the account may not do and where it can go instead."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"errors": {"detail": [_("You do not have permission to perform this action.")]}}, status=403
        )
    reason = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def server_error(request):
    """500 without touching the database (it may be what failed): a static page in the desk's look."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"errors": {"detail": [_("Something went wrong on our side; try again.")]}}, status=500
        )
    return HttpResponseServerError(loader.get_template("500.html").render({"request_path": request.path}))


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the desk's icon."""
    return redirect(static("desk/favicon.svg"), permanent=True)


@login_required
def home(request):
    """Where each role lands after login: store members in the inbox, platform admins at the banned words."""
    if membership_of(request.user) is not None:
        return redirect("inbox")
    if is_platform_admin(request.user):
        return redirect("banned-words")
    raise PermissionDenied(_("This account is not a member of a store and is not a platform admin."))


TIMEZONE_CHOICES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


@login_required
def account(request):
    """Everyone's own settings: interface language, display time zone, and a link to change the password."""
    profile = UserProfile.objects.filter(user=request.user).first()
    membership = membership_of(request.user)
    store_zone = membership.store.timezone if membership else settings.TIME_ZONE
    values = {
        "language": profile.language if profile else "",
        "timezone": profile.timezone if profile else "",
    }
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {"language": request.POST.get("language", ""), "timezone": request.POST.get("timezone", "")}
        try:
            profile = profile_update(
                user=request.user, language=values["language"], tz_name=values["timezone"]
            )
        except ApplicationError as exc:
            errors = exc.errors
        else:
            remember_preferences(request, language=profile.language, tz_name=profile.timezone or store_zone)
            response = redirect("account")
            if profile.language:
                translation.activate(profile.language)
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, profile.language, samesite="Lax")
            messages.success(request, _("Your settings are saved."))
            return response
    return render(
        request,
        "seller_desk/account.html",
        {
            "nav": "account",
            "values": values,
            "errors": errors,
            "languages": settings.LANGUAGES,
            "zones": TIMEZONE_CHOICES,
            "store_zone": store_zone,
        },
        status=400 if errors else 200,
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "seller_desk/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        return response


@require_POST
def set_language(request):
    """Django's ``set_language`` (cookie) that also keeps a signed-in user's choice on their profile."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        profile = profile_update(user=request.user, language=language)
        prefs = request.session.get(PREFS_SESSION_KEY) or {}
        remember_preferences(request, language=profile.language, tz_name=prefs.get("timezone", ""))
    return response


@require_safe
def media_file(request, path: str):
    """An uploaded file, only under the signed URL its storage hands out; any other path is a 404."""
    if not media_signature_valid(path, request.GET.get(SIGNATURE_PARAM)):
        raise Http404(gettext("No such file."))
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
                request,
                _("%(username)s can now log in as %(role)s.")
                % {"username": membership.user.username, "role": membership.get_role_display()},
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
        messages.success(request, _("%(username)s's role is saved.") % {"username": membership.user.username})
    return redirect("team")


@owner_required
@require_POST
def team_member_password(request, member_id: int):
    membership = member_get(store=request.store, membership_id=member_id)
    try:
        member_password_reset(
            store=request.store,
            acting_user=request.user,
            membership_id=membership.pk,
            password=request.POST.get("password", ""),
        )
    except ApplicationError as exc:
        messages.error(request, " ".join(m for msgs in exc.errors.values() for m in msgs))
    else:
        messages.success(
            request,
            _("%(username)s's password is reset; tell them the new one.")
            % {"username": membership.user.username},
        )
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
        messages.success(
            request,
            _("%(username)s no longer has access to the desk.") % {"username": membership.user.username},
        )
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
        errors["kind"] = gettext("Pick a kind from the list.")
        kind = ""
    if group and group not in AUDIT_GROUPS:
        errors["kind"] = gettext("Pick a kind from the list.")
        group = ""
    actor_id = request.GET.get("actor") or ""
    actor_id = int(actor_id) if actor_id.isdigit() else None
    dates = {}
    for field in ("since", "until"):
        dates[field] = date_value(request.GET.get(field) or None, field, errors)
    if dates["since"] and dates["until"] and dates["since"] > dates["until"]:
        errors["until"] = gettext("The end date is before the start date.")
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
    with timezone.override(request.display_tz):
        rows = [
            {
                "event": e,
                "lines": detail_lines(e.details),
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
                "error_lines": [(AUDIT_FILTER_LABELS.get(f, f), m) for f, m in errors.items()],
                "kind_groups": [
                    (key, label, [(k.value, k.label) for k in AuditKind if k.value.startswith(f"{key}.")])
                    for key, label in AUDIT_GROUPS.items()
                ],
                "selected_kind": f"{group}.*" if group else kind,
                "actors": audit_actors(store=request.store),
                "selected_actor": actor_id,
                "since": request.GET.get("since", ""),
                "until": request.GET.get("until", ""),
                "store_timezone": timezone.get_current_timezone_name(),
            },
            status=400 if errors else 200,
        )


AUDIT_FILTER_LABELS = {
    "kind": gettext_lazy("Kind"),
    "since": gettext_lazy("From"),
    "until": gettext_lazy("To"),
}

AUDIT_GROUPS = {
    "member": gettext_lazy("Team"),
    "store": gettext_lazy("Store"),
    "order": gettext_lazy("Orders"),
    "dispute": gettext_lazy("Disputes"),
    "coupon": gettext_lazy("Coupons"),
    "campaign": gettext_lazy("Campaigns"),
    "autoreply": gettext_lazy("Auto-reply"),
    "banned_word": gettext_lazy("Banned words (platform)"),
    "scenario": gettext_lazy("Official scenarios (platform)"),
    "conversation": gettext_lazy("Conversations"),
    "buyer": gettext_lazy("Buyers"),
    "message": gettext_lazy("Messages"),
}
