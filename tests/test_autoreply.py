"""Auto-reply (R15–R17): set-up rules, the first-message-of-the-day welcome, and keyword taps (API and services)."""

import json
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from autoreply.models import AutoReplyDay, AutoReplySettings, Keyword, KeywordClick
from autoreply.services import autoreply_settings_update, card_click_answer
from autoreply.texts import DEFAULT_TEXTS
from conversations.models import ConversationStatus, Message, ReplyWait
from conversations.services import reply_send
from coupons.models import CouponGrant
from coupons.services import coupon_create
from seller_desk.errors import ApplicationError
from seller_desk.models import Store
from seller_desk.selectors import store_local_date
from templates_i18n.services import banned_word_create
from tests.factories import (
    buyer_payload,
    make_buyer,
    make_inbound,
    make_member,
    make_order,
    make_store,
    picture_bytes,
    picture_upload,
)

pytestmark = pytest.mark.django_db

WELCOME = "Hi! Thanks for writing to us. Tap a question below, or write yours: we answer within 24 hours."
TEXT_KEYWORDS = [
    {
        "keyword": "Is my order shipping?",
        "reply_type": "text",
        "text": "Orders ship within 3 days of payment.",
    },
    {
        "keyword": "Is my package safe?",
        "reply_type": "text",
        "text": "Yes: every parcel is sealed and tracked.",
    },
    {"keyword": "How do I cancel?", "reply_type": "text", "text": "Open the order and tap Cancel order."},
]


def ingress(store) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    return client


def member_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def make_coupon(store, *, quantity: int = 50, suffix: str = "-Wait"):
    return coupon_create(
        store=store,
        acting_user=None,
        values={
            "name_suffix": suffix,
            "denomination": "3",
            "threshold": "20",
            "currency": "USD",
            "quantity": quantity,
            "valid_until": store_local_date(store) + timedelta(days=60),
        },
    )


def switch_on(store, *, keywords=None, welcome: str = WELCOME, enabled: bool = True):
    owner = make_member(store, role="owner")
    return autoreply_settings_update(
        store=store,
        acting_user=owner,
        enabled=enabled,
        welcome_text=welcome,
        keywords=[dict(k) for k in (TEXT_KEYWORDS if keywords is None else keywords)],
    )


def card_keywords(store):
    return [{"id": k.pk, "keyword": k.keyword} for k in Keyword.objects.filter(store=store, removed_at=None)]


def errors_of(call) -> dict:
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value.errors


# ----------------------------------------------------------------------------- R15: the set-up


def test_R15_owner_sets_up_welcome_and_keywords_of_all_three_reply_types_over_the_api(store):
    owner = make_member(store, role="owner")
    coupon = make_coupon(store)
    body = {
        "enabled": True,
        "welcome_text": WELCOME,
        "keywords": [
            TEXT_KEYWORDS[0],
            {"keyword": "Show me the parcel", "reply_type": "picture"},
            {"keyword": "A coupon for waiting", "reply_type": "coupon", "coupon_id": coupon.pk},
        ],
    }
    r = member_client(owner).put(
        "/api/v1/autoreply",
        {"payload": json.dumps(body), "keywords[1].image": picture_upload("parcel.jpg", "JPEG")},
        format="multipart",
    )
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["enabled"] is True
    assert data["welcome_text"] == WELCOME
    assert data["updated_by"] == owner.username
    ids = [k["id"] for k in data["keywords"]]
    assert [(k["keyword"], k["reply_type"], k["position"]) for k in data["keywords"]] == [
        ("Is my order shipping?", "text", 0),
        ("Show me the parcel", "picture", 1),
        ("A coupon for waiting", "coupon", 2),
    ]
    assert data["keywords"][0]["text"] == "Orders ship within 3 days of payment."
    assert data["keywords"][1]["image_url"].startswith("http://testserver/media/autoreply/")
    assert urlsplit(data["keywords"][1]["image_url"]).path.endswith(".jpg")
    assert data["keywords"][2]["coupon_id"] == coupon.pk
    assert data["keywords"][2]["coupon"]["name"] == "DDWL-Wait"
    assert "text" not in data["keywords"][1] and "coupon_id" not in data["keywords"][0]

    agent = make_member(store, role="agent")
    again = member_client(agent).get("/api/v1/autoreply")
    assert again.status_code == 200
    assert [k["id"] for k in again.json()["keywords"]] == ids


