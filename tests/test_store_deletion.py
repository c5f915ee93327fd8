from io import StringIO

import pytest
from django.core.management import call_command

from conversations.models import Conversation, Message
from coupons.models import Coupon
from seller_desk.models import Dispute, Order, Store
from tests.factories import make_inbound, make_member, make_order, make_store

pytestmark = pytest.mark.django_db


def test_deleting_a_store_removes_everything_it_owns_and_nothing_else():
    call_command("seed_demo", stdout=StringIO())
    kept = make_store(name="Kept Store")
    make_inbound(kept, order=make_order(kept), text="stays")
    stores = list(Store.objects.exclude(pk=kept.pk))
    assert Dispute.objects.filter(store__in=stores).exists()
    assert Conversation.objects.filter(store__in=stores, order__isnull=False).exists()

    for store in stores:
        store.delete()

    assert list(Store.objects.all()) == [kept]
    assert not Order.objects.exclude(store=kept).exists()
    assert not Message.objects.exclude(store=kept).exists()
    assert not Coupon.objects.exclude(store=kept).exists()
    assert Message.objects.get(store=kept).text == "stays"


def test_a_buyer_with_two_orders_on_one_channel_can_be_deleted_with_the_store():
    store = make_store()
    make_member(store)
    first = make_order(store)
    second = make_order(store, buyer=first.buyer)
    make_inbound(store, order=first, channel="chat")
    make_inbound(store, order=second, channel="chat")
    store.delete()
    assert not Conversation.objects.exists()
