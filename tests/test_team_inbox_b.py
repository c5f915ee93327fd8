"""Team inbox, part B (issue 10, points 4–7): private notes and @mentions, tags, order-status groups,
blocked buyers, search in every script, drafts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.models import BuyerBlock, ConversationTag, Draft, Message, Note, NoteMention, ReplyWait
from conversations.services import (
    buyer_block,
    buyer_unblock,
    conversation_tag_add,
    conversation_tag_remove,
    conversations_tag_bulk,
    draft_save,
    note_create,
    reply_send,
    tag_create,
)
from reports.selectors import response_rate
from seller_desk.errors import ApplicationError
from seller_desk.models import AuditEvent, AuditKind
from tests.factories import make_api_token, make_buyer, make_inbound, make_member, make_order

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


def _ingress(store) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    return client


@pytest.fixture
def owner(store):
    return make_member(store, role="owner", username="olga-owner")


@pytest.fixture
def agent(store):
    return make_member(store, role="agent", username="li.wei")


@pytest.fixture
def conversation(store):
    order = make_order(store, make_buyer(store, name="Ольга Смирнова"), status="in_transit")
    return make_inbound(store, order=order, text="Где моя посылка?").conversation


# ---------------------------------------------------------------- 4. private notes


def test_note_api_answers_201_and_shows_in_the_detail_as_notes(store, agent, conversation):
    r = _api(agent).post(
        f"/api/v1/conversations/{conversation.pk}/notes", {"text": "Carrier says Tuesday."}, format="json"
    )
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"id", "text", "author", "created_at"}
    assert body["text"] == "Carrier says Tuesday."
    assert body["author"] == {"id": agent.pk, "username": "li.wei"}
    detail = _api(agent).get(f"/api/v1/conversations/{conversation.pk}").json()
    assert [n["text"] for n in detail["notes"]] == ["Carrier says Tuesday."]
    assert [m["text"] for m in detail["messages"]] == ["Где моя посылка?"]


def test_a_note_never_reaches_the_buyer_and_is_not_a_reply(store, agent, conversation):
    before = Message.objects.filter(conversation=conversation).count()
    _api(agent).post(
        f"/api/v1/conversations/{conversation.pk}/notes", {"text": "INTERNAL: refund approved"}, format="json"
    )
    chat = _ingress(store).get(f"/api/v1/ingress/buyers/{conversation.buyer.external_id}/messages")
    assert chat.status_code == 200
    assert [m["text"] for m in chat.json()] == ["Где моя посылка?"]
    assert "INTERNAL" not in chat.content.decode()
    # Not a message (so nothing in the outbox), the wait stays open, the conversation still needs a reply.
    assert Message.objects.filter(conversation=conversation).count() == before
    assert ReplyWait.objects.get(conversation=conversation).closed_at is None
    conversation.refresh_from_db()
    assert conversation.status == "needs_reply"
    assert response_rate(store=store)["answered"] == 0


def test_an_empty_note_is_a_400_naming_text(store, agent, conversation):
    r = _api(agent).post(f"/api/v1/conversations/{conversation.pk}/notes", {"text": "   "}, format="json")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["text"]
    assert Note.objects.count() == 0


def test_mentioning_a_teammate_puts_the_note_in_their_mentions_view(
    client, store, owner, agent, conversation
):
    note = note_create(
        conversation=conversation,
        acting_user=owner,
        text="@li.wei please call the carrier; mail me at boss@example.com, not @nobody",
    )
    assert list(NoteMention.objects.values_list("note_id", "user_id")) == [(note.pk, agent.pk)]
    client.force_login(agent)
    page = client.get(reverse("inbox-mentions")).content.decode()
    assert "please call the carrier" in page
    assert '<span class="mention">@li.wei</span>' in page
    assert reverse("inbox-thread", args=[conversation.pk]) in page
    client.force_login(owner)
    assert "please call the carrier" not in client.get(reverse("inbox-mentions")).content.decode()


def test_notes_show_in_the_thread_marked_internal_and_escaped(client, store, agent, conversation):
    client.force_login(agent)
    r = client.post(
        reverse("inbox-note", args=[conversation.pk]),
        {"text": "<script>alert(1)</script> check"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt; check" in r.content.decode()
    page = client.get(reverse("inbox-thread", args=[conversation.pk])).content.decode()
    assert "Internal note · not sent to the buyer" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page


def test_the_thread_poll_brings_a_teammates_new_note(client, store, owner, agent, conversation):
    first = note_create(conversation=conversation, acting_user=owner, text="Checking with the warehouse")
    client.force_login(agent)
    url = reverse("inbox-thread-since", args=[conversation.pk])
    last_message = Message.objects.filter(conversation=conversation).latest("id").pk
    body = client.get(url, {"after": last_message, "after_note": 0}).content.decode()
    assert f'data-note-id="{first.pk}"' in body
    assert client.get(url, {"after": last_message, "after_note": first.pk}).status_code == 204
    assert client.get(url, {"after": last_message}).status_code == 204  # an old page asks for messages only
    second = note_create(conversation=conversation, acting_user=owner, text="Warehouse confirms: shipped")
    body = client.get(url, {"after": last_message, "after_note": first.pk}).content.decode()
    assert f'data-note-id="{second.pk}"' in body and "Warehouse confirms" in body
    assert f'data-note-id="{first.pk}"' not in body


def test_notes_are_not_checked_by_the_banned_word_guard(store, agent, conversation):
    note = note_create(conversation=conversation, acting_user=agent, text="Buyer was terrible on the phone")
    assert note.text == "Buyer was terrible on the phone"


# ---------------------------------------------------------------- 5. tags, order-status groups, blocked buyers


def test_tags_are_added_listed_filtered_and_removed(client, store, owner, agent, conversation):
    other = make_inbound(store, text="Hello").conversation
    tag = tag_create(store=store, acting_user=owner, name="refund")
    tag_create(store=store, acting_user=owner, name="VIP")
    client.force_login(agent)
    r = client.post(
        reverse("inbox-tag-add", args=[conversation.pk]), {"tag": "refund"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200
    api = _api(agent)
    rows = api.get("/api/v1/conversations?queue=all").json()
    assert {row["id"]: row["tags"] for row in rows} == {conversation.pk: ["refund"], other.pk: []}
    assert [row["id"] for row in api.get("/api/v1/conversations?queue=all&tag=refund").json()] == [
        conversation.pk
    ]
    assert api.get("/api/v1/conversations?queue=all&tag=VIP").json() == []
    page = client.get(reverse("inbox") + "?queue=all&tag=refund").content.decode()
    assert f'data-id="{conversation.pk}"' in page and f'data-id="{other.pk}"' not in page
    assert '<span class="qtag">refund</span>' in page
    client.post(reverse("inbox-tag-remove", args=[conversation.pk, tag.pk]))
    assert api.get("/api/v1/conversations?queue=all&tag=refund").json() == []


def test_a_tag_name_is_unique_per_store_and_an_unknown_tag_is_refused(store, owner, conversation):
    tag_create(store=store, acting_user=owner, name="refund")
    with pytest.raises(ApplicationError) as exc:
        tag_create(store=store, acting_user=owner, name=" refund ")
    assert list(exc.value.errors) == ["name"]
    with pytest.raises(ApplicationError) as exc:
        conversation_tag_add(conversation=conversation, acting_user=owner, name="nope")
    assert list(exc.value.errors) == ["tag"]


def test_agents_cannot_create_tags_but_owners_can(client, store, owner, agent):
    client.force_login(agent)
    assert client.post(reverse("inbox-tags"), {"name": "x"}).status_code == 403
    client.force_login(owner)
    assert client.post(reverse("inbox-tags"), {"name": "Wrong address"}).status_code == 302
    assert "Wrong address" in client.get(reverse("inbox-tags")).content.decode()


def test_bulk_tag_only_touches_the_stores_own_conversations(store, other_store, owner, conversation):
    mine = make_inbound(store, text="Hi").conversation
    theirs = make_inbound(other_store, text="Hi").conversation
    tag = tag_create(store=store, acting_user=owner, name="follow-up")
    n = conversations_tag_bulk(
        store=store, acting_user=owner, conversation_ids=[conversation.pk, mine.pk, theirs.pk], tag_id=tag.pk
    )
    assert n == 2
    assert set(ConversationTag.objects.values_list("conversation_id", flat=True)) == {
        conversation.pk,
        mine.pk,
    }


def test_the_queue_groups_by_the_orders_status_like_the_message_centre(store, agent):
    from marketplace.services import dispute_open

    by_status = {}
    for status in (
        "awaiting_payment",
        "awaiting_shipment",
        "partially_shipped",
        "in_transit",
        "delivered",
        "completed",
    ):
        order = make_order(
            store, status=status, days_ago=20, protection_ends_at=timezone.now() + timedelta(days=30)
        )
        by_status[status] = make_inbound(store, order=order, text=f"about {status}").conversation
    disputed_order = make_order(
        store, status="delivered", days_ago=20, protection_ends_at=timezone.now() + timedelta(days=30)
    )
    disputed = make_inbound(store, order=disputed_order, text="broken").conversation
    dispute_open(
        store=store,
        dispute_id="D-1",
        order_id=disputed_order.external_id,
        opened_at=timezone.now() - timedelta(hours=1),
        reason="Broken",
        refund_amount=disputed_order.amount,
        return_goods=False,
        description="It arrived broken.",
    )
    api = _api(agent)

    def ids(group):
        r = api.get(f"/api/v1/conversations?queue=all&order_group={group}")
        assert r.status_code == 200
        return {row["id"] for row in r.json()}

    assert ids("awaiting_payment") == {by_status["awaiting_payment"].pk}
    assert ids("awaiting_shipment") == {by_status["awaiting_shipment"].pk, by_status["partially_shipped"].pk}
    assert ids("awaiting_receipt") == {by_status["in_transit"].pk, by_status["delivered"].pk}
    assert ids("completed") == {by_status["completed"].pk}
    assert disputed.pk in ids("in_dispute")
    assert by_status["delivered"].pk not in ids("in_dispute")
    bad = api.get("/api/v1/conversations?order_group=shipped")
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["order_group"]


def test_a_blocked_buyer_is_stored_but_kept_out_of_the_queue_and_the_rate_until_unblocked(
    client, store, agent
):
    buyer = make_buyer(store, name="Spam Bot", country="US", locale="en_US")
    first = make_inbound(store, buyer=buyer, text="BUY CHEAP WATCHES").conversation
    api = _api(agent)
    assert [r["id"] for r in api.get("/api/v1/conversations?queue=needs_reply").json()] == [first.pk]
    client.force_login(agent)
    r = client.post(reverse("inbox-buyer-block", args=[first.pk]))
    assert r.status_code == 302
    block = BuyerBlock.objects.get(buyer=buyer)
    assert block.ended_at is None and block.blocked_by == agent
    make_inbound(store, buyer=buyer, text="BUY MORE WATCHES")
    assert Message.objects.filter(buyer=buyer, direction="inbound").count() == 2  # stored
    assert api.get("/api/v1/conversations?queue=needs_reply").json() == []
    assert api.get("/api/v1/conversations?queue=all").json() == []
    assert [r["id"] for r in api.get("/api/v1/conversations?queue=all&blocked=1").json()] == [first.pk]
    thread = client.get(reverse("inbox-thread", args=[first.pk])).content.decode()
    assert "BUY MORE WATCHES" in thread and "Unblock buyer" in thread
    # The open wait (from before the block) and anything since stay out of the rate: nothing decided.
    later = timezone.now() + timedelta(days=2)
    assert response_rate(store=store, now=later)["total"] == 0
    assert client.post(reverse("inbox-buyer-unblock", args=[first.pk])).status_code == 302
    assert [r["id"] for r in api.get("/api/v1/conversations?queue=needs_reply").json()] == [first.pk]
    assert response_rate(store=store, now=later)["total"] == 0  # waits of the blocked period stay out
    make_inbound(store, buyer=buyer, text="a real question", sent_at=timezone.now() + timedelta(minutes=1))
    kinds = list(AuditEvent.objects.filter(store=store).values_list("kind", "actor_id", "subject_id"))
    assert (AuditKind.BUYER_BLOCKED.value, agent.pk, str(buyer.pk)) in kinds
    assert (AuditKind.BUYER_UNBLOCKED.value, agent.pk, str(buyer.pk)) in kinds


def test_blocking_twice_keeps_one_block_and_waits_outside_the_block_count(store, agent):
    buyer = make_buyer(store, name="Nina", country="PL", locale="pl_PL")
    conversation = make_inbound(store, buyer=buyer, text="Gdzie paczka?").conversation
    reply_send(conversation=conversation, acting_user=agent, text="Jutro.", language="pl")
    first = buyer_block(store=store, buyer=buyer, acting_user=agent)
    assert buyer_block(store=store, buyer=buyer, acting_user=agent) == first
    assert BuyerBlock.objects.filter(buyer=buyer).count() == 1
    assert buyer_unblock(store=store, buyer=buyer, acting_user=agent) is True
    assert buyer_unblock(store=store, buyer=buyer, acting_user=agent) is False
    # The answered wait was opened before the block: it still counts.
    assert response_rate(store=store)["answered"] == 1


# ---------------------------------------------------------------- 6. search in every script


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("مرحبا، أين طلبي؟ لم يصل بعد", "طلبي"),
        ("안녕하세요, 주문한 상품이 아직 도착하지 않았어요", "도착하지"),
        ("Здравствуйте, посылка до сих пор не пришла", "посылка"),
        ("你好,我想申请退款,包裹破损了", "退款"),  # a two-character word: no trigram
        ("你好,我想申请退款,包裹破损了", "包裹破损"),
        ("Bonjour, le colis est arrivé abîmé", "abîmé"),
    ],
)
def test_search_finds_message_text_in_every_script(store, agent, text, word):
    wanted = make_inbound(store, text=text).conversation
    make_inbound(store, text="Where is my order?")
    rows = _api(agent).get("/api/v1/conversations", {"queue": "all", "q": word}).json()
    assert [row["id"] for row in rows] == [wanted.pk]


def test_search_ignores_case_in_every_script_on_postgresql(require_postgres, store, agent):
    """PostgreSQL upper-cases Cyrillic, Greek and accented Latin too (the embedded SQLite's LIKE folds ASCII only)."""
    wanted = make_inbound(store, text="Посылка пришла, но коробка abîmée").conversation
    api = _api(agent)
    for q in ("ПОСЫЛКА", "посылка", "ABÎMÉE"):
        assert [r["id"] for r in api.get("/api/v1/conversations", {"queue": "all", "q": q}).json()] == [
            wanted.pk
        ]


def test_search_finds_buyer_name_buyer_id_and_order_id(client, store, agent):
    buyer = make_buyer(store, name="김민준", country="KR", locale="ko_KR")
    order = make_order(store, buyer, status="in_transit")
    wanted = make_inbound(store, order=order, text="배송 문의").conversation
    make_inbound(store, text="Where is my order?")
    api = _api(agent)
    for q in ("민준", buyer.external_id, order.external_id):
        assert [r["id"] for r in api.get("/api/v1/conversations", {"queue": "all", "q": q}).json()] == [
            wanted.pk
        ]
    client.force_login(agent)
    page = client.get(reverse("inbox"), {"queue": "all", "q": "배송"}).content.decode()
    assert f'data-id="{wanted.pk}"' in page


def test_search_does_not_find_other_stores_messages(store, other_store, agent):
    make_inbound(other_store, text="посылка другого магазина")
    rows = _api(agent).get("/api/v1/conversations", {"queue": "all", "q": "посылка"}).json()
    assert rows == []


def test_a_short_search_reads_only_the_newest_messages(store, agent, settings, monkeypatch):
    from conversations import selectors

    old = make_inbound(store, text="退款 please").conversation
    for i in range(3):
        make_inbound(store, text=f"newer {i}")
    monkeypatch.setattr(selectors, "SEARCH_SHORT_SCAN", 3)
    api = _api(agent)
    assert api.get("/api/v1/conversations", {"queue": "all", "q": "退款"}).json() == []
    # Three characters or more use the whole history (the trigram index on PostgreSQL).
    assert [r["id"] for r in api.get("/api/v1/conversations", {"queue": "all", "q": "退款 p"}).json()] == [
        old.pk
    ]


# ---------------------------------------------------------------- 7. drafts


def test_a_draft_is_kept_per_agent_restored_and_marked_in_the_queue(
    client, store, agent, owner, conversation
):
    client.force_login(agent)
    r = client.post(reverse("inbox-draft", args=[conversation.pk]), {"text": "Ваша посылка уже в"})
    assert r.status_code == 204
    page = client.get(reverse("inbox-thread", args=[conversation.pk])).content.decode()
    assert "Ваша посылка уже в</textarea>" in page
    assert "Draft restored" in page
    queue = client.get(reverse("inbox-queue")).content.decode()
    assert 'class="qdraft"' in queue
    client.force_login(owner)  # another agent sees neither the text nor the mark
    assert (
        "Ваша посылка уже в"
        not in client.get(reverse("inbox-thread", args=[conversation.pk])).content.decode()
    )
    assert 'class="qdraft"' not in client.get(reverse("inbox-queue")).content.decode()


def test_sending_the_reply_drops_the_draft_and_an_empty_draft_is_removed(client, store, agent, conversation):
    draft_save(conversation=conversation, acting_user=agent, text="first")
    draft_save(conversation=conversation, acting_user=agent, text="second")
    assert list(Draft.objects.values_list("text", flat=True)) == ["second"]
    draft_save(conversation=conversation, acting_user=agent, text="  ")
    assert Draft.objects.count() == 0
    draft_save(conversation=conversation, acting_user=agent, text="Посылка в пути")
    client.force_login(agent)
    r = client.post(
        reverse("inbox-reply", args=[conversation.pk]), {"text": "Посылка в пути", "language": "ru"}
    )
    assert r.status_code == 302
    assert Draft.objects.count() == 0


def test_the_poll_sees_a_new_draft_and_a_new_tag(
    client, store, owner, agent, conversation, clock_within_one_minute
):
    client.force_login(agent)
    first = client.get(reverse("inbox-queue"))
    etag = first["ETag"]
    assert client.get(reverse("inbox-queue"), HTTP_IF_NONE_MATCH=etag).status_code == 304
    draft_save(conversation=conversation, acting_user=agent, text="hello")
    second = client.get(reverse("inbox-queue"), HTTP_IF_NONE_MATCH=etag)
    assert second.status_code == 200
    tag = tag_create(store=store, acting_user=owner, name="vip")  # a new choice in the tag filter
    third = client.get(reverse("inbox-queue"), HTTP_IF_NONE_MATCH=second["ETag"])
    assert third.status_code == 200
    conversation_tag_add(conversation=conversation, acting_user=owner, name=tag.name)
    fourth = client.get(reverse("inbox-queue"), HTTP_IF_NONE_MATCH=third["ETag"])
    assert fourth.status_code == 200 and "vip" in fourth.content.decode()
    assert client.get(reverse("inbox-queue"), HTTP_IF_NONE_MATCH=fourth["ETag"]).status_code == 304
    conversation_tag_remove(conversation=conversation, acting_user=owner, tag_id=tag.pk)
    assert client.get(reverse("inbox-queue"), HTTP_IF_NONE_MATCH=fourth["ETag"]).status_code == 200