def test_R15_agents_read_the_auto_reply_but_only_the_owner_changes_it(store):
    agent = make_member(store, role="agent")
    r = member_client(agent).put(
        "/api/v1/autoreply", {"enabled": True, "welcome_text": WELCOME, "keywords": []}, format="json"
    )
    assert r.status_code == 403
    assert not AutoReplySettings.objects.filter(store=store).exists()
    r = member_client(agent).get("/api/v1/autoreply")
    assert r.status_code == 200
    assert r.json() == {
        "enabled": False,
        "welcome_text": "",
        "welcome_texts": {},
        "skip_live_conversations": True,
        "live_hours": 2,
        "unavailable_texts": {},
        "keywords": [],
        "updated_at": None,
        "updated_by": None,
    }


@pytest.mark.parametrize("count", [1, 2, 10])
def test_R15_a_card_has_three_to_nine_keywords(store, count):
    keywords = [
        {"keyword": f"Question {i}", "reply_type": "text", "text": f"Answer {i}"} for i in range(count)
    ]
    errors = errors_of(lambda: switch_on(store, keywords=keywords))
    assert list(errors) == ["keywords"]
    expected = "3 to 9 keywords (this one has" if count < 3 else "at most 9 keywords (this one has 10)"
    assert expected in errors["keywords"][0]
    assert not Keyword.objects.filter(store=store).exists()


@pytest.mark.parametrize("count", [3, 9])
def test_R15_three_and_nine_keywords_are_accepted(store, count):
    keywords = [
        {"keyword": f"Question {i}", "reply_type": "text", "text": f"Answer {i}"} for i in range(count)
    ]
    switch_on(store, keywords=keywords)
    assert Keyword.objects.filter(store=store, removed_at=None).count() == count


