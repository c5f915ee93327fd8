"""Answering disputes (R22) and extending buyer protection (R23) from the inbox and the API (issue 12)."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from conversations.models import Conversation, Message
from conversations.selectors import DISPUTE_NEAR_DEADLINE, conversation_list
from conversations.services import dispute_respond, protection_extend_and_tell
from conversations.uploads import video_validate
from seller_desk.errors import ApplicationError
from seller_desk.models import (
    DISPUTE_TRANSITIONS,
    AuditEvent,
    Dispute,
    DisputeEvidence,
    DisputeStatus,
    ProtectionExtension,
)
from seller_desk.services import disputes_escalate_due
from templates_i18n.services import store_template_create
from tests.factories import events_of, make_inbound, make_member, picture_upload
from tests.test_disputes import dispute_body, ingress, shipped_order
from tests.test_seller_api import token_client

pytestmark = pytest.mark.django_db


def mp4_bytes() -> bytes:
    """The smallest ISO BMFF file the probe accepts: ftyp (isom), an empty moov and a small mdat."""
    ftyp = (20).to_bytes(4, "big") + b"ftyp" + b"isom" + (512).to_bytes(4, "big") + b"isom"
    moov = (8).to_bytes(4, "big") + b"moov"
    mdat = (12).to_bytes(4, "big") + b"mdat" + b"\x00\x00\x00\x00"
    return ftyp + moov + mdat


def webm_bytes(doctype: bytes = b"webm") -> bytes:
    body = b"\x42\x82" + bytes([0x80 | len(doctype)]) + doctype
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(body)]) + body + b"\x18\x53\x80\x67" + b"\x80"


def video_upload(name="clip.mp4", content=None):
    return SimpleUploadedFile(name, mp4_bytes() if content is None else content, content_type="video/mp4")


def open_dispute(store, **overrides):
    order = shipped_order(store, shipped_days_ago=25)
    opened_at = overrides.pop("opened_at", None) or timezone.now() - timedelta(days=1)
    r = ingress(store).post(
        "/api/v1/ingress/disputes",
        dispute_body(order, opened_at, **overrides),
        format="json",
    )
    assert r.status_code == 201, r.content
    return Dispute.objects.get(store=store, external_id=overrides.get("dispute_id", "D-1"))


# --- video evidence is checked by its container, not its name ---


DATA = Path(__file__).parent / "data"


def test_a_real_mp4_and_a_real_webm_pass_the_container_probe():
    assert video_validate(video_upload()) == "MP4"
    assert video_validate(video_upload("clip.webm", webm_bytes())) == "WebM"
    # Real encoder output (Chromium's MediaRecorder, see tests/data/README.md).
    assert video_validate(video_upload("phone.mp4", (DATA / "recorded.mp4").read_bytes())) == "MP4"
    assert video_validate(video_upload("phone.webm", (DATA / "recorded.webm").read_bytes())) == "WebM"


def test_a_real_mp4_cut_short_is_refused():
    data = (DATA / "recorded.mp4").read_bytes()
    with pytest.raises(ApplicationError) as caught:
        video_validate(video_upload("phone.mp4", data[: len(data) - 100]))
    assert "claims" in caught.value.errors["video"][0]


def test_a_real_webm_renamed_mp4_is_still_recognised_by_content_and_a_png_renamed_mp4_is_refused():
    assert video_validate(video_upload("phone.mp4", (DATA / "recorded.webm").read_bytes())) == "WebM"
    with pytest.raises(ApplicationError):
        video_validate(video_upload("photo.mp4", picture_upload().read()))


@pytest.mark.parametrize(
    "name, content, rule",
    [
        ("notes.mp4", b"This is a text file renamed to .mp4\n" * 4, "not a readable MP4 or WebM"),
        ("clip.webm", webm_bytes(b"matroska"), "not a readable MP4 or WebM"),
        ("clip.mp4", mp4_bytes()[:20], "not a readable MP4 or WebM"),
        ("clip.mov", mp4_bytes(), "MP4 or WebM files"),
    ],
)
def test_a_file_that_is_not_an_mp4_or_webm_video_is_refused_naming_the_field(name, content, rule):
    with pytest.raises(ApplicationError) as caught:
        video_validate(video_upload(name, content), field="video")
    assert rule in caught.value.errors["video"][0]


def test_a_video_over_the_size_limit_is_refused(settings):
    settings.SELLER_DESK = {**settings.SELLER_DESK, "MAX_VIDEO_BYTES": 10}
    with pytest.raises(ApplicationError) as caught:
        video_validate(video_upload())
    assert "at most 10 bytes" in caught.value.errors["video"][0]


# --- every transition ---


@pytest.mark.parametrize(
    "start, action, end",
    [(start, action, end) for start, moves in DISPUTE_TRANSITIONS.items() for action, end in moves.items()],
)
def test_every_allowed_dispute_transition(store, start, action, end):
    dispute = open_dispute(store)
    Dispute.objects.filter(pk=dispute.pk).update(status=start)
    agent = make_member(store)
    excerpt = Message.objects.get(conversation=dispute.conversation)
    response = dispute_respond(
        dispute=dispute,
        acting_user=agent,
        action=action,
        text="Our answer",
        refund_amount=Decimal("10.00") if action == "propose" else None,
        excerpt_ids=[excerpt.pk] if action == "reject" else None,
    )
    dispute.refresh_from_db()
    assert (dispute.status, response.status_after) == (end, end)
    event = events_of(dispute.order).filter(kind="dispute.answered").get()
    assert (event.details["from"], event.details["to"], event.actor) == (start, end, agent)


@pytest.mark.parametrize("status", ["agreed", "escalated", "closed"])
def test_a_finished_dispute_refuses_an_answer_in_the_api_and_stores_nothing(store, status):
    dispute = open_dispute(store)
    Dispute.objects.filter(pk=dispute.pk).update(status=status)
    r = token_client(make_member(store)).post(
        f"/api/v1/disputes/{dispute.pk}/responses", {"action": "agree", "text": "ok"}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["errors"]["dispute"] == [
        f"This dispute is {DisputeStatus(status).label.lower()}; it takes no more answers from the seller."
    ]
    assert not Message.objects.filter(direction="outbound").exists()


def test_proposed_and_rejected_disputes_still_escalate_but_agreed_ones_do_not(store):
    for n, status in enumerate(["proposed", "rejected", "agreed"]):
        order = shipped_order(store, shipped_days_ago=30)
        ingress(store).post(
            "/api/v1/ingress/disputes",
            dispute_body(order, timezone.now() - timedelta(days=16), dispute_id=f"D-{n}"),
            format="json",
        )
        Dispute.objects.filter(external_id=f"D-{n}").update(status=status)
    assert disputes_escalate_due() == 2
    assert dict(Dispute.objects.values_list("external_id", "status")) == {
        "D-0": "escalated",
        "D-1": "escalated",
        "D-2": "agreed",
    }
    assert AuditEvent.objects.filter(kind="dispute.escalated").count() == 2


def test_a_rejection_without_evidence_is_refused(store):
    dispute = open_dispute(store)
    with pytest.raises(ApplicationError) as caught:
        dispute_respond(dispute=dispute, acting_user=make_member(store), action="reject", text="No.")
    assert "needs evidence" in caught.value.errors["evidence"][0]


def test_an_excerpt_from_another_buyer_is_refused(store):
    dispute = open_dispute(store)
    other = make_inbound(store, text="someone else").message
    with pytest.raises(ApplicationError) as caught:
        dispute_respond(
            dispute=dispute,
            acting_user=make_member(store),
            action="reject",
            text="No.",
            excerpt_ids=[other.pk],
        )
    assert caught.value.errors["excerpt_ids"] == [
        f"Message {other.pk} is not in this buyer's conversations; pick excerpts from the chat."
    ]


def test_a_renamed_text_file_as_video_evidence_is_refused_in_the_api(store):
    dispute = open_dispute(store)
    r = token_client(make_member(store)).post(
        f"/api/v1/disputes/{dispute.pk}/responses",
        {"action": "reject", "text": "See the video", "video": video_upload("proof.mp4", b"hello " * 50)},
        format="multipart",
    )
    assert r.status_code == 400
    assert "checked by content" in r.json()["errors"]["video"][0]
    assert not DisputeEvidence.objects.exists()
    assert Dispute.objects.get(pk=dispute.pk).status == "open"


def test_seller_evidence_photos_video_and_excerpts_are_stored_with_the_answer(store):
    dispute = open_dispute(store)
    excerpt = Message.objects.get(conversation=dispute.conversation)
    r = token_client(make_member(store)).post(
        f"/api/v1/disputes/{dispute.pk}/responses",
        {
            "action": "reject",
            "text": "Delivered: photo, video and your own message.",
            "photos": [picture_upload("a.png"), picture_upload("b.jpg", fmt="JPEG")],
            "video": video_upload(),
            "excerpt_ids": [excerpt.pk],
        },
        format="multipart",
    )
    assert r.status_code == 201, r.content
    rows = list(DisputeEvidence.objects.filter(dispute=dispute).order_by("id"))
    assert [(e.side, e.kind) for e in rows] == [
        ("seller", "photo"),
        ("seller", "photo"),
        ("seller", "video"),
        ("seller", "chat"),
    ]
    assert rows[3].text == excerpt.text and rows[3].message == excerpt
    assert all(e.response_id == r.json()["id"] for e in rows)


# --- the buyer's evidence at opening ---


def test_buyer_evidence_arrives_with_the_dispute_as_multipart_files_urls_and_excerpts(store):
    order = shipped_order(store)
    body = dispute_body(order, timezone.now() - timedelta(days=1))
    body.update(
        evidence=[picture_upload("broken.png"), video_upload("unboxing.webm", webm_bytes())],
        evidence_urls=["https://marketplace.example/evidence/1.jpg"],
        chat_excerpts=["Seller: it will arrive in 7 days"],
    )
    r = ingress(store).post("/api/v1/ingress/disputes", body, format="multipart")
    assert r.status_code == 201, r.content
    kinds = [(e["side"], e["kind"]) for e in r.json()["evidence"]]
    assert kinds == [("buyer", "photo"), ("buyer", "video"), ("buyer", "link"), ("buyer", "chat")]
    assert r.json()["evidence"][2]["url"] == "https://marketplace.example/evidence/1.jpg"
    assert r.json()["evidence"][3]["text"] == "Seller: it will arrive in 7 days"


def test_buyer_evidence_in_json_as_urls_and_a_bad_file_refuses_the_dispute(store):
    order = shipped_order(store)
    body = dispute_body(order, timezone.now() - timedelta(days=1), evidence_urls=["https://m.example/v.mp4"])
    r = ingress(store).post("/api/v1/ingress/disputes", body, format="json")
    assert r.status_code == 201
    assert r.json()["evidence"][0]["kind"] == "link"
    body = dispute_body(order, timezone.now() - timedelta(days=1), dispute_id="D-2")
    body["evidence"] = [video_upload("fake.mp4", b"plain text, not a video")]
    r = ingress(store).post("/api/v1/ingress/disputes", body, format="multipart")
    assert r.status_code == 400
    assert "evidence[0]" in r.json()["errors"]
    assert not Dispute.objects.filter(external_id="D-2").exists()


# --- the inbox page ---


def test_the_dispute_panel_answers_with_a_partial_refund_and_shows_the_new_state(store):
    dispute = open_dispute(store)
    agent = make_member(store)
    client = Client()
    client.force_login(agent)
    page = client.get(f"/inbox/{dispute.conversation_id}/")
    assert b'id="dispute-form"' in page.content
    excerpt = Message.objects.get(conversation=dispute.conversation)
    r = client.post(
        f"/inbox/{dispute.conversation_id}/dispute/answer/",
        {
            "action": "propose",
            "refund_amount": "12.50",
            "text": "We can refund half.",
            "photos": [picture_upload()],
            "excerpt_ids": [str(excerpt.pk)],
        },
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    dispute.refresh_from_db()
    assert dispute.status == "proposed"
    assert "Seller proposed a solution" in r.content.decode()
    assert dispute.responses.get().refund_amount == Decimal("12.50")


def test_the_page_refuses_a_refund_above_the_order_amount_and_keeps_the_text(store):
    dispute = open_dispute(store)
    client = Client()
    client.force_login(make_member(store))
    r = client.post(
        f"/inbox/{dispute.conversation_id}/dispute/answer/",
        {"action": "propose", "refund_amount": "99.00", "text": "All of it and more"},
        HTTP_HX_REQUEST="true",
    )
    html = r.content.decode()
    assert "A refund cannot exceed the order amount (25.00)." in html
    assert "All of it and more" in html
    assert Dispute.objects.get(pk=dispute.pk).status == "open"


def test_the_page_of_an_escalated_dispute_says_why_there_is_no_form_and_refuses_a_post(store):
    dispute = open_dispute(store)
    Dispute.objects.filter(pk=dispute.pk).update(status="escalated")
    client = Client()
    client.force_login(make_member(store))
    page = client.get(f"/inbox/{dispute.conversation_id}/").content.decode()
    assert 'id="dispute-form"' not in page
    assert "This dispute is escalated to the platform; it takes no more answers from the seller." in page
    r = client.post(
        f"/inbox/{dispute.conversation_id}/dispute/answer/",
        {"action": "agree", "text": "ok"},
        HTTP_HX_REQUEST="true",
    )
    assert "it takes no more answers" in r.content.decode()
    assert not Message.objects.filter(direction="outbound").exists()


# --- protection extensions (R23, Scenario 6) ---


SCENARIO_6_AR = "نظرا لأن وقت تسليم الطلب قد يتأخر هذه الأيام"


def test_extending_protection_tells_the_buyer_scenario_6_in_their_language_with_one_audit_event(store):
    order = shipped_order(store)
    order.buyer.locale = "ar_SA"
    order.buyer.save()
    make_inbound(store, order=order, text="وين طلبي؟")
    owner = make_member(store, role="owner")
    before = order.protection_ends_at
    extension = protection_extend_and_tell(
        store=store, order=order, days=15, reason="Carrier delay", acting_user=owner
    )
    order.refresh_from_db()
    assert order.protection_ends_at == before + timedelta(days=15)
    assert order.protection_extended_days == 15
    assert extension.message.text.startswith(SCENARIO_6_AR)
    assert extension.message.language == "ar" and extension.message.sender == "agent"
    assert (extension.days, extension.reason, extension.actor) == (15, "Carrier delay", owner)
    events = list(events_of(order).filter(kind="order.protection_extended"))
    assert len(events) == 1 and events[0].details["reason"] == "Carrier delay"


@pytest.mark.parametrize(
    "already, days, rule",
    [
        (0, 31, "Extend by 1 to 30 days at a time."),
        (0, 0, "Extend by 1 to 30 days at a time."),
        (50, 11, "At most 60 days in total per order: 50 already added, so 10 more at most."),
        (60, 1, "This order's protection has been extended by 60 days already, the most allowed."),
    ],
)
def test_extension_limits_per_extension_and_in_total(store, already, days, rule):
    order = shipped_order(store)
    order.protection_extended_days = already
    order.save()
    before = order.protection_ends_at
    r = token_client(make_member(store)).post(
        f"/api/v1/orders/{order.external_id}/protection-extensions", {"days": days}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["errors"]["days"] == [rule]
    order.refresh_from_db()
    assert (order.protection_ends_at, order.protection_extended_days) == (before, already)
    assert (
        not ProtectionExtension.objects.exists() and not Message.objects.filter(direction="outbound").exists()
    )


def test_extensions_add_up_to_the_total_and_then_stop(store):
    order = shipped_order(store)
    client = token_client(make_member(store))
    for days in (30, 30):
        r = client.post(
            f"/api/v1/orders/{order.external_id}/protection-extensions", {"days": days}, format="json"
        )
        assert r.status_code == 201, r.content
    assert r.json()["extended_days_total"] == 60
    r = client.post(f"/api/v1/orders/{order.external_id}/protection-extensions", {"days": 1}, format="json")
    assert r.status_code == 400
    assert ProtectionExtension.objects.filter(order=order).count() == 2


def test_limits_come_from_settings(store, settings):
    settings.SELLER_DESK = {**settings.SELLER_DESK, "PROTECTION_EXTENSION_MAX_DAYS": 5}
    order = shipped_order(store)
    r = token_client(make_member(store)).post(
        f"/api/v1/orders/{order.external_id}/protection-extensions", {"days": 6}, format="json"
    )
    assert r.json()["errors"]["days"] == ["Extend by 1 to 5 days at a time."]


def test_the_order_panel_extends_and_lists_the_history_then_explains_when_protection_ended(store):
    order = shipped_order(store)
    conversation = make_inbound(store, order=order).conversation
    client = Client()
    client.force_login(make_member(store, role="owner"))
    r = client.post(
        f"/inbox/{conversation.id}/protection/extend/",
        {"days": "15", "reason": "Carrier delay"},
        HTTP_HX_REQUEST="true",
    )
    html = r.content.decode()
    assert "+15 d" in html and "Carrier delay" in html
    assert ProtectionExtension.objects.get(order=order).days == 15
    order.protection_ends_at = timezone.now() - timedelta(hours=1)
    order.save()
    html = client.get(f"/inbox/{conversation.id}/").content.decode()
    assert 'id="protection-submit"' not in html
    assert "an ended protection can&#x27;t be extended" in html
    assert "+15 d" in html


def escalating_in(delta: timedelta):
    """An ``opened_at`` that makes the dispute escalate ``delta`` from now (15 days after opening)."""
    return timezone.now() - Dispute.ESCALATES_AFTER + delta


def test_the_queue_puts_disputes_near_their_escalation_deadline_first(store):
    waiting = make_inbound(store, text="Where is my parcel?").conversation
    far = open_dispute(store)  # opened a day ago: escalates in 14 days
    near = open_dispute(store, dispute_id="D-near", opened_at=escalating_in(timedelta(hours=30)))
    order = [c.pk for c in conversation_list(store=store, queue="needs_reply")]
    assert order[0] == near.conversation_id
    assert set(order[1:]) == {waiting.pk, far.conversation_id}
    dispute_respond(dispute=near, acting_user=make_member(store), action="agree", text="Refunded.")
    order = [c.pk for c in conversation_list(store=store, queue="needs_reply")]
    assert order[0] != near.conversation_id


@pytest.mark.parametrize("limit", [2, 3, 5, 200])
def test_the_polls_fingerprint_reads_the_rows_the_inbox_shows_in_their_order(require_postgres, store, limit):
    """The poll's "not modified" check reads the needs-reply rows by statements compiled once
    (``selectors._needs_reply_fingerprint``): for a page that ends inside the near-deadline disputes, right after
    them or past every row, they are the rows ``conversation_list`` pages for the inbox, in its order."""
    from conversations import selectors

    agent = make_member(store)
    for hours in (60, 6, 30):
        open_dispute(store, dispute_id=f"D-near-{hours}", opened_at=escalating_in(timedelta(hours=hours)))
    open_dispute(store, dispute_id="D-far", opened_at=escalating_in(timedelta(days=4)))
    for n in range(3):
        make_inbound(store, text=f"Where is parcel {n}?")
    shown = selectors.inbox_rows(store=store, queue="needs_reply", limit=limit, user=agent)
    compiled = selectors.queue_fingerprint(store=store, queue="needs_reply", limit=limit, user=agent)
    built = selectors.queue_page(
        conversation_list(store=store, queue="needs_reply").values_list(*selectors._FINGERPRINT_FIELDS),
        queue="needs_reply",
        limit=limit,
    )
    assert [row[0] for row in compiled] == [c.pk for c in shown][:limit]
    assert [tuple(row) for row in compiled] == [tuple(row) for row in built]
    assert len(compiled) == min(limit, 7)


def test_the_queue_api_cursor_walks_the_near_escalation_disputes_first_then_the_rest_by_due_time(store):
    """Pages of 2 through the API: the disputes escalating within DISPUTE_NEAR_DEADLINE (3 days) by deadline, then
    every other needs-reply row (a dispute escalating later among them) by reply due time, each row once."""
    assert DISPUTE_NEAR_DEADLINE == timedelta(days=3)
    now = timezone.now()
    near = [
        open_dispute(store, dispute_id=f"D-near-{hours}", opened_at=escalating_in(timedelta(hours=hours)))
        for hours in (60, 6, 30)  # all inside the 3-day window, opened in another order than they escalate
    ]
    far = open_dispute(store, dispute_id="D-far", opened_at=escalating_in(timedelta(days=4)))
    plain = [make_inbound(store, text=f"Where is parcel {n}?").conversation for n in range(3)]
    # Due times that differ from the creation order (the rest is ordered by due time, not by id); the near
    # disputes' due times run against their deadlines (the head is ordered by deadline, not by due time).
    due = {
        plain[0].pk: now + timedelta(hours=20),
        far.conversation_id: now + timedelta(hours=5),
        plain[1].pk: now + timedelta(hours=1),
        plain[2].pk: now + timedelta(hours=9),
        near[0].conversation_id: now + timedelta(hours=1),
        near[1].conversation_id: now + timedelta(hours=30),
        near[2].conversation_id: now + timedelta(hours=2),
    }
    for pk, at in due.items():
        Conversation.objects.filter(pk=pk).update(reply_due_at=at)
    client = token_client(make_member(store))
    seen, pages, url = [], 0, "/api/v1/conversations?queue=needs_reply&limit=2"
    while url:
        r = client.get(url)
        assert r.status_code == 200, r.content
        seen += [row["id"] for row in r.json()]
        pages += 1
        cursor = r.headers.get("X-Next-Cursor")
        url = f"/api/v1/conversations?queue=needs_reply&limit=2&cursor={cursor}" if cursor else None
        if cursor:
            assert r.headers["Link"].endswith('>; rel="next"') and f"cursor={cursor}" in r.headers["Link"]
    by_deadline = [
        near[1].conversation_id,
        near[2].conversation_id,
        near[0].conversation_id,
    ]  # 6 h, 30 h, 60 h
    by_due = [plain[1].pk, far.conversation_id, plain[2].pk, plain[0].pk]  # 1 h, 5 h, 9 h, 20 h
    assert seen == by_deadline + by_due
    assert len(seen) == len(set(seen)) == 7 and pages == 4


def test_the_inbox_page_and_its_poll_read_the_queue_in_the_same_order_without_sorting_it_whole(store):
    from conversations import selectors

    waiting = [make_inbound(store, text=f"Where is parcel {i}?").conversation for i in range(3)]
    far = open_dispute(store, dispute_id="D-far")
    nearer = open_dispute(store, dispute_id="D-30h", opened_at=escalating_in(timedelta(hours=30)))
    nearest = open_dispute(store, dispute_id="D-5h", opened_at=escalating_in(timedelta(hours=5)))
    expected = [c.pk for c in conversation_list(store=store, queue="needs_reply")]
    assert expected[:2] == [nearest.conversation_id, nearer.conversation_id]
    assert set(expected[2:]) == {far.conversation_id, *(c.pk for c in waiting)}
    for limit in (1, 2, 4, 50):
        rows = selectors.inbox_rows(store=store, queue="needs_reply", limit=limit)
        assert [c.pk for c in rows] == expected[:limit]
        assert all(c.tag_list == [] for c in rows)
        fingerprint = selectors.queue_fingerprint(
            store=store, queue="needs_reply", channel=None, language=None, search=None, limit=limit
        )
        assert [row[0] for row in fingerprint] == expected[:limit]
    assert [c.pk for c in selectors.inbox_rows(store=store, queue="all", limit=3)] == [
        c.pk for c in conversation_list(store=store, queue="all")[:3]
    ]


def test_the_store_can_tell_the_buyer_with_its_own_template_and_an_unknown_one_is_404(store):
    owner = make_member(store, role="owner")
    template = store_template_create(
        store=store,
        acting_user=owner,
        title="Protection extended",
        texts={
            "en": "We extended your protection by {days} days, to {protection_ends_at}.",
            "ru": "Продлили на {days} дн.",
        },
    )
    order = shipped_order(store)
    make_inbound(store, order=order, text="Где посылка?")
    extension = protection_extend_and_tell(
        store=store, order=order, days=10, acting_user=owner, template_code=template.code
    )
    assert extension.message.text == "Продлили на 10 дн."
    r = token_client(owner).post(
        f"/api/v1/orders/{order.external_id}/protection-extensions",
        {"days": 5, "template_code": "no-such-template"},
        format="json",
    )
    assert r.status_code == 404
    assert ProtectionExtension.objects.filter(order=order).count() == 1


def test_extending_from_a_dispute_thread_tells_the_buyer_in_that_thread(store):
    dispute = open_dispute(store)
    client = Client()
    client.force_login(make_member(store, role="owner"))
    r = client.post(
        f"/inbox/{dispute.conversation_id}/protection/extend/", {"days": "7"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200
    extension = ProtectionExtension.objects.get(order=dispute.order)
    assert extension.message.conversation_id == dispute.conversation_id
    assert extension.message.language == "ru"


def test_an_escalated_dispute_leaves_the_head_of_the_queue(store):
    waiting = make_inbound(store, text="Where is my parcel?").conversation
    near = open_dispute(store, dispute_id="D-near", opened_at=escalating_in(timedelta(minutes=-5)))
    # Due after the other conversation: only its deadline puts it first.
    Conversation.objects.filter(pk=near.conversation_id).update(
        reply_due_at=timezone.now() + timedelta(days=2)
    )
    assert [c.pk for c in conversation_list(store=store, queue="needs_reply")][0] == near.conversation_id
    assert disputes_escalate_due() == 1
    assert Conversation.objects.get(pk=near.conversation_id).dispute_escalates_at is None
    order = [c.pk for c in conversation_list(store=store, queue="needs_reply")]
    assert order == [waiting.pk, near.conversation_id]
