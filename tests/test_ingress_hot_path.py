"""Issue 14, ingress made cheaper: the message serializer's fields are built once per class and shared by every
request (``seller_desk.serializers.FieldsBuiltOnce``), the token's store and the locked conversation are compiled
reads; none of it may change what a request gets back."""

import threading

import pytest
from django.utils import translation

from marketplace.apis import IngressMessageSerializer
from seller_desk.selectors import store_for_integration_token

GOOD = {
    "message_id": "m-1",
    "buyer": {"buyer_id": "b-1", "name": "Ana", "country": "es"},
    "channel": "chat",
    "text": "¿Dónde está mi paquete?",
    "sent_at": "2026-11-20T10:00:00Z",
}
BAD = {"message_id": "m 1", "buyer": {"buyer_id": "b/1", "country": "ESP"}, "channel": "fax", "sent_at": "x"}


def test_every_serializer_of_the_class_shares_one_set_of_bound_fields():
    first, second = IngressMessageSerializer(data=GOOD), IngressMessageSerializer(data=BAD)
    assert first.fields is second.fields
    assert first.fields["buyer"].fields is second.fields["buyer"].fields


def test_shared_fields_keep_each_requests_errors_and_data_apart():
    bad = IngressMessageSerializer(data=BAD)
    assert not bad.is_valid()
    good = IngressMessageSerializer(data=GOOD)
    assert good.is_valid(), good.errors
    assert good.validated_data["buyer"] == {"buyer_id": "b-1", "name": "Ana", "country": "es"}
    assert sorted(bad.errors) == ["buyer", "channel", "message_id", "sent_at"]
    assert sorted(bad.errors["buyer"]) == ["buyer_id", "country"]
    assert bad.errors["channel"] == ['"fax" is not a valid choice.']


def test_shared_fields_answer_in_each_requests_language():
    with translation.override("zh-hans"):
        chinese = IngressMessageSerializer(data=BAD)
        chinese.is_valid()
    english = IngressMessageSerializer(data=BAD)
    english.is_valid()
    assert english.errors["channel"] == ['"fax" is not a valid choice.']
    assert chinese.errors["channel"] != english.errors["channel"]


