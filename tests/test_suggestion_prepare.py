"""Issue 13 point 6: a buyer message's query vector is embedded by a task on the ``suggest`` queue after ingest, so
the reply box ranks without running the model. Messages are noted in a Redis list and a task takes them in batches:
one publish per burst, not per message."""

import uuid

import pytest
from django.conf import settings
from django.core.cache import caches
from rest_framework.test import APIClient

from conversations import services
from conversations.models import Conversation
from conversations.selectors import (
    suggestion_text_for_conversation,
    suggestion_text_for_conversation_id,
    suggestion_texts_for_conversation_ids,
    suggestions_for_conversation,
)
from conversations.services import suggestion_prepare
from conversations.tasks import prepare_suggestions
from seller_desk.shared_cache import redis_client
from templates_i18n import suggest
from tests.factories import make_inbound, make_store
from tests.workers import wait_for


class EncoderSpy:
    """Wraps the e5 model: counts the buyer-message (query) embeddings it computes."""

    def __init__(self, model):
        self.model = model
        self.queries: list[str] = []

    def query(self, text):
        self.queries.append(text)
        return self.model.query(text)

    def passage(self, texts):
        return self.model.passage(texts)


@pytest.fixture
def encoder(monkeypatch):
    spy = EncoderSpy(suggest._model())
    monkeypatch.setattr(suggest, "_model", lambda: spy)
    return spy


@pytest.fixture(autouse=True)
def _no_pending_suggestions():
    """The pending list and the "task on its way" mark live in Redis across tests: each test starts without."""
    client = redis_client()
    if client is not None:
        from django.core.cache import cache

        client.delete(
            cache.make_key(services.SUGGEST_PENDING_KEY), cache.make_key(services.SUGGEST_SCHEDULED_KEY)
        )


def _forget_process_vectors():
    """A new web process: only the shared ``embeddings`` cache knows the vectors."""
    with suggest._model_lock:
        suggest._queries.clear()


def _unique_text() -> str:
    return f"Hello, my parcel {uuid.uuid4().hex[:6]} has not arrived yet, where is it?"


