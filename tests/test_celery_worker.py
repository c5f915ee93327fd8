"""Task flow through a real Celery worker on Redis against the real PostgreSQL test database."""

import pytest

from conversations.delivery import deliver_pending
from conversations.models import Message
from conversations.services import reply_send
from tests.factories import make_inbound, make_member, make_store
from tests.workers import wait_for


@pytest.mark.celery_worker
def test_reply_is_delivered_by_a_real_worker_after_commit(transactional_db, celery_worker_process):
    store = make_store(name="Worker Store")
    agent = make_member(store)
    conversation = make_inbound(store, text="Where is my parcel?").conversation

    message = reply_send(conversation=conversation, acting_user=agent, text="It ships tomorrow.")

    assert wait_for(lambda: Message.objects.filter(pk=message.pk, delivered_at__isnull=False).exists()), (
        "the worker did not deliver the reply within 60 s"
    )
    first = Message.objects.get(pk=message.pk).delivered_at
    assert deliver_pending(message_id=message.pk) is False
    assert Message.objects.get(pk=message.pk).delivered_at == first