def test_threads_validating_at_once_each_get_their_own_answer():
    results: dict[int, object] = {}

    def validate(n: int) -> None:
        for _ in range(200):
            data = {**GOOD, "message_id": f"m-{n}"} if n % 2 else BAD
            payload = IngressMessageSerializer(data=data)
            valid = payload.is_valid()
            seen = payload.validated_data["message_id"] if valid else sorted(payload.errors)
            if results.setdefault(n, seen) != seen:
                results[n] = "mixed"

    threads = [threading.Thread(target=validate, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {
        n: (f"m-{n}" if n % 2 else ["buyer", "channel", "message_id", "sent_at"]) for n in range(6)
    }


@pytest.mark.django_db
def test_the_tokens_store_comes_with_its_settings_or_their_absence(store):
    from autoreply.models import AutoReplySettings

    related = ("autoreply_settings", "inbox_settings")
    found = store_for_integration_token(token_hash=store.integration_token_hash, related=related)
    assert found.pk == store.pk and found.slug == store.slug
    with pytest.raises(AutoReplySettings.DoesNotExist):
        found.autoreply_settings  # noqa: B018 - no row: as select_related leaves it
    AutoReplySettings.objects.create(
        store=store, enabled=True, welcome_text="Hi", welcome_texts={"ru": "Привет"}
    )
    found = store_for_integration_token(token_hash=store.integration_token_hash, related=related)
    assert found.autoreply_settings.enabled is True
    assert found.autoreply_settings.welcome_texts == {"ru": "Привет"}
    assert found.autoreply_settings.store is found
    assert store_for_integration_token(token_hash="0" * 64, related=related) is None


@pytest.mark.django_db
def test_one_statement_stores_the_message_and_the_conversation_as_the_orm_would(store):
    """The message and its conversation's latest-message fields, the wait it opens and a reopening, written by the
    one INSERT … UPDATE statement; the rows read back equal what the ORM's two saves wrote before."""
    from datetime import timedelta

    from django.utils import timezone

    from conversations.models import Conversation, Message, ReplyWait
    from tests.factories import make_inbound

    sent = timezone.now() - timedelta(minutes=5)
    first = make_inbound(store, text="Где моя посылка?", sent_at=sent).message
    stored = Message.objects.get(pk=first.pk)
    assert (stored.external_id, stored.text, stored.language, stored.created_at) == (
        first.external_id,
        "Где моя посылка?",
        "ru",
        sent,
    )
    assert stored.card is None and stored.delivery_attempts == 0 and not stored.image
    conversation = Conversation.objects.get(pk=first.conversation_id)
    assert (conversation.status, conversation.waiting_since, conversation.reply_due_at) == (
        "needs_reply",
        sent,
        sent + timedelta(hours=24),
    )
    assert (conversation.last_message_at, conversation.last_message_preview, conversation.language) == (
        sent,
        "Где моя посылка?",
        "ru",
    )
    assert ReplyWait.objects.get(conversation=conversation).opened_by_id == first.pk

    Conversation.objects.filter(pk=conversation.pk).update(inbox_state="resolved", resolved_at=timezone.now())
    later = sent + timedelta(minutes=1)
    second = make_inbound(
        store, buyer=first.buyer, text="Is anybody there? I am still waiting for my parcel.", sent_at=later
    ).message
    conversation.refresh_from_db()
    assert second.conversation_id == conversation.pk and second.pk > first.pk
    assert (conversation.inbox_state, conversation.resolved_at) == ("open", None)
    assert (conversation.last_message_at, conversation.last_message_preview, conversation.language) == (
        later,
        "Is anybody there? I am still waiting for my parcel.",
        "en",
    )
    assert conversation.waiting_since == sent  # the first unanswered message still counts
    assert ReplyWait.objects.filter(conversation=conversation).count() == 1


@pytest.mark.django_db
def test_a_replayed_message_id_inside_the_one_statement_changes_nothing(store):
    from conversations.models import Conversation, Message
    from tests.factories import make_inbound

    first = make_inbound(store, text="First", message_id="same-id")
    again = make_inbound(store, buyer=first.message.buyer, text="Second", message_id="same-id")
    assert (first.created, again.created) == (True, False)
    assert again.message.pk == first.message.pk
    assert Message.objects.filter(store=store).count() == 1
    assert Conversation.objects.get(pk=first.conversation.pk).last_message_preview == "First"


def test_the_schema_still_documents_the_message_request_as_declared():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    request = schema["components"]["schemas"]["IngressMessageRequest"]
    assert "description" not in request  # nothing of the mixin leaks into the contract
    assert request["required"] == ["buyer", "channel", "message_id", "sent_at"]
    assert request["properties"]["message_id"]["maxLength"] == 64
    assert request["properties"]["text"]["maxLength"] == 10000


@pytest.mark.django_db
def test_other_databases_store_the_same_through_the_orms_two_saves(store, monkeypatch):
    """Data-modifying WITH is PostgreSQL's: elsewhere (SQLite in development) the message and the conversation are
    saved by the ORM, with the same result."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conversations.models import Conversation, Message
    from tests.factories import make_inbound

    monkeypatch.setattr(connection, "vendor", "sqlite")
    with CaptureQueriesContext(connection) as captured:
        first = make_inbound(store, text="Gdzie jest moja paczka?")
    assert not [q for q in captured.captured_queries if q["sql"].startswith("WITH")]
    assert [
        q for q in captured.captured_queries if q["sql"].startswith('INSERT INTO "conversations_message"')
    ]
    again = make_inbound(store, buyer=first.message.buyer, text="Gdzie jest moja paczka?", message_id="dup")
    replay = make_inbound(store, buyer=first.message.buyer, text="Other", message_id="dup")
    assert (first.created, again.created, replay.created) == (True, True, False)
    assert Message.objects.filter(store=store).count() == 2
    conversation = Conversation.objects.get(pk=first.conversation.pk)
    assert (conversation.last_message_at, conversation.language) == (again.message.created_at, "pl")
