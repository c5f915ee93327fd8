"""How long something took or is left, as a person reads it, in the interface language.

Hours run on past a day until two days ("24 h 54 min", never "1d 0h"): the 24-hour reply rule is
read in hours. Beyond 48 hours: days and hours.
"""

from django.utils.translation import gettext


def duration_text(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    if seconds < 60:
        return gettext("%(s)s s") % {"s": seconds}
    minutes = seconds // 60
    if minutes < 60:
        return gettext("%(m)s min") % {"m": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return gettext("%(h)s h %(m)s min") % {"h": hours, "m": f"{minutes:02d}"}
    days, hours = divmod(hours, 24)
    return gettext("%(d)s d %(h)s h") % {"d": days, "h": hours}


def duration_short(seconds: float) -> str:
    """The largest unit only, for "5 min ago" / "3 h ago" / "2 d ago"."""
    minutes = int(max(seconds, 0)) // 60
    if minutes < 60:
        return gettext("%(m)s min") % {"m": minutes}
    if minutes < 48 * 60:
        return gettext("%(h)s h") % {"h": minutes // 60}
    return gettext("%(d)s d") % {"d": minutes // 1440}
