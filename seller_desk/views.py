from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe
from django.views.static import serve

from .auth import membership_of, owner_required
from .errors import ApplicationError
from .models import MemberRole
from .selectors import member_get, member_list
from .services import member_invite, member_remove, member_role_change
from .storage import SIGNATURE_PARAM, media_signature_valid


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
