"""The outbox: idempotent replies (API and inbox), and campaign batches cut by a killed worker resumed by the
sweeper within a minute."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import services as campaign_services
from campaigns.models import Campaign, CampaignRecipient
from conversations.models import Message
from seller_desk.selectors import store_local_date
from tests.factories import make_inbound, make_member
from tests.test_campaigns import conditions, crowd_of, new_campaign
from tests.test_seller_api import token_client

pytestmark = pytest.mark.django_db


def _post_reply(client, conversation, key, text="It ships tomorrow."):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(
        f"/api/v1/conversations/{conversation.pk}/replies", {"text": text}, format="json", **headers
    )


def test_a_retried_reply_with_the_same_key_is_sent_once(store):
    conversation = make_inbound(store).conversation
    client = token_client(make_member(store))

    first = _post_reply(client, conversation, "7d0c0f9e-0b7e-4c55-a5b8-1f1c5d3e9a10")
    again = _post_reply(client, conversation, "7d0c0f9e-0b7e-4c55-a5b8-1f1c5d3e9a10")

    assert first.status_code == 201 and again.status_code == 201
    assert again.json() == first.json()
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    assert Message.objects.filter(conversation=conversation, direction="outbound").count() == 1


def test_a_replay_is_answered_even_if_the_retry_body_differs(store):
    """The key names the request: a retry that changed its text gets the reply that was sent, nothing new."""
    conversation = make_inbound(store).conversation
    client = token_client(make_member(store))
    first = _post_reply(client, conversation, "k-1", text="First text")
    again = _post_reply(client, conversation, "k-1", text="Changed text")
    assert again.json()["text"] == "First text" == first.json()["text"]
    assert Message.objects.filter(conversation=conversation, direction="outbound").count() == 1


def test_replies_without_a_key_are_each_sent(store):
    conversation = make_inbound(store).conversation
    client = token_client(make_member(store))
    assert _post_reply(client, conversation, None).status_code == 201
    assert _post_reply(client, conversation, None).status_code == 201
    assert Message.objects.filter(conversation=conversation, direction="outbound").count() == 2


def test_a_key_reused_for_another_conversation_is_refused(store):
    first, second = make_inbound(store).conversation, make_inbound(store).conversation
    client = token_client(make_member(store))
    assert _post_reply(client, first, "shared-key").status_code == 201

    r = _post_reply(client, second, "shared-key")

    assert r.status_code == 400
    assert r.json() == {
        "errors": {
            "Idempotency-Key": [
                "This key was already used for another reply; "
                "send a new key for each new reply and the same key only to retry it."
            ]
        }
    }
    assert not Message.objects.filter(conversation=second, direction="outbound").exists()


def test_a_key_reused_by_another_agent_is_refused(store):
    conversation = make_inbound(store).conversation
    assert _post_reply(token_client(make_member(store)), conversation, "k-42").status_code == 201
    assert _post_reply(token_client(make_member(store)), conversation, "k-42").status_code == 400


def test_keys_are_per_store(store, other_store):
    mine, theirs = make_inbound(store).conversation, make_inbound(other_store).conversation
    assert _post_reply(token_client(make_member(store)), mine, "k-1").status_code == 201
    assert _post_reply(token_client(make_member(other_store)), theirs, "k-1").status_code == 201


@pytest.mark.parametrize("key", ["", "has space", "x" * 101, "ключ", "a/b"])
def test_a_malformed_key_is_400_and_sends_nothing(store, key):
    conversation = make_inbound(store).conversation
    r = _post_reply(token_client(make_member(store)), conversation, key)
    assert r.status_code == 400
    assert r.json() == {
        "errors": {
            "Idempotency-Key": [
                "An idempotency key is 1 to 100 letters, digits, '-', '_', '.' or ':' (a UUID fits)."
            ]
        }
    }
    assert not Message.objects.filter(conversation=conversation, direction="outbound").exists()


def test_the_inbox_reply_box_sends_a_double_submit_once(store, client):
    conversation = make_inbound(store).conversation
    client.force_login(make_member(store))
    page = client.get(f"/inbox/{conversation.pk}/").content.decode()
    assert 'id="reply-idempotency-key"' in page
    form = {"text": "Sent once.", "language": "en", "idempotency_key": "box-1"}

    assert client.post(f"/inbox/{conversation.pk}/reply/", form).status_code == 302
    assert client.post(f"/inbox/{conversation.pk}/reply/", form).status_code == 302

    assert list(
        Message.objects.filter(conversation=conversation, direction="outbound").values_list("text", flat=True)
    ) == ["Sent once."]


def test_each_fresh_reply_box_has_a_new_key(store, client):
    conversation = make_inbound(store).conversation
    client.force_login(make_member(store))
    keys = set()
    for _ in range(2):
        page = client.get(f"/inbox/{conversation.pk}/").content.decode()
        start = page.index('id="reply-idempotency-key"')
        tag = page[page.rindex("<input", 0, start) : page.index(">", start)]
        keys.add(tag.split('value="')[1].split('"')[0])
    assert len(keys) == 2 and all(len(k) == 32 for k in keys)


# --- campaign batches cut by a killed worker ---


def _cut_campaign(store, recipients=6):
    """A sending campaign whose batch was cut: buyers pending, nothing sent for over 30 s."""
    today = store_local_date(store)
    crowd_of(store, recipients, today - timedelta(days=2), prefix="cut")
    campaign = new_campaign(store, crowd=conditions(store, today - timedelta(days=2), today))
    campaign_services.campaign_send_now(campaign=campaign, acting_user=None)  # its batch is never run here
    Campaign.objects.filter(pk=campaign.pk).update(last_sent_at=timezone.now() - timedelta(seconds=31))
    return campaign


def test_a_cut_batch_is_queued_again_by_the_sweeper(store):
    campaign = _cut_campaign(store)
    assert CampaignRecipient.objects.filter(campaign=campaign, status="pending").count() == 6

    assert campaign_services.campaigns_resume_cut() == [campaign.pk]  # in-process: the batch runs here

    assert CampaignRecipient.objects.filter(campaign=campaign, status="sent").count() == 6
    assert Message.objects.filter(store=store, sender="campaign").count() == 6
    assert Campaign.objects.get(pk=campaign.pk).status == "done"
    assert campaign_services.campaigns_resume_cut() == []


def test_a_batch_that_sent_within_30_seconds_is_left_alone(store):
    campaign = _cut_campaign(store)
    Campaign.objects.filter(pk=campaign.pk).update(last_sent_at=timezone.now() - timedelta(seconds=20))
    assert campaign_services.campaigns_resume_cut() == []


def test_paused_campaigns_and_full_quotas_are_not_resumed(store):
    from campaigns.models import StoreDailyQuota

    paused = _cut_campaign(store)
    Campaign.objects.filter(pk=paused.pk).update(status="paused")
    assert campaign_services.campaigns_resume_cut() == []
    Campaign.objects.filter(pk=paused.pk).update(status="sending")
    StoreDailyQuota.objects.update_or_create(
        store=store, day=store_local_date(store), defaults={"cap": 500, "used": 500}
    )
    assert campaign_services.campaigns_resume_cut() == []


# --- a started task retries database errors ---


def test_a_delivery_task_retries_a_database_error(monkeypatch):
    from django.db import OperationalError

    from conversations import tasks

    calls = []

    def flaky(*, message_id):
        calls.append(message_id)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return True

    monkeypatch.setattr(tasks, "deliver_pending", flaky)
    result = tasks.deliver_message.apply(args=(42,), throw=False)
    assert result.successful() and result.result is True
    assert calls == [42, 42]


@pytest.mark.postgres
def test_two_parallel_requests_with_one_key_send_one_reply(transactional_db, require_postgres):
    import threading

    from django.db import connection

    from tests.factories import make_store

    store = make_store(name="Race Store")
    conversation = make_inbound(store).conversation
    member = make_member(store)
    clients = [token_client(member) for _ in range(2)]
    barrier, answers = threading.Barrier(2), []

    def send(client):
        try:
            barrier.wait()
            r = _post_reply(client, conversation, "race-key")
            answers.append((r.status_code, r.json()["id"], r.get("Idempotent-Replayed")))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert [a[0] for a in answers] == [201, 201]
    assert answers[0][1] == answers[1][1]
    assert sorted(str(a[2]) for a in answers) == ["None", "true"]
    assert Message.objects.filter(conversation=conversation, direction="outbound").count() == 1
