"""The scale benchmark's loader writes rows in raw SQL, so a new NOT NULL column would break it without any other
test noticing (the team inbox's ``inbox_state`` and ``resolved_without_reply`` once did). Its statements run here
at a tiny size, and the rows they make are read back through the desk's own selectors."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from bench import load_big
from campaigns.models import CampaignRecipient
from conversations import selectors
from conversations.models import Conversation, Message, ReplyWait
from seller_desk.models import Order
from seller_desk.selectors import store_local_date

pytestmark = pytest.mark.usefixtures("require_postgres")


def test_the_scale_loader_fills_every_required_column_and_its_rows_read_back(store):
    size = {"buyers": 1_000, "orders": 3_000, "conversations": 300}
    with connection.cursor() as cursor:
        params = {"store": store.pk, "first_buyer": load_big.first_buyer_id(cursor), **size}
        for statement in load_big.SQL.split(";\n\n"):
            if statement.strip():
                cursor.execute(statement, params)
        cursor.execute(load_big.PUSHED, params)
        campaign = cursor.fetchone()[0]
        cursor.execute(
            load_big.PUSHED_ROWS,
            {**params, "campaign": campaign, "today": store_local_date(store).isoformat()},
        )

    assert Order.objects.filter(store=store).count() == 3_000
    assert Conversation.objects.filter(store=store).count() == 300
    assert Message.objects.filter(store=store).count() == 900
    assert ReplyWait.objects.filter(store=store, closed_at__isnull=True).count() == 100
    assert CampaignRecipient.objects.filter(store=store, status="sent").count() == 1_000
    rows, cursor = selectors.queue_rows(store=store, limit=50)
    assert len(rows) == 50 and cursor
    assert all(r["reply_status"] == "needs_reply" and r["status"] == "open" for r in rows)
    due = [r["reply_due_at"] for r in rows]
    assert due == sorted(due) and due[-1] < (timezone.now() + timedelta(hours=24)).isoformat()