def test_R15_a_keyword_is_at_most_300_characters_and_the_error_names_its_index(store):
    keywords = [dict(k) for k in TEXT_KEYWORDS]
    keywords[2]["keyword"] = "x" * 300
    switch_on(store, keywords=keywords)
    keywords[2]["keyword"] = "y" * 301
    r = member_client(make_member(store, role="owner")).put(
        "/api/v1/autoreply", {"enabled": True, "welcome_text": WELCOME, "keywords": keywords}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["errors"] == {
        "keywords[2].keyword": ["Keyword 3 has 301 characters; keywords are at most 300."]
    }
    assert Keyword.objects.get(store=store, position=2, removed_at=None).keyword == "x" * 300


def test_R15_each_keyword_has_exactly_one_reply_type(store):
    coupon = make_coupon(store)
    keywords = [
        {"keyword": "Both", "reply_type": "text", "text": "An answer", "coupon_id": coupon.pk},
        {"keyword": "None", "reply_type": "", "text": "An answer"},
        {"keyword": "No picture", "reply_type": "picture"},
        {"keyword": "No text", "reply_type": "text", "text": "   "},
        {"keyword": "No coupon", "reply_type": "coupon"},
    ]
    errors = errors_of(lambda: switch_on(store, keywords=keywords))
    assert sorted(errors) == [
        "keywords[0].coupon_id",
        "keywords[1].reply_type",
        "keywords[2].image",
        "keywords[3].text",
        "keywords[4].coupon_id",
    ]
    assert errors["keywords[0].coupon_id"] == [
        "Keyword 1 replies with a text; a keyword has exactly one reply type, so leave coupon_id out "
        "(or set reply_type to coupon)."
    ]
    assert errors["keywords[1].reply_type"] == [
        "Keyword 2: pick one reply type: text, picture or coupon (got '')."
    ]
    assert errors["keywords[2].image"] == [
        "Keyword 3 replies with a picture: attach a JPG or PNG of at most 5 MB."
    ]


def test_R15_the_database_refuses_a_keyword_with_two_replies_or_none(store):
    coupon = make_coupon(store)
    with pytest.raises(IntegrityError), transaction.atomic():
        Keyword.objects.create(store=store, keyword="Both", reply_type="text", text="Hi", coupon=coupon)
    with pytest.raises(IntegrityError), transaction.atomic():
        Keyword.objects.create(store=store, keyword="Empty", reply_type="coupon")
    with pytest.raises(IntegrityError), transaction.atomic():
        AutoReplySettings.objects.create(store=store, enabled=True, welcome_text="")


def test_R15_switching_on_needs_a_welcome_but_keywords_can_be_prepared_while_off(store):
    errors = errors_of(lambda: switch_on(store, welcome="  "))
    assert list(errors) == ["welcome_text"]
    assert errors["welcome_text"][0].startswith("Write a welcome message before switching auto-reply on")
    switch_on(store, welcome="", enabled=False)
    assert Keyword.objects.filter(store=store, removed_at=None).count() == 3


def test_R15_banned_words_are_caught_in_the_welcome_keywords_and_replies_all_at_once(store):
    keywords = [dict(k) for k in TEXT_KEYWORDS]
    keywords[1]["text"] = "Our packing is not affected by the epidemic."
    keywords[2]["keyword"] = "Terrible delay?"
    r = member_client(make_member(store, role="owner")).put(
        "/api/v1/autoreply",
        {"enabled": True, "welcome_text": "Sorry for the disaster, we are here.", "keywords": keywords},
        format="json",
    )
    assert r.status_code == 400
    body = r.json()
    assert sorted(body["errors"]) == ["keywords[1].text", "keywords[2].keyword", "welcome_text"]
    assert body["errors"]["keywords[1].text"] == [
        "This text contains a banned word: “epidemic” (use “outbreak”). Replace it before sending."
    ]
    assert [(w["field"], w["found"], w["suggestion"]) for w in body["banned_words"]] == [
        ("welcome_text", "disaster", "difficulty"),
        ("keywords[1].text", "epidemic", "outbreak"),
        ("keywords[2].keyword", "Terrible", "difficult"),
    ]
    assert not AutoReplySettings.objects.filter(store=store).exists()


def test_R15_keyword_pictures_are_checked_by_content_not_by_name(store):
    owner = make_member(store, role="owner")
    body = {
        "enabled": True,
        "welcome_text": WELCOME,
        "keywords": [TEXT_KEYWORDS[0], TEXT_KEYWORDS[1], {"keyword": "Photo", "reply_type": "picture"}],
    }
    gif_named_png = picture_upload("photo.png", content=picture_bytes("GIF"))
    r = member_client(owner).put(
        "/api/v1/autoreply",
        {"payload": json.dumps(body), "keywords[2].image": gif_named_png},
        format="multipart",
    )
    assert r.status_code == 400
    assert r.json()["errors"] == {
        "keywords[2].image": ["This file is a GIF picture by content; only JPG/JPEG and PNG are allowed."]
    }
    r = member_client(owner).put(
        "/api/v1/autoreply",
        {"payload": json.dumps(body), "keywords[7].image": picture_upload()},
        format="multipart",
    )
    assert r.status_code == 400
    assert r.json()["errors"] == {"keywords[7].image": ["There is no keyword 8 for this picture."]}


def test_R15_a_coupon_keyword_needs_an_attachable_coupon_of_the_store(store, other_store):
    theirs = make_coupon(other_store)
    sold_out = make_coupon(store, quantity=1, suffix="-Last")
    CouponGrant.objects.create(store=store, coupon=sold_out, buyer=make_buyer(store), source="admin")
    sold_out.granted_count = 1
    sold_out.save(update_fields=["granted_count"])
    keywords = [
        TEXT_KEYWORDS[0],
        {"keyword": "Their coupon", "reply_type": "coupon", "coupon_id": theirs.pk},
        {"keyword": "Sold out coupon", "reply_type": "coupon", "coupon_id": sold_out.pk},
    ]
    errors = errors_of(lambda: switch_on(store, keywords=keywords))
    assert errors == {
        "keywords[1].coupon_id": [f"No coupon {theirs.pk} in this store; pick one from the store's coupons."],
        "keywords[2].coupon_id": [
            "Coupon DDWL-Last can't be sent now (sold out): buyers tapping keyword 3 would get nothing. "
            "Pick an active coupon that isn't sold out, or change the reply type."
        ],
    }


def test_R15_keywords_appear_once_on_a_card(store):
    keywords = [dict(k) for k in TEXT_KEYWORDS]
    keywords[2]["keyword"] = "  is my ORDER   shipping? "
    errors = errors_of(lambda: switch_on(store, keywords=keywords))
    assert errors == {
        "keywords[2].keyword": [
            "Keyword 3 repeats keyword 1 (“is my ORDER shipping?”); each keyword appears once."
        ]
    }


def test_R15_saving_the_card_again_keeps_ids_reorders_and_takes_left_out_keywords_off(store):
    owner = make_member(store, role="owner")
    client = member_client(owner)
    first = client.put(
        "/api/v1/autoreply",
        {"enabled": True, "welcome_text": WELCOME, "keywords": TEXT_KEYWORDS},
        format="json",
    ).json()["keywords"]
    shipping, safe, cancel = (k["id"] for k in first)
    replaced = [
        {"id": cancel, "keyword": "How do I cancel?", "reply_type": "text", "text": "Tap Cancel order."},
        {"id": shipping, "keyword": "Is my order shipping?", "reply_type": "text", "text": "Yes, in 3 days."},
        {"keyword": "Where is my parcel?", "reply_type": "text", "text": "Open the order's tracking."},
    ]
    r = client.put(
        "/api/v1/autoreply", {"enabled": True, "welcome_text": WELCOME, "keywords": replaced}, format="json"
    )
    assert r.status_code == 200, r.content
    now = r.json()["keywords"]
    assert [k["id"] for k in now[:2]] == [cancel, shipping]
    assert now[2]["id"] not in (shipping, safe, cancel)
    assert [k["text"] for k in now] == ["Tap Cancel order.", "Yes, in 3 days.", "Open the order's tracking."]
    assert Keyword.objects.get(pk=safe).removed_at is not None

    r = client.put(
        "/api/v1/autoreply",
        {
            "enabled": True,
            "welcome_text": WELCOME,
            "keywords": [{"id": safe, **TEXT_KEYWORDS[1]}, *replaced[:2]],
        },
        format="json",
    )
    assert r.status_code == 400
    assert r.json()["errors"] == {
        "keywords[0].id": [
            f"Keyword 1: no keyword {safe} is on this store's card; leave id out to add a new keyword."
        ]
    }


def test_R15_a_save_that_changes_nothing_writes_nothing(store):
    config = switch_on(store)
    stamp = config.updated_at
    ids = [k["id"] for k in card_keywords(store)]
    owner = make_member(store, role="owner")
    again = [{"id": i, **k} for i, k in zip(ids, TEXT_KEYWORDS, strict=True)]
    autoreply_settings_update(
        store=store, acting_user=owner, enabled=True, welcome_text=WELCOME, keywords=again
    )
    config.refresh_from_db()
    assert config.updated_at == stamp
    assert config.updated_by != owner


def test_R15_patch_switches_auto_reply_off_and_keeps_the_card(store):
    switch_on(store)
    ids = [k["id"] for k in card_keywords(store)]
    owner = make_member(store, role="owner")
    r = member_client(owner).patch("/api/v1/autoreply", {"enabled": False}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["enabled"] is False
    assert [k["id"] for k in r.json()["keywords"]] == ids
    assert r.json()["welcome_text"] == WELCOME


def test_R15_replacing_a_picture_keyword_keeps_its_picture_unless_a_new_one_comes(store):
    owner = make_member(store, role="owner")
    client = member_client(owner)
    body = {
        "enabled": True,
        "welcome_text": WELCOME,
        "keywords": [TEXT_KEYWORDS[0], TEXT_KEYWORDS[1], {"keyword": "Photo", "reply_type": "picture"}],
    }
    r = client.put(
        "/api/v1/autoreply",
        {"payload": json.dumps(body), "keywords[2].image": picture_upload()},
        format="multipart",
    )
    picture = r.json()["keywords"][2]
    body["keywords"] = [
        {"id": k["id"], **src} for k, src in zip(r.json()["keywords"], body["keywords"], strict=True)
    ]
    r = client.put("/api/v1/autoreply", body, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["keywords"][2] == picture


# ----------------------------------------------------------------------------- R16: what is switched on


def test_R16_keywords_without_auto_reply_switched_on_do_nothing(store):
    switch_on(store, enabled=False)
    result = make_inbound(store, text="Hello, is my order shipping?")
    assert result.auto_replies == []
    assert not Message.objects.filter(store=store, sender="autoreply").exists()
    keyword = Keyword.objects.filter(store=store).first()
    errors = errors_of(
        lambda: card_click_answer(store=store, buyer=result.message.buyer, keyword_id=keyword.pk)
    )
    assert errors == {
        "keyword_id": [
            "The store's auto-reply is switched off, and keywords only answer while it is on (R16). "
            "Nothing was sent; the buyer can write to the store instead."
        ]
    }
    assert not KeywordClick.objects.exists()


def test_R16_auto_reply_on_without_keywords_sends_the_welcome_alone(store):
    switch_on(store, keywords=[])
    result = make_inbound(store, text="Hello")
    [welcome] = result.auto_replies
    assert welcome.text == WELCOME
    assert welcome.card is None
    assert welcome.sender == "autoreply"


def test_R16_a_store_that_never_set_up_auto_reply_sends_nothing(store):
    assert make_inbound(store, text="Hello").auto_replies == []


# ----------------------------------------------------------------------------- R17: the daily welcome


def test_R17_the_first_message_of_the_day_gets_the_welcome_with_the_card_and_later_ones_nothing(store):
    switch_on(store)
    buyer = make_buyer(store)
    first = make_inbound(store, buyer=buyer, text="Hello?")
    [welcome] = first.auto_replies
    assert welcome.text == WELCOME
    assert welcome.card == {"keywords": card_keywords(store)}
    assert [k["keyword"] for k in welcome.card["keywords"]] == [k["keyword"] for k in TEXT_KEYWORDS]
    assert welcome.triggered_by == first.message
    assert welcome.conversation == first.conversation
    assert welcome.language == "en"
    assert make_inbound(store, buyer=buyer, text="Anyone there?").auto_replies == []
    order = make_order(store, buyer)
    assert make_inbound(store, order=order, text="About my order").auto_replies == []
    assert make_inbound(store, text="Another buyer").auto_replies != []
    day = AutoReplyDay.objects.get(store=store, buyer=buyer)
    assert (day.date, day.message) == (store_local_date(store), first.message)


def test_R17_the_welcome_does_not_close_the_24_hour_wait(store):
    switch_on(store)
    result = make_inbound(store, text="Hello?")
    conversation = result.conversation
    conversation.refresh_from_db()
    wait = ReplyWait.objects.get(conversation=conversation)
    assert result.auto_replies
    assert wait.closed_at is None
    assert conversation.status == ConversationStatus.NEEDS_REPLY
    assert conversation.reply_due_at == result.message.created_at + timedelta(hours=24)
    agent = make_member(store)
    reply_send(conversation=conversation, acting_user=agent, text="We are on it.")
    wait.refresh_from_db()
    assert wait.closed_by.sender == "agent"


def _at(monkeypatch, moment: datetime) -> datetime:
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


@pytest.mark.parametrize(
    ("tz", "first_utc", "second_utc", "welcomes"),
    [
        # 23:30 and 00:30 Pacific (PDT, UTC-7) are two store days though both are July 2 in UTC.
        ("America/Los_Angeles", "2026-07-02T06:30:00+00:00", "2026-07-02T07:30:00+00:00", 2),
        # 13:00 and 20:00 Pacific on July 1 are one store day though UTC has moved to July 2.
        ("America/Los_Angeles", "2026-07-01T20:00:00+00:00", "2026-07-02T03:00:00+00:00", 1),
        # The same two moments are 05:00 and 12:00 on July 2 in Tokyo: one day there too.
        ("Asia/Tokyo", "2026-07-01T20:00:00+00:00", "2026-07-02T03:00:00+00:00", 1),
        # 08:30 and 09:30 Tokyo time on July 2 vs 23:30 July 1 and 00:30 July 2 UTC.
        ("Asia/Tokyo", "2026-07-01T23:30:00+00:00", "2026-07-02T00:30:00+00:00", 1),
        ("UTC", "2026-07-01T23:30:00+00:00", "2026-07-02T00:30:00+00:00", 2),
        # Daylight saving ends on Nov 1, 2026: 00:30 PDT and 23:30 PST are 24 hours apart and one store day.
        ("America/Los_Angeles", "2026-11-01T07:30:00+00:00", "2026-11-02T07:30:00+00:00", 1),
    ],
)
def test_R17_a_day_is_the_store_local_day(monkeypatch, tz, first_utc, second_utc, welcomes):
    store = make_store(name=f"Local {tz}", timezone=tz)
    switch_on(store)
    buyer = make_buyer(store)
    sent = []
    for moment in (first_utc, second_utc):
        at = _at(monkeypatch, datetime.fromisoformat(moment))
        sent += make_inbound(store, buyer=buyer, sent_at=at).auto_replies
    assert len(sent) == welcomes
    dates = sorted(AutoReplyDay.objects.filter(store=store).values_list("date", flat=True))
    zone = ZoneInfo(tz)
    expected = sorted({datetime.fromisoformat(m).astimezone(zone).date() for m in (first_utc, second_utc)})
    assert dates == expected


def test_R17_the_marketplace_retrying_a_message_gets_the_same_welcome_back(store):
    switch_on(store)
    buyer = make_buyer(store)
    body = {
        "message_id": "m-retry-1",
        "buyer": buyer_payload(buyer),
        "channel": "chat",
        "text": "Hello, when do you ship?",
        "sent_at": timezone.now().isoformat(),
    }
    first = ingress(store).post("/api/v1/ingress/messages", body, format="json")
    assert first.status_code == 201, first.content
    [welcome] = first.json()["auto_replies"]
    assert welcome["sender"] == "autoreply"
    assert welcome["direction"] == "outbound"
    assert welcome["text"] == WELCOME
    assert welcome["card"] == {"keywords": card_keywords(store)}
    again = ingress(store).post("/api/v1/ingress/messages", body, format="json")
    assert again.status_code == 200
    assert again.json()["auto_replies"] == [welcome]
    assert Message.objects.filter(store=store, sender="autoreply").count() == 1


def test_R17_product_comments_get_no_welcome_and_do_not_use_up_the_day(store):
    switch_on(store)
    buyer = make_buyer(store)
    assert make_inbound(store, buyer=buyer, channel="comment", text="Nice lamp").auto_replies == []
    assert len(make_inbound(store, buyer=buyer, channel="chat", text="Hello").auto_replies) == 1


def test_R17_a_message_reaching_the_desk_hours_late_gets_no_welcome(store):
    switch_on(store)
    buyer = make_buyer(store)
    late = make_inbound(store, buyer=buyer, sent_at=timezone.now() - timedelta(hours=3))
    assert late.auto_replies == []
    assert len(make_inbound(store, buyer=buyer).auto_replies) == 1


def test_R17_a_welcome_the_guard_now_refuses_is_skipped_and_the_buyer_message_is_kept(store):
    switch_on(store, welcome="Hi! Our warehouse is open again.")
    admin = get_user_model().objects.create_user(username="platform-admin", password="x", is_staff=True)
    banned_word_create(acting_user=admin, term="warehouse", suggestion="store")
    result = make_inbound(store, text="Hello?")
    assert result.auto_replies == []
    assert Message.objects.filter(pk=result.message.pk).exists()
    assert not AutoReplyDay.objects.filter(store=store).exists()


# ----------------------------------------------------------------------------- card clicks (flow 4)


def _welcomed(store, **kwargs):
    switch_on(store, **kwargs)
    buyer = make_buyer(store)
    order = make_order(store, buyer)
    result = make_inbound(store, order=order, text="Hello?")
    return buyer, result


def test_a_tapped_text_keyword_answers_in_the_conversation_of_the_card(store):
    buyer, result = _welcomed(store)
    keyword = Keyword.objects.get(store=store, position=1)
    r = ingress(store).post(
        "/api/v1/ingress/card-clicks",
        {"buyer_id": buyer.external_id, "keyword_id": keyword.pk},
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["sender"], body["direction"], body["text"]) == (
        "autoreply",
        "outbound",
        "Yes: every parcel is sealed and tracked.",
    )
    reply = Message.objects.get(pk=body["id"])
    assert reply.conversation == result.conversation
    assert reply.triggered_by is None
    assert KeywordClick.objects.get().reply == reply
    result.conversation.refresh_from_db()
    assert result.conversation.status == ConversationStatus.NEEDS_REPLY
    chat = ingress(store).get(f"/api/v1/ingress/buyers/{buyer.external_id}/messages").json()
    assert [m["sender"] for m in chat] == ["buyer", "autoreply", "autoreply"]


def test_a_tapped_picture_keyword_sends_a_copy_of_its_picture(store):
    owner = make_member(store, role="owner")
    autoreply_settings_update(
        store=store,
        acting_user=owner,
        enabled=True,
        welcome_text=WELCOME,
        keywords=[
            *TEXT_KEYWORDS[:2],
            {"keyword": "Photo", "reply_type": "picture", "image": picture_upload()},
        ],
    )
    buyer = make_buyer(store)
    make_inbound(store, buyer=buyer)
    keyword = Keyword.objects.get(store=store, reply_type="picture")
    reply = card_click_answer(store=store, buyer=buyer, keyword_id=keyword.pk)
    assert reply.text == ""
    assert reply.image.name.startswith("messages/")
    assert reply.image.name != keyword.image.name
    with reply.image.open("rb") as sent, keyword.image.open("rb") as stored:
        assert sent.read() == stored.read()


def test_a_tapped_coupon_keyword_grants_the_coupon_once_and_shows_it_again_on_a_second_tap(store):
    coupon = make_coupon(store)
    buyer, _ = _welcomed(
        store,
        keywords=[*TEXT_KEYWORDS[:2], {"keyword": "Coupon", "reply_type": "coupon", "coupon_id": coupon.pk}],
    )
    keyword = Keyword.objects.get(store=store, reply_type="coupon")
    client = ingress(store)
    r = client.post(
        "/api/v1/ingress/card-clicks",
        {"buyer_id": buyer.external_id, "keyword_id": keyword.pk},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["coupon"] == {
        "id": coupon.pk,
        "name": "DDWL-Wait",
        "denomination": "3.00",
        "threshold": "20.00",
        "currency": "USD",
    }
    grant = CouponGrant.objects.get(coupon=coupon, buyer=buyer)
    assert grant.source == "autoreply"
    r = client.post(
        "/api/v1/ingress/card-clicks",
        {"buyer_id": buyer.external_id, "keyword_id": keyword.pk},
        format="json",
    )
    assert r.status_code == 201
    coupon.refresh_from_db()
    assert coupon.granted_count == 1
    assert CouponGrant.objects.filter(coupon=coupon).count() == 1


def test_a_sold_out_coupon_keyword_answers_201_with_a_polite_text_in_the_buyers_language(store):
    coupon = make_coupon(store, quantity=1)
    buyer, _ = _welcomed(
        store,
        keywords=[*TEXT_KEYWORDS[:2], {"keyword": "Coupon", "reply_type": "coupon", "coupon_id": coupon.pk}],
    )
    keyword = Keyword.objects.get(store=store, reply_type="coupon")
    card_click_answer(store=store, buyer=make_buyer(store), keyword_id=keyword.pk)
    r = ingress(store).post(
        "/api/v1/ingress/card-clicks",
        {"buyer_id": buyer.external_id, "keyword_id": keyword.pk},
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["text"] == DEFAULT_TEXTS["unavailable"]["ru"]
    assert body["language"] == "ru" and "coupon" not in body
    reply = Message.objects.get(pk=body["id"])
    assert reply.tapped_keyword == "Coupon"
    assert reply.agent_note == "Coupon DDWL-Wait not given: sold out (1 of 1 given)."
    assert not CouponGrant.objects.filter(buyer=buyer).exists()
    assert KeywordClick.objects.get(buyer=buyer).outcome == "sold_out"


def test_another_stores_keyword_or_buyer_is_404(store, other_store):
    buyer, _ = _welcomed(store)
    switch_on(other_store)
    theirs = Keyword.objects.filter(store=other_store).first()
    client = ingress(store)
    r = client.post(
        "/api/v1/ingress/card-clicks", {"buyer_id": buyer.external_id, "keyword_id": theirs.pk}, format="json"
    )
    assert r.status_code == 404
    their_buyer = make_buyer(other_store)
    mine = Keyword.objects.filter(store=store).first()
    r = client.post(
        "/api/v1/ingress/card-clicks",
        {"buyer_id": their_buyer.external_id, "keyword_id": mine.pk},
        format="json",
    )
    assert r.status_code == 404
    assert not KeywordClick.objects.exists()


def test_a_keyword_taken_off_the_card_answers_400(store):
    buyer, _ = _welcomed(store)
    old = Keyword.objects.get(store=store, position=0)
    autoreply_settings_update(
        store=store,
        acting_user=None,
        enabled=True,
        welcome_text=WELCOME,
        keywords=[dict(k) for k in TEXT_KEYWORDS],
    )
    r = ingress(store).post(
        "/api/v1/ingress/card-clicks", {"buyer_id": buyer.external_id, "keyword_id": old.pk}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["errors"]["keyword_id"][0].startswith(
        "The store took “Is my order shipping?” off its keyword card"
    )


def test_a_tap_without_a_card_in_the_chat_answers_in_the_buyers_chat(store):
    switch_on(store)
    buyer = make_buyer(store)
    keyword = Keyword.objects.filter(store=store).first()
    reply = card_click_answer(store=store, buyer=buyer, keyword_id=keyword.pk)
    assert (reply.conversation.channel, reply.conversation.order) == ("chat", None)


def test_card_click_needs_buyer_and_keyword(store):
    r = ingress(store).post("/api/v1/ingress/card-clicks", {"keyword_id": "seven"}, format="json")
    assert r.status_code == 400
    assert sorted(r.json()["errors"]) == ["buyer_id", "keyword_id"]


def test_deleting_a_store_removes_its_auto_reply(store):
    coupon = make_coupon(store)
    buyer, _ = _welcomed(
        store,
        keywords=[*TEXT_KEYWORDS[:2], {"keyword": "Coupon", "reply_type": "coupon", "coupon_id": coupon.pk}],
    )
    card_click_answer(store=store, buyer=buyer, keyword_id=Keyword.objects.get(reply_type="coupon").pk)
    Store.objects.get(pk=store.pk).delete()
    assert not Keyword.objects.exists()
    assert not AutoReplyDay.objects.exists()
    assert not KeywordClick.objects.exists()
    assert not AutoReplySettings.objects.exists()


def test_a_tap_without_a_keyword_id_is_refused_naming_the_field(store):
    switch_on(store)
    errors = errors_of(lambda: card_click_answer(store=store, buyer=make_buyer(store), keyword_id=""))
    assert errors == {
        "keyword_id": ["Say which keyword the buyer tapped: keyword_id is the id from the card."]
    }


def test_a_keyword_added_after_the_welcome_answers_in_the_conversation_of_the_latest_card(store):
    buyer, result = _welcomed(store)
    owner = make_member(store, role="owner")
    kept = [{"id": k["id"], **src} for k, src in zip(card_keywords(store), TEXT_KEYWORDS, strict=True)]
    added = {"keyword": "Do you ship to Canada?", "reply_type": "text", "text": "Yes, in 10 to 15 days."}
    autoreply_settings_update(
        store=store, acting_user=owner, enabled=True, welcome_text=WELCOME, keywords=[*kept, added]
    )
    new = Keyword.objects.get(store=store, keyword=added["keyword"])
    reply = card_click_answer(store=store, buyer=buyer, keyword_id=new.pk)
    assert reply.conversation == result.conversation
