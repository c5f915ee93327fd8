"""Dispute figures on the dashboard (issue 12, point 3) and the disputes behind each number."""

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from reports.selectors import dispute_figures, disputes_for
from seller_desk.models import Dispute
from tests.factories import make_member, make_order

pytestmark = pytest.mark.django_db


def _dispute(store, n, *, status="open", opened_days_ago=3, agreed_after_days=None, escalated=False):
    now = timezone.now()
    order = make_order(store, days_ago=40, shipped_at=now - timedelta(days=2))
    opened = now - timedelta(days=opened_days_ago)
    return Dispute.objects.create(
        store=store,
        order=order,
        external_id=f"D{n}",
        opened_at=opened,
        reason="Not received",
        refund_amount=Decimal("10.00"),
        status=status,
        escalates_at=opened + timedelta(days=15),
        agreed_at=opened + timedelta(days=agreed_after_days) if agreed_after_days is not None else None,
        escalated_at=now - timedelta(days=1) if escalated else None,
    )


def test_the_figures_count_open_escalated_agreed_days_to_agreement_and_per_100_shipped(store, other_store):
    _dispute(store, 1)
    _dispute(store, 2, status="proposed")
    _dispute(store, 3, status="agreed", agreed_after_days=1)
    _dispute(store, 4, status="agreed", agreed_after_days=2)
    _dispute(store, 5, status="escalated", opened_days_ago=20, escalated=True)
    _dispute(other_store, 6)
    for _ in range(5):  # shipped orders without a dispute
        make_order(store, days_ago=5, shipped_at=timezone.now() - timedelta(days=3))
    figures = dispute_figures(store=store, days=30)
    assert (figures["open"], figures["escalated"], figures["agreed"]) == (2, 1, 2)
    assert figures["avg_days_to_agreement"] == 1.5
    assert (figures["opened"], figures["shipped"]) == (5, 10)
    assert figures["per_100_shipped"] == 50.0
    assert sum(d["opened"] for d in figures["daily"]) == 5
    assert [d.external_id for d in disputes_for(store=store, days=30, kind="open")] == ["D1", "D2"]
    assert {d.external_id for d in disputes_for(store=store, days=30, kind="agreed")} == {"D3", "D4"}


def test_no_agreement_and_no_shipment_show_no_number_rather_than_zero(store):
    figures = dispute_figures(store=store, days=7)
    assert (figures["avg_days_to_agreement"], figures["per_100_shipped"]) == (None, None)


def test_the_dashboard_shows_the_figures_chart_and_drills_down_to_the_disputes(store, other_store):
    d = _dispute(store, 1)
    _dispute(other_store, 9)
    client = Client()
    client.force_login(make_member(store, role="owner"))
    html = client.get("/dashboard/?days=30").content.decode()
    assert 'id="dispute-figures"' in html and 'data-testid="dispute-chart"' in html
    assert "/dashboard/disputes/?days=30&amp;kind=open" in html
    page = client.get("/dashboard/disputes/?days=30&kind=open").content.decode()
    assert "#D1" in page and "#D9" not in page
    day = timezone.localdate(d.opened_at, timezone=ZoneInfo(store.timezone))
    page = client.get(f"/dashboard/disputes/?days=30&kind=opened&date={day.isoformat()}").content.decode()
    assert "#D1" in page


def test_a_bad_kind_is_a_clear_400(store):
    client = Client()
    client.force_login(make_member(store))
    r = client.get("/dashboard/disputes/?kind=lost")
    assert r.status_code == 400
    assert "kind is one of open, escalated, agreed, opened (got &#x27;lost&#x27;)." in r.content.decode()
