"""Campaign pages: list with today's quota and the 30-day chart, the new-campaign form, the detail page with the
identify plan, the buyer's-eye preview and live progress, and customer groups. Owners act; agents read."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from coupons.selectors import coupon_list, coupon_state, default_orders_since
from seller_desk.auth import owner_required, store_member_required
from seller_desk.errors import ApplicationError
from seller_desk.models import MemberRole
from seller_desk.selectors import store_local_date
from templates_i18n.dates import stale_dates_listing
from templates_i18n.languages import LANGUAGE_NAMES, direction

from . import selectors, services
from .charts import sends_chart
from .forms import VARIANT_LANGUAGES, CampaignForm, CustomerGroupForm, variant_field_name
from .models import CampaignStatus, CrowdMethod, RecipientStatus

LIVE = (CampaignStatus.SENDING, CampaignStatus.SCHEDULED)


def _render(request, template: str, context: dict, status: int = 200):
    """Dates in the store's time zone: the store-local day is what the quota counts."""
    with timezone.override(request.display_tz):
        return render(request, template, context, status=status)


def _poll_ms() -> int:
    return int(settings.SELLER_DESK.get("INBOX_POLL_SECONDS", 3) * 1000)


def _quota(store) -> dict:
    today = store_local_date(store)
    used = selectors.quota_used(store=store, day=today)
    cap = selectors.quota_cap(store=store, day=today)
    return {
        "day": today,
        "used": used,
        "cap": cap,
        "left": max(cap - used, 0),
        "pct": min(100, used * 100 // cap),
    }


def _bar(counts: dict) -> dict:
    """Widths (percent) of the stacked progress bar: sent, skipped, failed, pending."""
    total = sum(counts.values())
    if not total:
        return {"total": 0, "done_pct": 0, "parts": []}
    parts = [
        {"key": key, "n": counts[key], "pct": round(counts[key] * 100 / total, 2)}
        for key in ("sent", "skipped", "failed", "pending")
        if counts[key]
    ]
    return {"total": total, "done_pct": round((total - counts["pending"]) * 100 / total), "parts": parts}


def _crowd_summary(campaign) -> str:
    if campaign.crowd_method == CrowdMethod.CONDITIONS:
        if not campaign.orders_from:
            return gettext("Orders in a date range")
        text = gettext("Orders %(start)s – %(end)s") % {
            "start": formats.date_format(campaign.orders_from, "MONTH_DAY_FORMAT"),
            "end": formats.date_format(campaign.orders_to, "DATE_FORMAT"),
        }
        if campaign.unshipped_only:
            text += gettext(", not shipped")
        if (campaign.transactions_min, campaign.transactions_max) != (1, 99999):
            text += gettext(", %(min)s–%(max)s transactions") % {
                "min": campaign.transactions_min,
                "max": campaign.transactions_max,
            }
        return text
    groups = ", ".join(g.name for g in campaign.groups.all()) or gettext("no group")
    text = gettext("Groups: %(groups)s") % {"groups": groups}
    if campaign.countries_include:
        text += gettext(" · only %(countries)s") % {"countries": ", ".join(campaign.countries_include)}
    if campaign.countries_exclude:
        text += gettext(" · not %(countries)s") % {"countries": ", ".join(campaign.countries_exclude)}
    return text


def _row(campaign) -> dict:
    counts = selectors.campaign_counts(campaign)
    return {
        "c": campaign,
        "counts": counts,
        "bar": _bar(counts),
        "crowd": _crowd_summary(campaign),
    }


@require_GET
@store_member_required
def campaign_list(request):
    store = request.store
    campaigns = selectors.campaign_list(store=store).prefetch_related("groups")
    return _render(
        request,
        "campaigns/list.html",
        {
            "nav": "campaigns",
            "rows": [_row(c) for c in campaigns],
            "quota": _quota(store),
            "chart": sends_chart(selectors.daily_sends(store=store, days=30)),
            "eligible": selectors.batch_send_allowed(store),
            "eligibility": _eligibility_message(store),
            "groups_count": selectors.customer_group_list(store=store).count(),
        },
    )


def _eligibility_message(store) -> str:
    try:
        services.batch_send_check(store)
    except ApplicationError as error:
        return error.errors["store"][0]
    return ""


def _form_for(request, data=None, files=None) -> CampaignForm:
    store = request.store
    today = store_local_date(store)
    coupons = [c for c in coupon_list(store=store) if coupon_state(c).status != "ended"]
    # What the guide recommends: buyers with orders since the day shipping stopped (its January 20, the same
    # default as the coupon quantity), up to today, orders not shipped yet only.
    initial = {"orders_from": default_orders_since(store=store), "orders_to": today, "unshipped_only": True}
    return CampaignForm(
        data,
        files,
        groups=selectors.customer_group_list(store=store),
        coupons=coupons,
        initial=initial,
    )


@owner_required
def campaign_new(request):
    store = request.store
    form = _form_for(request, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            image = services.single_picture(request.FILES.getlist("image"))
            campaign = services.campaign_create(
                store=store, acting_user=request.user, values=form.values(), image=image
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request,
                gettext("Campaign “%(name)s” saved as a draft. Identify the crowd next.")
                % {"name": campaign.name},
            )
            return redirect("campaign-detail", campaign_id=campaign.pk)
    return _render(
        request,
        "campaigns/form.html",
        {
            "nav": "campaigns",
            "form": form,
            "eligibility": _eligibility_message(store),
            "quota": _quota(store),
            "max_chars": services.TEXT_MAX_CHARS,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@owner_required
def campaign_text_check(request):
    """htmx partial: length, Chinese characters and banned words for the text and each variant, as typed."""
    fields = [("text", "English", "en")] + [
        (variant_field_name(lang), LANGUAGE_NAMES[lang], lang) for lang in VARIANT_LANGUAGES
    ]
    rows = []
    for name, label, lang in fields:
        value = (request.POST.get(name) or "").strip()
        if not value:
            continue
        found = services.campaign_text_findings(value)
        rows.append(
            {
                "label": label,
                "lang": lang,
                "chars": found.chars,
                "too_long": found.too_long,
                "over": found.over,
                "han": "".join(ch for _, ch in found.han[:5]),
                "hits": found.hits,
                "ok": found.ok,
            }
        )
    return render(
        request,
        "campaigns/_text_check.html",
        {"rows": rows, "max_chars": services.TEXT_MAX_CHARS, "ok": all(r["ok"] for r in rows)},
    )


@store_member_required
def customer_groups(request):
    store = request.store
    form = CustomerGroupForm(request.POST or None)
    if request.method == "POST":
        if request.membership.role != MemberRole.OWNER:
            return HttpResponseForbidden(gettext("Only the store owner may create customer groups."))
        if form.is_valid():
            try:
                group = services.customer_group_create(
                    store=store,
                    acting_user=request.user,
                    name=form.cleaned_data["name"],
                    buyer_ids=form.cleaned_data["buyer_ids"],
                )
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                messages.success(request, gettext("Customer group “%(name)s” saved.") % {"name": group.name})
                return redirect("campaign-groups")
    return _render(
        request,
        "campaigns/groups.html",
        {"nav": "campaigns", "groups": selectors.customer_group_list(store=store), "form": form},
        status=400 if form.errors else 200,
    )


def _preview(campaign) -> list[dict]:
    out = []
    for lang in selectors.campaign_languages(campaign):
        text = campaign.text if lang == "en" else campaign.variants.get(lang, "")
        out.append(
            {"lang": lang, "name": LANGUAGE_NAMES.get(lang, lang), "text": text, "dir": direction(lang)}
        )
    return out


def _live_context(request, campaign) -> dict:
    counts = selectors.campaign_counts(campaign)
    return {
        "campaign": campaign,
        "counts": counts,
        "bar": _bar(counts),
        "quota": _quota(campaign.store),
        "live": campaign.status in LIVE,
        "poll_ms": _poll_ms(),
        "is_owner": request.membership.role == MemberRole.OWNER,
    }


@require_GET
@store_member_required
def campaign_detail(request, campaign_id: int):
    campaign = selectors.campaign_get(store=request.store, campaign_id=campaign_id)
    show_plan = campaign.identified_at is not None or campaign.status not in (CampaignStatus.DRAFT,)
    plan = selectors.campaign_identification(campaign=campaign) if show_plan else None
    problems = selectors.campaign_recipients(campaign=campaign, status=RecipientStatus.FAILED, limit=20)
    skipped = selectors.campaign_recipients(campaign=campaign, status=RecipientStatus.SKIPPED, limit=20)
    return _render(
        request,
        "campaigns/detail.html",
        {
            "nav": "campaigns",
            **_live_context(request, campaign),
            "crowd": _crowd_summary(campaign),
            "plan": plan,
            "cap": selectors.daily_cap(),
            "preview": _preview(campaign),
            "failed": problems,
            "skipped": skipped,
            "events": selectors.campaign_events(campaign=campaign)[:30],
            "eligibility": _eligibility_message(request.store),
            "stale": _stale_listing(campaign),
        },
    )


def _stale_listing(campaign) -> list[dict]:
    """A draft's texts naming a date that is over, for the confirm step beside Send now (issue 13)."""
    if campaign.status != CampaignStatus.DRAFT:
        return []
    return stale_dates_listing(
        {f"{item['name']} ({item['lang']})": item["text"] for item in _preview(campaign)},
        store=campaign.store,
    )


@require_GET
@store_member_required
def campaign_progress(request, campaign_id: int):
    """htmx partial polled while a campaign is sending: status, actions, counts and today's quota."""
    campaign = selectors.campaign_get(store=request.store, campaign_id=campaign_id)
    return _render(request, "campaigns/_live.html", _live_context(request, campaign))


@require_POST
@owner_required
def campaign_identify(request, campaign_id: int):
    campaign = selectors.campaign_get(store=request.store, campaign_id=campaign_id)
    result = services.campaign_identify(campaign=campaign, acting_user=request.user)
    if request.htmx:
        return _render(
            request,
            "campaigns/_plan.html",
            # send_confirm_oob: the send dialog's question is refreshed with the count just identified.
            {"plan": result, "campaign": campaign, "cap": selectors.daily_cap(), "send_confirm_oob": True},
        )
    messages.success(
        request,
        ngettext("%(n)s buyer in the crowd.", "%(n)s buyers in the crowd.", result.count)
        % {"n": result.count},
    )
    return redirect("campaign-detail", campaign_id=campaign.pk)


def _action(request, campaign_id: int, service, done: str, **options):
    campaign = selectors.campaign_get(store=request.store, campaign_id=campaign_id)
    try:
        campaign = service(campaign=campaign, acting_user=request.user, **options)
    except ApplicationError as error:
        messages.error(request, " ".join(m for ms in error.errors.values() for m in ms))
    else:
        messages.success(request, done % {"name": campaign.name})
    return redirect(reverse("campaign-detail", args=[campaign_id]))


@require_POST
@owner_required
def campaign_send(request, campaign_id: int):
    return _action(
        request,
        campaign_id,
        services.campaign_send_now,
        "“{name}” is sending: today's batch goes out now, the rest continues on the following days.",
        dates_confirmed=request.POST.get("dates_confirmed") == "1",
    )


@require_POST
@owner_required
def campaign_pause(request, campaign_id: int):
    return _action(request, campaign_id, services.campaign_pause, gettext("“%(name)s” paused."))


@require_POST
@owner_required
def campaign_resume(request, campaign_id: int):
    return _action(request, campaign_id, services.campaign_resume, gettext("“%(name)s” resumed."))


@require_POST
@owner_required
def campaign_cancel(request, campaign_id: int):
    return _action(request, campaign_id, services.campaign_cancel, gettext("“%(name)s” cancelled."))
