"""Coupon pages: list, set-up and edit (owner), detail with the effect chart, htmx partials for guidance."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from seller_desk.auth import owner_required, store_member_required
from seller_desk.errors import ApplicationError
from seller_desk.selectors import store_local_date

from . import selectors, services
from .apis import coupon_out
from .charts import daily_chart
from .forms import CouponForm
from .models import FIXED_NAME_PREFIX, CouponStatus


@store_member_required
def coupon_list(request):
    averages = selectors.average_order_values(store=request.store)
    today = store_local_date(request.store)
    rows = [coupon_out(c, averages=averages, today=today) for c in selectors.coupon_list(store=request.store)]
    return render(request, "coupons/list.html", {"nav": "coupons", "rows": rows})


def _form_context(request, form: CouponForm, **extra) -> dict:
    store = request.store
    defaults = services.coupon_defaults(store=store)
    return {
        "nav": "coupons",
        "form": form,
        "prefix": FIXED_NAME_PREFIX,
        "defaults": defaults,
        "max_days": services.max_activity_days(),
        "factor": settings.SELLER_DESK["COUPON_QUANTITY_FACTOR"],
        "orders_since": selectors.default_orders_since(store=store),
        "store": store,
        **extra,
    }


@owner_required
def coupon_new(request):
    defaults = services.coupon_defaults(store=request.store)
    initial = {
        "activity_start": defaults.activity_start,
        "activity_end": defaults.activity_end,
        "valid_from": defaults.valid_from,
        "currency": "USD",
        "threshold": 0,
    }
    form = CouponForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        status = CouponStatus.DRAFT if request.POST.get("save") == "draft" else CouponStatus.ACTIVE
        try:
            coupon = services.coupon_create(
                store=request.store, acting_user=request.user, values=form.cleaned_data, status=status
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(
                request,
                gettext("Coupon %(name)s saved. Agents can attach it to replies.") % {"name": coupon.name},
            )
            return redirect("coupon-detail", coupon_id=coupon.pk)
    return render(
        request, "coupons/form.html", _form_context(request, form, title=gettext("New DDWL coupon"))
    )


@owner_required
def coupon_edit(request, coupon_id: int):
    coupon = selectors.coupon_get(store=request.store, coupon_id=coupon_id)
    form = CouponForm(request.POST or None, coupon=coupon)
    if request.method == "POST" and form.is_valid():
        try:
            services.coupon_update(coupon=coupon, acting_user=request.user, changes=form.cleaned_data)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, gettext("Coupon %(name)s updated.") % {"name": coupon.name})
            return redirect("coupon-detail", coupon_id=coupon.pk)
    return render(
        request,
        "coupons/form.html",
        _form_context(request, form, coupon=coupon, title=gettext("Edit %(name)s") % {"name": coupon.name}),
    )


@owner_required
@require_POST
def coupon_status(request, coupon_id: int):
    coupon = selectors.coupon_get(store=request.store, coupon_id=coupon_id)
    target = request.POST.get("status", "")
    try:
        services.coupon_update(coupon=coupon, acting_user=request.user, changes={"status": target})
    except ApplicationError as error:
        messages.error(request, " ".join(m for ms in error.errors.values() for m in ms))
    else:
        done = "activated" if target == CouponStatus.ACTIVE else "ended"
        messages.success(request, gettext("Coupon %(name)s %(done)s.") % {"name": coupon.name, "done": done})
    return redirect("coupon-detail", coupon_id=coupon.pk)


@store_member_required
def coupon_detail(request, coupon_id: int):
    coupon = selectors.coupon_get(store=request.store, coupon_id=coupon_id)
    data = coupon_out(coupon)
    days = selectors.coupon_daily(coupon=coupon)
    return render(
        request,
        "coupons/detail.html",
        {
            "nav": "coupons",
            "coupon": coupon,
            "c": data,
            "chart": daily_chart(days),
            "events": selectors.coupon_events(coupon=coupon)[:50],
            "grants": selectors.coupon_recent_grants(coupon=coupon),
        },
    )


def _decimal(raw: str) -> Decimal | None:
    try:
        value = Decimal((raw or "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@store_member_required
def coupon_guidance(request):
    """htmx partial: the live name, discount rate and the R12 warning for what is typed in the form."""
    currency = (request.GET.get("currency") or "USD").strip().upper()[:3]
    guidance = selectors.coupon_guidance(
        store=request.store,
        denomination=_decimal(request.GET.get("denomination", "")),
        threshold=_decimal(request.GET.get("threshold", "")) or Decimal(0),
        currency=currency,
    )
    suffix = services.name_suffix_tidy(request.GET.get("name_suffix") or "")
    return render(
        request,
        "coupons/_guidance.html",
        {
            "g": guidance,
            "name": f"{FIXED_NAME_PREFIX}{suffix}",
            "has_suffix": bool(suffix.strip()),
            "currency": currency,
        },
    )


@store_member_required
def coupon_suggest(request):
    """htmx partial: R13's suggested quantity from the store's orders since the picked date."""
    try:
        suggestion = selectors.coupon_quantity_suggestion(
            store=request.store, orders_since=request.GET.get("orders_since")
        )
    except ApplicationError as error:
        return render(request, "coupons/_suggest.html", {"error": error.errors["orders_since"][0]})
    return render(request, "coupons/_suggest.html", {"s": suggestion})
