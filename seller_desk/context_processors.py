from django.urls import NoReverseMatch, reverse

from .auth import is_platform_admin, membership_of

# Top navigation: (url name, label, who sees it). Pages register here by URL name; missing ones are skipped.
NAV_ITEMS = (
    ("inbox", "Inbox", "member"),
    ("dashboard", "Dashboard", "member"),
    ("coupons", "Coupons", "member"),
    ("campaigns", "Campaigns", "member"),
    ("autoreply", "Auto-reply", "member"),
    ("scenario-library", "Replies", "any"),
    ("banned-words", "Banned words", "any"),
    ("buyer-simulator", "Buyer simulator", "member"),
    ("team", "Team", "owner"),
    ("audit-log", "Audit log", "owner"),
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
    }
