from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .auth import is_platform_admin, membership_of

# Top navigation: (url name, label, who sees it). Pages register here by URL name; missing ones are skipped.
NAV_ITEMS = (
    ("inbox", _("Inbox"), "member"),
    ("dashboard", _("Dashboard"), "member"),
    ("coupons", _("Coupons"), "member"),
    ("campaigns", _("Campaigns"), "member"),
    ("autoreply", _("Auto-reply"), "member"),
    ("scenario-library", _("Replies"), "any"),
    ("banned-words", _("Banned words"), "any"),
    ("buyer-simulator", _("Buyer simulator"), "demo"),
    ("team", _("Team"), "owner"),
    ("audit-log", _("Audit log"), "owner"),
)


def desk(request):
    user = getattr(request, "user", None)
    membership = membership_of(user)
    admin = is_platform_admin(user)
    nav = []
    for name, label, who in NAV_ITEMS:
        if who == "owner" and (membership is None or membership.role != "owner"):
            continue
        if who == "member" and membership is None:
            continue
        if who == "any" and membership is None and not admin:
            continue
        if who == "demo" and (membership is None or not settings.DEMO_MODE or not membership.store.is_demo):
            continue
        try:
            nav.append({"key": name, "url": reverse(name), "label": label})
        except NoReverseMatch:
            continue
    return {
        "desk_membership": membership,
        "desk_store": membership.store if membership else None,
        "desk_is_owner": bool(membership and membership.role == "owner"),
        "desk_is_platform_admin": admin,
        "desk_nav": nav,
        "desk_languages": settings.LANGUAGES,
        "desk_timezone": timezone.get_current_timezone_name(),
    }
