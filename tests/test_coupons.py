"""DDWL targeted store coupons: set-up rules (R11–R14), grants, redemptions, states, edits, pages and API shapes."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from conversations.models import ConversationStatus, Direction, Message
from coupons import selectors, services
from coupons.models import Coupon, CouponGrant, CouponRedemption, GrantSource
from seller_desk.models import AuditEvent, OrderStatus
from seller_desk.selectors import store_local_date
from tests.factories import (
    events_of,
    make_buyer,
    make_inbound,
    make_member,
    make_order,
    make_store,
    picture_upload,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- helpers


def today_of(store) -> date:
    return store_local_date(store)


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ingress(store) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    return client


@pytest.fixture
def owner(store):
    return make_member(store, role="owner", username="olga-owner")


@pytest.fixture
def agent(store):
    return make_member(store, role="agent", username="andy-agent")


def payload(store, **overrides) -> dict:
    today = today_of(store)
    body = {
        "name_suffix": "-Spring",
        "denomination": "5.00",
        "threshold": "30.00",
        "currency": "USD",
        "quantity": 50,
        "valid_until": (today + timedelta(days=60)).isoformat(),
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def make_coupon(store, user=None, **overrides) -> Coupon:
    values = payload(store, **overrides)
    status = values.pop("status", "active")
    return services.coupon_create(store=store, acting_user=user, values=values, status=status)


def grant_to(coupon, buyer, user=None):
    return services.coupon_grant(coupon=coupon, buyer=buyer, source=GrantSource.REPLY, acting_user=user)


def snapshot(coupon) -> dict:
    coupon.refresh_from_db()
    return {f.name: getattr(coupon, f.name) for f in Coupon._meta.concrete_fields}


# ---------------------------------------------------------------- R11: "DDWL" + merchant text


def test_R11_name_is_ddwl_plus_merchant_text(store, owner):
    r = api_as(owner).post("/api/v1/coupons", payload(store, name_suffix="-Spring retention"), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["name"] == "DDWL-Spring retention"
    assert r.json()["name_prefix"] == "DDWL"
    assert Coupon.objects.get(pk=r.json()["id"]).name_suffix == "-Spring retention"


def test_R11_suffix_that_repeats_the_prefix_is_stored_without_it(store, owner):
    r = api_as(owner).post("/api/v1/coupons", payload(store, name_suffix="DDWL-Spring"), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["name"] == "DDWL-Spring"
    assert Coupon.objects.get(pk=r.json()["id"]).name_suffix == "-Spring"


def test_R11_whole_name_starting_with_ddwl_is_accepted(store, owner):
    body = payload(store, name_suffix=None, name="DDWL Winter")
    r = api_as(owner).post("/api/v1/coupons", body, format="json")
    assert r.status_code == 201, r.content
    assert (r.json()["name"], r.json()["name_suffix"]) == ("DDWL Winter", " Winter")


@pytest.mark.parametrize("name", ["SALE-Spring", "ddwl-Spring", "Spring DDWL", "DDW-L"])
def test_R11_name_without_the_fixed_prefix_is_refused_naming_the_rule(store, owner, name):
    r = api_as(owner).post("/api/v1/coupons", payload(store, name_suffix=None, name=name), format="json")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["name"]
    assert 'must start with "DDWL"' in r.json()["errors"]["name"][0]
    assert not Coupon.objects.exists()


def test_R11_patch_cannot_change_or_remove_the_prefix(store, owner):
    coupon = make_coupon(store, owner)
    client = api_as(owner)
    r = client.patch(f"/api/v1/coupons/{coupon.pk}", {"name": "SUMMER-1"}, format="json")
    assert r.status_code == 400 and list(r.json()["errors"]) == ["name"]
    assert Coupon.objects.get(pk=coupon.pk).name == "DDWL-Spring"
    r = client.patch(f"/api/v1/coupons/{coupon.pk}", {"name_suffix": " Summer"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["name"] == "DDWL Summer"
    r = client.patch(f"/api/v1/coupons/{coupon.pk}", {"name_suffix": ""}, format="json")
    assert r.status_code == 400 and list(r.json()["errors"]) == ["name_suffix"]
    assert Coupon.objects.get(pk=coupon.pk).name == "DDWL Summer"


def test_R11_form_shows_the_prefix_fixed_and_only_the_suffix_is_an_input(store, owner):
    client = Client()
    client.force_login(owner)
    html = client.get(reverse("coupon-new")).content.decode()
    assert '<span class="cp-fixed"' in html and ">DDWL</span>" in html
    assert 'name="name_suffix"' in html
    assert 'name="name"' not in html


def test_R11_admin_shows_the_prefix_read_only_and_saves_through_the_services(store):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root", "root@example.com", "pass-word-1")
    client = Client()
    client.force_login(admin_user)
    html = client.get("/admin/coupons/coupon/add/").content.decode()
    assert "Name prefix (fixed)" in html and 'name="name_prefix"' not in html
    today = today_of(store)
    form = {
        "store": store.pk,
        "name_suffix": "DDWL-Admin",
        "denomination": "3",
        "threshold": "0",
        "currency": "usd",
        "quantity": "10",
        "valid_until": (today + timedelta(days=30)).isoformat(),
    }
    r = client.post("/admin/coupons/coupon/add/", form)
    assert r.status_code == 302, r.content.decode()[:3000]
    coupon = Coupon.objects.get(store=store)
    assert (coupon.name, coupon.currency, coupon.code.startswith("DDWL-")) == ("DDWL-Admin", "USD", True)
    assert events_of(coupon).get().actor == admin_user
    bad = client.post(f"/admin/coupons/coupon/{coupon.pk}/change/", {**form, "denomination": "0"})
    assert bad.status_code == 200 and "Denomination must be more than 0" in bad.content.decode()
    assert Coupon.objects.get(pk=coupon.pk).denomination == Decimal("3.00")


# ---------------------------------------------------------------- R12: distribution, scope, amounts, discount rate


def test_R12_targeted_direct_store_wide_coupon_with_threshold_and_rate(store, owner):
    r = api_as(owner).post("/api/v1/coupons", payload(store, denomination="5", threshold="25"), format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["distribution"], body["scope"]) == ("targeted_direct", "store")
    assert (body["denomination"], body["threshold"], body["currency"]) == ("5.00", "25.00", "USD")
    assert (body["discount_rate"], body["discount_basis"], body["warnings"]) == (0.2, "threshold", [])


@pytest.mark.parametrize(
    ("denomination", "threshold", "rate", "warned"),
    [
        ("10", "20", 0.5, True),
        ("6", "20", 0.3, True),
        ("5.99", "20", 0.2995, False),
        ("1", "100", 0.01, False),
    ],
)
def test_R12_warning_at_a_discount_rate_of_30_percent_or_more(
    store, owner, denomination, threshold, rate, warned
):
    body = payload(store, denomination=denomination, threshold=threshold)
    r = api_as(owner).post("/api/v1/coupons", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["discount_rate"] == rate
    codes = [w["code"] for w in r.json()["warnings"]]
    assert codes == (["discount_rate_high"] if warned else [])


def test_R12_no_threshold_coupon_is_compared_with_the_average_order(store, owner, other_store):
    for amount in ("20.00", "40.00"):
        make_order(store, amount=Decimal(amount))
    make_order(store, amount=Decimal("1000.00"), status=OrderStatus.CANCELLED)
    make_order(store, amount=Decimal("500.00"), currency="EUR")
    make_order(other_store, amount=Decimal("2.00"))
    client = api_as(owner)
    r = client.post("/api/v1/coupons", payload(store, denomination="3", threshold="0"), format="json")
    body = r.json()
    assert (body["discount_rate"], body["discount_basis"], body["average_order_value"]) == (
        0.1,
        "average_order_value",
        "30.00",
    )
    assert body["warnings"] == []
    r = client.post("/api/v1/coupons", payload(store, denomination="9", threshold="0"), format="json")
    assert r.json()["discount_rate"] == 0.3
    assert [w["code"] for w in r.json()["warnings"]] == ["discount_rate_high"]
    assert "average USD order (30.00)" in r.json()["warnings"][0]["message"]


def test_R12_no_threshold_coupon_without_orders_says_the_rate_cant_be_estimated(store, owner):
    r = api_as(owner).post("/api/v1/coupons", payload(store, threshold="0", currency="EUR"), format="json")
    assert r.status_code == 201
    assert r.json()["discount_rate"] is None
    assert [w["code"] for w in r.json()["warnings"]] == ["no_orders_to_compare"]


def test_R12_other_distribution_or_scope_is_refused(store, owner):
    client = api_as(owner)
    r = client.post("/api/v1/coupons", payload(store, distribution="public"), format="json")
    assert r.status_code == 400 and list(r.json()["errors"]) == ["distribution"]
    r = client.post("/api/v1/coupons", payload(store, scope="category"), format="json")
    assert r.status_code == 400 and list(r.json()["errors"]) == ["scope"]
    assert not Coupon.objects.exists()


def test_R12_form_guidance_partial_shows_the_rate_live(store, owner):
    client = Client()
    client.force_login(owner)
    html = client.get(
        reverse("coupon-guidance"),
        {"denomination": "10", "threshold": "20", "name_suffix": "-X"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "50%" in html and "30% or more" in html and "DDWL-X" in html
    html = client.get(reverse("coupon-guidance"), {"denomination": "4", "threshold": "20"}).content.decode()
    assert "20%" in html and "30% or more" not in html and "Under 30%" in html
    form = client.get(reverse("coupon-new")).content.decode()
    assert 'hx-get="/coupons/guidance/"' in form and "input from:#coupon-form" in form


# ---------------------------------------------------------------- R13: quantity suggestion and limits


def test_R13_suggested_quantity_counts_orders_since_the_store_local_date_enlarged(
    store, owner, other_store, settings
):
    settings.SELLER_DESK = {**settings.SELLER_DESK, "COUPON_QUANTITY_FACTOR": 1.2}
    tz = ZoneInfo(store.timezone)
    since = today_of(store) - timedelta(days=30)
    start = datetime.combine(since, time.min, tzinfo=tz)
    buyer = make_buyer(store)
    for i in range(6):
        make_order(store, buyer, placed_at=start + timedelta(days=i, minutes=30))
    make_order(store, placed_at=start + timedelta(minutes=1))
    make_order(store, placed_at=start - timedelta(minutes=1))
    make_order(store, placed_at=start - timedelta(days=40))
    make_order(other_store, placed_at=start + timedelta(days=1))
    r = api_as(owner).get("/api/v1/coupons/suggested-quantity", {"orders_since": since.isoformat()})
    assert r.status_code == 200, r.content
    assert r.json() == {"orders_since": since.isoformat(), "orders": 7, "factor": "1.20", "suggested": 9}


def test_R13_suggested_quantity_needs_a_past_date(store, agent):
    client = api_as(agent)
    r = client.get("/api/v1/coupons/suggested-quantity", {"orders_since": "January 20"})
    assert r.status_code == 400 and list(r.json()["errors"]) == ["orders_since"]
    r = client.get("/api/v1/coupons/suggested-quantity")
    assert r.status_code == 400 and list(r.json()["errors"]) == ["orders_since"]
    tomorrow = today_of(store) + timedelta(days=1)
    r = client.get("/api/v1/coupons/suggested-quantity", {"orders_since": tomorrow.isoformat()})
    assert r.status_code == 400 and "future" in r.json()["errors"]["orders_since"][0]


def test_R13_suggest_helper_in_the_form_shows_the_factor(store, owner):
    make_order(store, days_ago=3)
    make_order(store, days_ago=2)
    client = Client()
    client.force_login(owner)
    since = (today_of(store) - timedelta(days=10)).isoformat()
    html = client.get(reverse("coupon-suggest"), {"orders_since": since}).content.decode()
    assert "2</strong> orders since" in html and "× 1.2" in html and 'data-testid="suggested">3<' in html
    form = client.get(reverse("coupon-new")).content.decode()
    assert "× 1.2" in form and 'name="orders_since"' in form
    assert f'value="{selectors.default_orders_since(store=store).isoformat()}"' in form


def test_R13_never_more_grants_than_the_quantity(store):
    coupon = make_coupon(store, quantity=2)
    buyers = [make_buyer(store) for _ in range(3)]
    grant_to(coupon, buyers[0])
    grant_to(coupon, buyers[1])
    with pytest.raises(services.ApplicationError) as exc:
        grant_to(coupon, buyers[2])
    assert list(exc.value.errors) == ["coupon_id"]
    assert "sold out: all 2 have been granted" in exc.value.errors["coupon_id"][0]
    coupon.refresh_from_db()
    assert coupon.granted_count == 2
    assert CouponGrant.objects.filter(coupon=coupon).count() == 2


def test_R13_one_grant_per_buyer_and_the_counter_stays(store):
    coupon = make_coupon(store, quantity=5)
    buyer = make_buyer(store)
    grant = grant_to(coupon, buyer)
    assert (grant.buyer, grant.source) == (buyer, "reply")
    with pytest.raises(services.ApplicationError) as exc:
        grant_to(coupon, buyer)
    assert "already has coupon DDWL-Spring" in exc.value.errors["coupon_id"][0]
    coupon.refresh_from_db()
    assert coupon.granted_count == 1
    assert CouponGrant.objects.filter(coupon=coupon, buyer=buyer).count() == 1


def test_R13_duplicate_grant_that_reaches_the_database_rolls_back_the_counter(store, monkeypatch):
    """Even when the pre-check is skipped (a race), the unique constraint refuses and the savepoint undoes the +1."""
    coupon = make_coupon(store, quantity=5)
    buyer = make_buyer(store)
    CouponGrant.objects.create(store=store, coupon=coupon, buyer=buyer)
    with pytest.raises(services.ApplicationError) as exc:
        grant_to(coupon, buyer)
    assert "already has" in exc.value.errors["coupon_id"][0]
    coupon.refresh_from_db()
    assert coupon.granted_count == 0


def test_R13_database_refuses_a_counter_above_the_quantity(store):
    from django.db import IntegrityError, transaction

    coupon = make_coupon(store, quantity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Coupon.objects.filter(pk=coupon.pk).update(granted_count=2)


def test_grant_refuses_a_buyer_of_another_store(store, other_store):
    coupon = make_coupon(store)
    with pytest.raises(services.ApplicationError) as exc:
        grant_to(coupon, make_buyer(other_store))
    assert list(exc.value.errors) == ["buyer"]
    assert Coupon.objects.get(pk=coupon.pk).granted_count == 0


# ---------------------------------------------------------------- R14: validity starts the day after shipping resumes


def test_R14_validity_defaults_to_the_day_after_the_store_can_ship_again(owner, store):
    resume = today_of(store) + timedelta(days=5)
    store.resume_shipping_date = resume
    store.save(update_fields=["resume_shipping_date"])
    r = api_as(owner).post("/api/v1/coupons", payload(store), format="json")
    assert r.status_code == 201, r.content
    assert r.json()["valid_from"] == (resume + timedelta(days=1)).isoformat()


def test_R14_validity_starting_before_that_day_is_refused_naming_the_date(owner, store):
    resume = today_of(store) + timedelta(days=5)
    store.resume_shipping_date = resume
    store.save(update_fields=["resume_shipping_date"])
    body = payload(store, valid_from=resume.isoformat())
    r = api_as(owner).post("/api/v1/coupons", body, format="json")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["valid_from"]
    message = r.json()["errors"]["valid_from"][0]
    assert (resume + timedelta(days=1)).isoformat() in message and "can ship again" in message
    assert not Coupon.objects.exists()
    ok = api_as(owner).post(
        "/api/v1/coupons", payload(store, valid_from=(resume + timedelta(days=1)).isoformat()), format="json"
    )
    assert ok.status_code == 201


def test_R14_without_a_resume_date_validity_starts_tomorrow(owner, store):
    r = api_as(owner).post("/api/v1/coupons", payload(store), format="json")
    assert r.json()["valid_from"] == (today_of(store) + timedelta(days=1)).isoformat()
    r = api_as(owner).post(
        "/api/v1/coupons", payload(store, valid_from=today_of(store).isoformat()), format="json"
    )
    assert r.status_code == 400 and "tomorrow" in r.json()["errors"]["valid_from"][0]


def test_R14_store_local_today_decides_the_defaults(owner):
    tokyo = make_store(name="Tokyo", timezone="Asia/Tokyo")
    tokyo_owner = make_member(tokyo, role="owner")
    r = api_as(tokyo_owner).post("/api/v1/coupons", payload(tokyo), format="json")
    assert r.status_code == 201, r.content
    today = store_local_date(tokyo)
    assert r.json()["activity_start"] == today.isoformat()
    assert r.json()["activity_end"] == (today + timedelta(days=89)).isoformat()


# ---------------------------------------------------------------- bad inputs: field error naming the rule, nothing stored


def _days(store, n: int) -> str:
    return (today_of(store) + timedelta(days=n)).isoformat()


BAD_INPUTS = [
    ("missing prefix", {"name_suffix": None, "name": "Spring"}, "name", "DDWL"),
    ("empty suffix", {"name_suffix": "  "}, "name_suffix", "your own part"),
    ("only the prefix", {"name_suffix": "DDWL"}, "name_suffix", "your own part"),
    ("zero denomination", {"denomination": "0"}, "denomination", "more than 0"),
    ("negative denomination", {"denomination": "-5"}, "denomination", "more than 0"),
    ("negative threshold", {"threshold": "-1"}, "threshold", "can't be negative"),
    (
        "denomination equals threshold",
        {"denomination": "20", "threshold": "20"},
        "denomination",
        "below the threshold",
    ),
    (
        "denomination above threshold",
        {"denomination": "25", "threshold": "20"},
        "denomination",
        "below the threshold",
    ),
    ("three decimals", {"denomination": "1.234"}, "denomination", "decimal places"),
    ("zero quantity", {"quantity": 0}, "quantity", "at least 1"),
    ("negative quantity", {"quantity": -3}, "quantity", "at least 1"),
    ("missing quantity", {"quantity": None}, "quantity", "at least 1"),
    ("two-letter currency", {"currency": "US"}, "currency", "3-letter ISO 4217"),
    ("word currency", {"currency": "dollars"}, "currency", "3-letter ISO 4217"),
    ("symbol currency", {"currency": "$$$"}, "currency", "3-letter ISO 4217"),
    ("missing valid_until", {"valid_until": None}, "valid_until", "last day buyers can use"),
]


@pytest.mark.parametrize(("case", "overrides", "field", "phrase"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_coupon_input_is_refused_with_a_field_error_and_nothing_stored(
    store, owner, case, overrides, field, phrase
):
    existing = make_coupon(store, owner, name_suffix="-Existing")
    before = snapshot(existing)
    r = api_as(owner).post("/api/v1/coupons", payload(store, **overrides), format="json")
    assert r.status_code == 400, r.content
    assert list(r.json()["errors"]) == [field]
    assert phrase in r.json()["errors"][field][0]
    assert list(Coupon.objects.values_list("pk", flat=True)) == [existing.pk]
    assert AuditEvent.objects.filter(kind__startswith="coupon.").count() == 1
    assert snapshot(existing) == before


DATE_BAD_INPUTS = [
    ("validity ends before it starts", {"valid_from": 3, "valid_until": 2}, "valid_until", "after"),
    ("validity ends the day it starts", {"valid_from": 3, "valid_until": 3}, "valid_until", "after"),
    ("activity starts in the past", {"activity_start": -1}, "activity_start", "past"),
    (
        "activity ends before it starts",
        {"activity_start": 5, "activity_end": 4},
        "activity_end",
        "on or after its start",
    ),
    (
        "activity longer than allowed",
        {"activity_start": 0, "activity_end": 90},
        "activity_end",
        "at most 90 days",
    ),
    ("validity starts today", {"valid_from": 0}, "valid_from", "at the earliest"),
]


@pytest.mark.parametrize(
    ("case", "offsets", "field", "phrase"), DATE_BAD_INPUTS, ids=[b[0] for b in DATE_BAD_INPUTS]
)
def test_bad_coupon_dates_are_refused_naming_the_rule(store, owner, case, offsets, field, phrase):
    body = payload(store, **{k: _days(store, v) for k, v in offsets.items()})
    r = api_as(owner).post("/api/v1/coupons", body, format="json")
    assert r.status_code == 400, r.content
    assert list(r.json()["errors"]) == [field]
    assert phrase in r.json()["errors"][field][0]
    assert not Coupon.objects.exists()


def test_activity_of_exactly_the_longest_period_is_accepted(store, owner, settings):
    settings.SELLER_DESK = {**settings.SELLER_DESK, "COUPON_MAX_ACTIVITY_DAYS": 30}
    body = payload(store, activity_start=_days(store, 0), activity_end=_days(store, 29))
    assert api_as(owner).post("/api/v1/coupons", body, format="json").status_code == 201
    body = payload(store, activity_start=_days(store, 0), activity_end=_days(store, 30))
    r = api_as(owner).post("/api/v1/coupons", body, format="json")
    assert r.status_code == 400 and "at most 30 days" in r.json()["errors"]["activity_end"][0]


def test_several_bad_fields_are_reported_together(store, owner):
    body = payload(store, denomination="-1", quantity=0, currency="X")
    r = api_as(owner).post("/api/v1/coupons", body, format="json")
    assert set(r.json()["errors"]) == {"denomination", "quantity", "currency"}


def test_currency_is_stored_upper_case(store, owner):
    r = api_as(owner).post("/api/v1/coupons", payload(store, currency="eur"), format="json")
    assert r.json()["currency"] == "EUR"


# ---------------------------------------------------------------- API shapes and access


COUPON_KEYS = {
    "id", "name", "name_prefix", "name_suffix", "code", "distribution", "scope", "denomination", "threshold",
    "currency", "quantity", "granted", "remaining", "redeemed", "redemption_rate", "redeemed_value",
    "activity_start", "activity_end", "valid_from", "valid_until", "status", "status_label", "sold_out",
    "attachable", "discount_rate", "discount_basis", "average_order_value", "warnings", "created_at",
}  # fmt: skip


def test_api_create_list_and_detail_shapes(store, owner):
    client = api_as(owner)
    created = client.post("/api/v1/coupons", payload(store), format="json").json()
    assert set(created) == COUPON_KEYS
    today = today_of(store)
    assert created["code"].startswith("DDWL-") and len(created["code"]) == 14
    assert (
        created["granted"],
        created["redeemed"],
        created["redemption_rate"],
        created["redeemed_value"],
    ) == (
        0,
        0,
        None,
        "0.00",
    )
    assert (created["status"], created["status_label"], created["attachable"]) == ("active", "Active", True)
    assert created["activity_start"] == today.isoformat()
    listed = client.get("/api/v1/coupons").json()
    assert [c["id"] for c in listed] == [created["id"]] and set(listed[0]) == COUPON_KEYS
    detail = client.get(f"/api/v1/coupons/{created['id']}").json()
    assert set(detail) == COUPON_KEYS | {"daily", "events"}
    assert [e["kind"] for e in detail["events"]] == ["created"]
    assert detail["events"][0]["actor"] == "olga-owner"
    assert detail["daily"][0] == {"date": today.isoformat(), "granted": 0, "redeemed": 0}


def test_agents_read_coupons_but_only_owners_write(store, owner, agent):
    coupon = make_coupon(store, owner)
    client = api_as(agent)
    assert client.get("/api/v1/coupons").status_code == 200
    assert client.get(f"/api/v1/coupons/{coupon.pk}").status_code == 200
    assert client.post("/api/v1/coupons", payload(store), format="json").status_code == 403
    assert client.patch(f"/api/v1/coupons/{coupon.pk}", {"quantity": 99}, format="json").status_code == 403
    assert Coupon.objects.get(pk=coupon.pk).quantity == 50 and Coupon.objects.count() == 1
    assert APIClient().get("/api/v1/coupons").status_code in (401, 403)


def test_another_stores_coupon_is_a_404_everywhere(store, owner, other_store):
    theirs = make_coupon(other_store)
    client = api_as(owner)
    assert client.get(f"/api/v1/coupons/{theirs.pk}").status_code == 404
    assert client.patch(f"/api/v1/coupons/{theirs.pk}", {"quantity": 1}, format="json").status_code == 404
    assert client.get("/api/v1/coupons").json() == []
    page = Client()
    page.force_login(owner)
    for name in ("coupon-detail", "coupon-edit"):
        assert page.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert page.post(reverse("coupon-status", args=[theirs.pk]), {"status": "ended"}).status_code == 404
    assert Coupon.objects.get(pk=theirs.pk).status == "active"


# ---------------------------------------------------------------- states


def test_draft_coupon_cannot_be_granted_until_activated(store, owner):
    coupon = make_coupon(store, owner, status="draft")
    buyer = make_buyer(store)
    assert coupon not in selectors.coupon_list_attachable(store=store)
    with pytest.raises(services.ApplicationError) as exc:
        grant_to(coupon, buyer)
    assert "is a draft" in exc.value.errors["coupon_id"][0]
    r = api_as(owner).patch(f"/api/v1/coupons/{coupon.pk}", {"status": "active"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "active"
    grant_to(coupon, buyer)
    assert [(e.kind, e.actor) for e in events_of(coupon)] == [
        ("coupon.created", owner),
        ("coupon.activated", owner),
    ]


def test_ended_coupon_cannot_be_granted_and_stays_ended(store, owner):
    coupon = make_coupon(store, owner)
    client = api_as(owner)
    r = client.patch(f"/api/v1/coupons/{coupon.pk}", {"status": "ended"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "ended"
    with pytest.raises(services.ApplicationError) as exc:
        grant_to(coupon, make_buyer(store))
    assert "has ended" in exc.value.errors["coupon_id"][0]
    r = client.patch(f"/api/v1/coupons/{coupon.pk}", {"status": "active"}, format="json")
    assert r.status_code == 400 and "stays ended" in r.json()["errors"]["status"][0]
    r = client.patch(f"/api/v1/coupons/{coupon.pk}", {"denomination": "4"}, format="json")
    assert r.status_code == 400 and list(r.json()["errors"]) == ["status"]
    ended = events_of(coupon).get(kind="coupon.ended")
    assert ended.actor == owner


def test_coupon_past_its_activity_end_counts_as_ended_without_a_write(store, owner):
    coupon = make_coupon(store, owner)
    yesterday = today_of(store) - timedelta(days=1)
    Coupon.objects.filter(pk=coupon.pk).update(
        activity_start=yesterday - timedelta(days=5), activity_end=yesterday
    )
    body = api_as(owner).get(f"/api/v1/coupons/{coupon.pk}").json()
    assert (body["status"], body["attachable"]) == ("ended", False)
    assert Coupon.objects.get(pk=coupon.pk).status == "active"
    assert not selectors.coupon_list_attachable(store=store).exists()
    with pytest.raises(services.ApplicationError) as exc:
        grant_to(coupon, make_buyer(store))
    assert f"activity ended {yesterday}" in exc.value.errors["coupon_id"][0]


def test_coupon_before_its_activity_start_is_not_attachable(store):
    coupon = make_coupon(store, activity_start=_days(store, 2))
    assert selectors.coupon_state(coupon).label == "Scheduled"
    with pytest.raises(services.ApplicationError) as exc:
        grant_to(coupon, make_buyer(store))
    assert "not active yet" in exc.value.errors["coupon_id"][0]


def test_sold_out_coupon_is_not_attachable(store):
    coupon = make_coupon(store, quantity=1)
    grant_to(coupon, make_buyer(store))
    assert not selectors.coupon_list_attachable(store=store).exists()
    coupon.refresh_from_db()
    assert selectors.coupon_state(coupon).label == "Sold out"


# ---------------------------------------------------------------- editing limits


def test_edit_without_grants_may_change_terms(store, owner):
    coupon = make_coupon(store, owner)
    r = api_as(owner).patch(
        f"/api/v1/coupons/{coupon.pk}", {"denomination": "4", "threshold": "40"}, format="json"
    )
    assert r.status_code == 200, r.content
    assert (r.json()["denomination"], r.json()["threshold"]) == ("4.00", "40.00")
    edited = events_of(coupon).get(kind="coupon.edited")
    assert edited.details == {"changes": {"denomination": ["5.00", "4.00"], "threshold": ["30.00", "40.00"]}}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("denomination", "4"),
        ("threshold", "50"),
        ("currency", "EUR"),
        ("valid_from", 9),
        ("activity_start", 1),
    ],
)
def test_edit_with_grants_keeps_what_buyers_were_promised(store, owner, field, value):
    coupon = make_coupon(store, owner)
    grant_to(coupon, make_buyer(store))
    before = snapshot(coupon)
    value = _days(store, value) if isinstance(value, int) else value
    r = api_as(owner).patch(f"/api/v1/coupons/{coupon.pk}", {field: value}, format="json")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == [field]
    assert "can't change once 1 buyer already holds this coupon" in r.json()["errors"][field][0]
    assert snapshot(coupon) == before
    assert not AuditEvent.objects.filter(kind="coupon.edited").exists()


def test_edit_with_grants_allows_name_more_quantity_and_longer_periods(store, owner):
    coupon = make_coupon(store, owner, quantity=3)
    grant_to(coupon, make_buyer(store))
    grant_to(coupon, make_buyer(store))
    client = api_as(owner)
    changes = {
        "name_suffix": "-Spring 2",
        "quantity": 10,
        "valid_until": _days(store, 90),
        "activity_end": _days(store, 60),
    }
    r = client.patch(f"/api/v1/coupons/{coupon.pk}", changes, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["name"], r.json()["quantity"], r.json()["valid_until"]) == (
        "DDWL-Spring 2",
        10,
        _days(store, 90),
    )
    r = client.patch(f"/api/v1/coupons/{coupon.pk}", {"valid_until": _days(store, 80)}, format="json")
    assert r.status_code == 400 and "only be extended" in r.json()["errors"]["valid_until"][0]
    r = client.patch(f"/api/v1/coupons/{coupon.pk}", {"quantity": 1}, format="json")
    assert r.status_code == 400
    assert "2 coupons are already granted" in r.json()["errors"]["quantity"][0]
    r = client.patch(f"/api/v1/coupons/{coupon.pk}", {"quantity": 2}, format="json")
    assert r.status_code == 200 and r.json()["sold_out"] is True
    assert Coupon.objects.get(pk=coupon.pk).granted_count == 2


def test_edit_that_changes_nothing_logs_nothing(store, owner):
    coupon = make_coupon(store, owner)
    r = api_as(owner).patch(
        f"/api/v1/coupons/{coupon.pk}", {"quantity": 50, "currency": "usd"}, format="json"
    )
    assert r.status_code == 200
    assert list(AuditEvent.objects.filter(kind__startswith="coupon.").values_list("kind", flat=True)) == [
        "coupon.created"
    ]


def test_bad_edit_leaves_the_coupon_untouched(store, owner):
    coupon = make_coupon(store, owner)
    before = snapshot(coupon)
    r = api_as(owner).patch(
        f"/api/v1/coupons/{coupon.pk}",
        {"name_suffix": "-New", "threshold": "2", "quantity": 70},
        format="json",
    )
    assert r.status_code == 400 and list(r.json()["errors"]) == ["denomination"]
    assert snapshot(coupon) == before


# ---------------------------------------------------------------- redemptions through the order ingress


def order_item(
    order_id: str, buyer, *, code: str = "", amount: str = "40.00", status: str = "awaiting_shipment"
) -> dict:
    item = {
        "order_id": order_id,
        "buyer": {
            "buyer_id": buyer.external_id,
            "name": buyer.name,
            "country": buyer.country,
            "locale": buyer.locale,
        },
        "status": status,
        "placed_at": "2026-11-20T10:00:00+00:00",
        "amount": amount,
        "currency": "USD",
    }
    if code:
        item["coupon_code"] = code
    return item


def test_orders_with_the_coupon_code_from_granted_buyers_are_redeemed(store, owner, other_store):
    coupon = make_coupon(store, owner)
    holder, other_holder, stranger = make_buyer(store), make_buyer(store), make_buyer(store)
    grant_to(coupon, holder)
    grant_to(coupon, other_holder)
    theirs = make_coupon(other_store)
    orders = [
        order_item("A1", holder, code=coupon.code.lower()),
        order_item("A2", holder, code=coupon.code, amount="15.00"),
        order_item("A3", stranger, code=coupon.code),
        order_item("A4", other_holder, code="NOPE-1234"),
        order_item("A5", other_holder, code=theirs.code),
        order_item("A6", other_holder),
    ]
    r = ingress(store).put("/api/v1/ingress/orders", {"orders": orders}, format="json")
    assert r.status_code == 200 and r.json() == {"created": 6, "updated": 0}
    redemption = CouponRedemption.objects.get(coupon=coupon)
    assert (redemption.order.external_id, redemption.grant.buyer) == ("A1", holder)
    body = api_as(owner).get(f"/api/v1/coupons/{coupon.pk}").json()
    assert (body["granted"], body["redeemed"], body["redemption_rate"], body["redeemed_value"]) == (
        2,
        1,
        0.5,
        "40.00",
    )
    assert sum(d["redeemed"] for d in body["daily"]) == 1 and sum(d["granted"] for d in body["daily"]) == 2
    again = ingress(store).put(
        "/api/v1/ingress/orders", {"orders": [order_item("A1", holder, code=coupon.code)]}, format="json"
    )
    assert again.json() == {"created": 0, "updated": 1}
    assert CouponRedemption.objects.filter(coupon=coupon).count() == 1


def test_cancelled_order_gives_its_redemption_back(store, owner):
    coupon = make_coupon(store, owner)
    holder = make_buyer(store)
    grant_to(coupon, holder)
    client = ingress(store)
    client.put(
        "/api/v1/ingress/orders", {"orders": [order_item("C1", holder, code=coupon.code)]}, format="json"
    )
    assert CouponRedemption.objects.filter(coupon=coupon).count() == 1
    cancelled = order_item("C1", holder, code=coupon.code, status="cancelled")
    client.put("/api/v1/ingress/orders", {"orders": [cancelled]}, format="json")
    assert not CouponRedemption.objects.filter(coupon=coupon).exists()
    client.put(
        "/api/v1/ingress/orders", {"orders": [order_item("C2", holder, code=coupon.code)]}, format="json"
    )
    assert CouponRedemption.objects.get(coupon=coupon).order.external_id == "C2"


# ---------------------------------------------------------------- agent reply with a coupon


def test_reply_with_a_coupon_grants_it_and_the_buyer_sees_the_card(store, agent, owner):
    coupon = make_coupon(store, owner, denomination="3", threshold="0")
    inbound = make_inbound(store, text="Where is my parcel?")
    conversation, buyer = inbound.conversation, inbound.message.buyer
    r = api_as(agent).post(
        f"/api/v1/conversations/{conversation.pk}/replies",
        {"text": "Sorry for the wait, here is a coupon.", "coupon_id": coupon.pk},
        format="json",
    )
    assert r.status_code == 201, r.content
    card = {
        "id": coupon.pk,
        "name": "DDWL-Spring",
        "denomination": "3.00",
        "threshold": "0.00",
        "currency": "USD",
    }
    assert r.json()["coupon"] == card
    grant = CouponGrant.objects.get(coupon=coupon)
    assert (grant.buyer, grant.source, grant.granted_by) == (buyer, "reply", agent)
    chat = ingress(store).get(f"/api/v1/ingress/buyers/{buyer.external_id}/messages").json()
    assert chat[-1]["coupon"] == card and chat[-1]["sender"] == "agent"
    assert Coupon.objects.get(pk=coupon.pk).granted_count == 1


def test_failed_grant_sends_no_message(store, agent, owner):
    coupon = make_coupon(store, owner, quantity=1)
    grant_to(coupon, make_buyer(store))
    inbound = make_inbound(store)
    conversation = inbound.conversation
    r = api_as(agent).post(
        f"/api/v1/conversations/{conversation.pk}/replies",
        {"text": "Here you go", "coupon_id": coupon.pk},
        format="json",
    )
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["coupon_id"] and "sold out" in r.json()["errors"]["coupon_id"][0]
    assert not Message.objects.filter(conversation=conversation, direction=Direction.OUTBOUND).exists()
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.NEEDS_REPLY


def test_duplicate_coupon_for_the_same_buyer_sends_no_message(store, agent, owner):
    coupon = make_coupon(store, owner)
    inbound = make_inbound(store)
    grant_to(coupon, inbound.message.buyer)
    r = api_as(agent).post(
        f"/api/v1/conversations/{inbound.conversation.pk}/replies",
        {"text": "Again", "coupon_id": coupon.pk},
        format="json",
    )
    assert r.status_code == 400 and "already has" in r.json()["errors"]["coupon_id"][0]
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
    assert Coupon.objects.get(pk=coupon.pk).granted_count == 1


def test_failed_message_rolls_back_the_grant(store, agent, owner):
    coupon = make_coupon(store, owner)
    inbound = make_inbound(store)
    fake_png = SimpleUploadedFile("photo.png", b"not a picture at all", content_type="image/png")
    r = api_as(agent).post(
        f"/api/v1/conversations/{inbound.conversation.pk}/replies",
        {"text": "A coupon and a photo", "coupon_id": coupon.pk, "image": fake_png},
        format="multipart",
    )
    assert r.status_code == 400 and list(r.json()["errors"]) == ["image"]
    assert not CouponGrant.objects.exists()
    assert Coupon.objects.get(pk=coupon.pk).granted_count == 0
    ok = api_as(agent).post(
        f"/api/v1/conversations/{inbound.conversation.pk}/replies",
        {"text": "A coupon and a photo", "coupon_id": coupon.pk, "image": picture_upload()},
        format="multipart",
    )
    assert ok.status_code == 201 and ok.json()["coupon"]["id"] == coupon.pk


def test_reply_with_another_stores_coupon_is_refused(store, agent, other_store):
    theirs = make_coupon(other_store)
    inbound = make_inbound(store)
    r = api_as(agent).post(
        f"/api/v1/conversations/{inbound.conversation.pk}/replies",
        {"text": "Hi", "coupon_id": theirs.pk},
        format="json",
    )
    assert r.status_code == 400 and list(r.json()["errors"]) == ["coupon_id"]
    assert (
        Coupon.objects.get(pk=theirs.pk).granted_count == 0
        and not Message.objects.filter(direction="outbound").exists()
    )


# ---------------------------------------------------------------- pages


def page_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_owner_creates_a_coupon_on_the_page(store, owner):
    today = today_of(store)
    form = {
        "name_suffix": "-Page",
        "denomination": "4",
        "threshold": "20",
        "currency": "USD",
        "quantity": "30",
        "activity_start": today.isoformat(),
        "activity_end": (today + timedelta(days=30)).isoformat(),
        "valid_from": (today + timedelta(days=1)).isoformat(),
        "valid_until": (today + timedelta(days=45)).isoformat(),
        "save": "submit",
    }
    r = page_as(owner).post(reverse("coupon-new"), form)
    coupon = Coupon.objects.get(store=store)
    assert r.status_code == 302 and r["Location"] == reverse("coupon-detail", args=[coupon.pk])
    assert (coupon.name, coupon.quantity, coupon.status) == ("DDWL-Page", 30, "active")
    draft = page_as(owner).post(reverse("coupon-new"), {**form, "name_suffix": "-Draft", "save": "draft"})
    assert draft.status_code == 302 and Coupon.objects.get(name_suffix="-Draft").status == "draft"


def test_page_form_shows_field_errors_and_stores_nothing(store, owner):
    today = today_of(store)
    r = page_as(owner).post(
        reverse("coupon-new"),
        {"name_suffix": "-X", "denomination": "25", "threshold": "20", "currency": "USD", "quantity": "5",
         "valid_until": (today + timedelta(days=5)).isoformat()},
    )  # fmt: skip
    assert r.status_code == 200
    html = r.content.decode()
    assert "must be below the threshold" in html and "cp-field has-error" in html
    assert not Coupon.objects.exists()


def test_agents_see_coupons_but_cannot_create_or_edit(store, owner, agent):
    coupon = make_coupon(store, owner)
    client = page_as(agent)
    html = client.get(reverse("coupons")).content.decode()
    assert "DDWL" in html and "-Spring" in html and "New coupon" not in html
    assert client.get(reverse("coupon-detail", args=[coupon.pk])).status_code == 200
    assert client.get(reverse("coupon-new")).status_code == 403
    assert client.get(reverse("coupon-edit", args=[coupon.pk])).status_code == 403
    assert client.post(reverse("coupon-status", args=[coupon.pk]), {"status": "ended"}).status_code == 403


def test_list_page_shows_status_progress_and_redemption_rate(store, owner):
    coupon = make_coupon(store, owner, quantity=4)
    holder = make_buyer(store)
    grant_to(coupon, holder)
    grant_to(coupon, make_buyer(store))
    make_order(store, holder, coupon_code=coupon.code)
    services.coupon_redemptions_record(store=store, orders=list(holder.orders.all()))
    html = page_as(owner).get(reverse("coupons")).content.decode()
    assert "2 / 4" in html and "width: 50%" in html and ">50%<" in html and "Active" in html


def test_list_page_query_count_does_not_grow_with_coupons(store, owner, django_assert_max_num_queries):
    for i in range(12):
        make_coupon(store, owner, name_suffix=f"-{i}", threshold="0")
    client = page_as(owner)
    with django_assert_max_num_queries(10):
        r = client.get(reverse("coupons"))
    assert r.content.decode().count('cp-progress"') == 12


def test_detail_page_shows_numbers_chart_and_history(store, owner):
    coupon = make_coupon(store, owner)
    grant_to(coupon, make_buyer(store, name="Ana Souza"), user=owner)
    html = page_as(owner).get(reverse("coupon-detail", args=[coupon.pk])).content.decode()
    assert 'data-testid="granted">1 <small>/ 50</small>' in html
    assert '<svg class="cp-chart"' in html and 'class="cp-bar-g"' in html
    assert coupon.code in html and "Ana Souza" in html and "Created" in html


def test_edit_page_locks_promised_terms_once_granted(store, owner):
    coupon = make_coupon(store, owner)
    grant_to(coupon, make_buyer(store))
    client = page_as(owner)
    html = client.get(reverse("coupon-edit", args=[coupon.pk])).content.decode()
    assert "already hold" in html and html.count(">locked</span>") == 5
    form = {
        "name_suffix": "-Renamed",
        "denomination": "1",
        "quantity": "60",
        "activity_end": coupon.activity_end.isoformat(),
        "valid_until": coupon.valid_until.isoformat(),
    }
    r = client.post(reverse("coupon-edit", args=[coupon.pk]), form)
    assert r.status_code == 302
    coupon.refresh_from_db()
    assert (coupon.name, coupon.quantity, coupon.denomination) == ("DDWL-Renamed", 60, Decimal("5.00"))


def test_end_now_from_the_detail_page(store, owner):
    coupon = make_coupon(store, owner)
    r = page_as(owner).post(reverse("coupon-status", args=[coupon.pk]), {"status": "ended"})
    assert r.status_code == 302
    assert Coupon.objects.get(pk=coupon.pk).status == "ended"


def test_user_text_is_escaped_on_pages(store, owner):
    make_coupon(store, owner, name_suffix="<script>alert(1)</script>")
    html = page_as(owner).get(reverse("coupons")).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_openapi_schema_describes_the_coupon_endpoints(owner):
    r = api_as(owner).get("/api/schema/", {"format": "json"})
    paths = r.json()["paths"]
    assert {"/api/v1/coupons", "/api/v1/coupons/{coupon_id}", "/api/v1/coupons/suggested-quantity"} <= set(
        paths
    )
    assert set(paths["/api/v1/coupons/{coupon_id}"]) >= {"get", "patch"}