def post_message(store, text: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    return client.post(
        "/api/v1/ingress/messages",
        {
            "message_id": uuid.uuid4().hex,
            "buyer": {"buyer_id": "b-prep", "name": "Olga", "country": "DE", "locale": "en_US"},
            "channel": "message",
            "text": text,
            "sent_at": "2026-11-20T10:00:00+00:00",
        },
        format="json",
    )


def test_the_task_is_routed_to_the_suggest_queue():
    assert settings.CELERY_TASK_ROUTES["conversations.prepare_suggestions"] == {"queue": "suggest"}
    route = prepare_suggestions.app.amqp.router.route({}, prepare_suggestions.name, (), {})
    assert route["queue"].name == "suggest"


@pytest.mark.django_db
def test_after_ingest_the_suggestion_runs_no_encoder(store, encoder, django_capture_on_commit_callbacks):
    text = _unique_text()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_message(store, text)
    assert response.status_code == 201, response.content
    assert encoder.queries == [text], "the task embeds the message once, after commit"
    conversation = Conversation.objects.get(pk=response.json()["conversation_id"])

    encoder.queries.clear()
    _forget_process_vectors()
    result = suggestions_for_conversation(store=store, conversation=conversation)
    assert result.suggestions, "the reply box still ranks the scenarios"
    assert encoder.queries == [], "the vector came from the shared cache, not the model"


@pytest.mark.django_db
def test_a_second_message_prepares_the_text_of_both(store, encoder, django_capture_on_commit_callbacks):
    first = make_inbound(store, text=_unique_text())
    with django_capture_on_commit_callbacks(execute=True):
        make_inbound(store, buyer=first.message.buyer, text="Please answer me, it is urgent")
    joined = suggestion_text_for_conversation(first.conversation)
    assert "\n" in joined
    assert encoder.queries[-1] == joined
    encoder.queries.clear()
    suggestions_for_conversation(store=store, conversation=first.conversation)
    assert encoder.queries == []


@pytest.mark.django_db
def test_a_deleted_conversation_is_skipped_quietly(store, encoder, django_assert_max_num_queries):
    conversation = make_inbound(store, text=_unique_text()).conversation
    conversation_id = conversation.pk
    conversation.delete()
    with django_assert_max_num_queries(1):
        assert prepare_suggestions.delay([conversation_id]).get() == 0
    assert encoder.queries == []


@pytest.mark.django_db
def test_a_conversation_without_buyer_text_embeds_nothing(store, encoder):
    conversation = make_inbound(store, text=_unique_text()).conversation
    conversation.messages.update(text="")
    assert suggestion_prepare(conversation_id=conversation.pk) is False
    assert encoder.queries == []


@pytest.mark.django_db
def test_ingest_succeeds_when_the_broker_is_down(
    store, monkeypatch, caplog, django_capture_on_commit_callbacks, require_redis
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(prepare_suggestions, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_message(store, _unique_text())
    assert response.status_code == 201, response.content
    assert "could not queue the suggestion" in caplog.text
    published = []
    monkeypatch.setattr(prepare_suggestions, "apply_async", lambda *a, **kw: published.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        post_message(store, _unique_text())
    assert published == [{"retry": False, "countdown": services.SUGGEST_GATHER_SECONDS}], (
        "the failed publish left no mark: the next message publishes"
    )


@pytest.mark.django_db
def test_a_burst_of_messages_is_one_publish_and_one_batch(
    store, monkeypatch, encoder, django_capture_on_commit_callbacks, require_redis
):
    published = []
    monkeypatch.setattr(prepare_suggestions, "apply_async", lambda *a, **kw: published.append((a, kw)))
    texts = [_unique_text() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        for n, text in enumerate(texts):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
            response = client.post(
                "/api/v1/ingress/messages",
                {
                    "message_id": uuid.uuid4().hex,
                    "buyer": {"buyer_id": f"b-burst-{n}", "name": "Olga", "country": "DE", "locale": "en_US"},
                    "channel": "message",
                    "text": text,
                    "sent_at": "2026-11-20T10:00:00+00:00",
                },
                format="json",
            )
            assert response.status_code == 201, response.content
    assert published == [((), {"retry": False, "countdown": services.SUGGEST_GATHER_SECONDS})], (
        "the first message publishes one task, due after the gathering window"
    )
    assert prepare_suggestions.run() == 3, "the task takes the three noted conversations"
    assert sorted(encoder.queries) == sorted(texts)
    assert prepare_suggestions.run() == 0, "taken once"


@pytest.mark.django_db
def test_without_redis_each_message_gets_its_task(
    store, monkeypatch, encoder, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "redis_client", lambda: None)
    text = _unique_text()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_message(store, text)
    assert response.status_code == 201, response.content
    assert encoder.queries == [text]


@pytest.mark.celery_worker
def test_a_real_worker_prepares_the_vector_on_the_suggest_queue(
    transactional_db, celery_worker_process, encoder
):
    store = make_store(name="Suggest Worker Store")
    text = _unique_text()
    key = suggest._query_cache_key(text)
    response = post_message(store, text)
    assert response.status_code == 201, response.content
    assert wait_for(lambda: caches["embeddings"].get(key) is not None, timeout=90), (
        "the worker did not put the vector in the shared cache within 90 s"
    )
    conversation = Conversation.objects.get(pk=response.json()["conversation_id"])
    _forget_process_vectors()
    suggestions_for_conversation(store=store, conversation=conversation)
    assert encoder.queries == [], "the web process embedded nothing: the worker did"


def _conversations_of_every_shape(store) -> list[int]:
    """Buyer-only threads, agent answers, auto-replies and campaign pushes (not answers), a message only the buyer
    sees, and a long thread (more messages than the rule reads)."""
    from conversations.services import outbound_message_create

    ids = []
    for shape in range(6):
        first = make_inbound(store, text=f"{store.name}, shape {shape}: where is my parcel?")
        conversation = first.conversation
        if shape == 1:
            outbound_message_create(conversation=conversation, sender="agent", text="It ships today.")
            make_inbound(store, buyer=conversation.buyer, text=f"{store.name}: thank you, and the tracking?")
        elif shape == 2:
            outbound_message_create(
                conversation=conversation, sender="autoreply", text="We reply within 24 h."
            )
            outbound_message_create(conversation=conversation, sender="campaign", text="Coupon for you")
        elif shape == 3:
            outbound_message_create(conversation=conversation, sender="agent", text="Delivered yesterday.")
        elif shape == 4:
            outbound_message_create(conversation=conversation, sender="agent", text="note", buyer_only=True)
        elif shape == 5:
            for n in range(25):
                make_inbound(
                    store, buyer=conversation.buyer, text=f"{store.name}: message {n} of a long thread"
                )
        ids.append(conversation.pk)
    return ids


@pytest.mark.django_db
def test_the_batch_read_gives_each_conversation_the_text_read_alone(store, other_store):
    ids = _conversations_of_every_shape(store) + _conversations_of_every_shape(other_store)
    alone = {conversation_id: suggestion_text_for_conversation_id(conversation_id) for conversation_id in ids}
    assert len(set(alone.values())) == len(ids), "every shape gives a text of its own"
    gone = make_inbound(store, text=_unique_text()).conversation
    gone_id = gone.pk
    gone.delete()
    batch = suggestion_texts_for_conversation_ids([*ids, gone_id, ids[0]])
    assert batch == alone, "same texts, the deleted conversation left out, a repeated id read once"


@pytest.mark.django_db
def test_a_batch_of_conversations_is_read_in_one_query(
    store, encoder, django_assert_num_queries, require_postgres
):
    """On PostgreSQL; SQLite (development) reads them one by one."""
    small = _conversations_of_every_shape(store)[:2]
    large = small + _conversations_of_every_shape(store)
    with django_assert_num_queries(1):
        assert services.suggestions_prepare(conversation_ids=small) == 2
    with django_assert_num_queries(1):
        assert services.suggestions_prepare(conversation_ids=large) == len(dict.fromkeys(large))


@pytest.mark.django_db
def test_an_empty_batch_reads_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert services.suggestions_prepare(conversation_ids=[]) == 0
