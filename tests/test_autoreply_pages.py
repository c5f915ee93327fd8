"""The auto-reply page (owner edits, members read) and keyword taps from the buyer simulator."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from autoreply.models import AutoReplySettings, Keyword, KeywordClick
from autoreply.services import autoreply_settings_update, card_click_answer
from conversations.models import Message
from tests.factories import make_buyer, make_inbound, make_member, picture_upload
from tests.test_autoreply import TEXT_KEYWORDS, WELCOME, make_coupon

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(rows: list[dict], *, enabled: bool = True, welcome: str = WELCOME) -> dict:
    data = {"welcome_text": welcome}
    if enabled:
        data["enabled"] = "on"
    for i, row in enumerate(rows):
        prefix = row.get("prefix", f"new{i}")
        data[f"kw-{prefix}-id"] = row.get("id", "")
        data[f"kw-{prefix}-keyword"] = row.get("keyword", "")
        data[f"kw-{prefix}-reply_type"] = row.get("reply_type", "text")
        data[f"kw-{prefix}-text"] = row.get("text", "")
        data[f"kw-{prefix}-coupon_id"] = row.get("coupon_id", "")
        if "image" in row:
            data[f"kw-{prefix}-image"] = row["image"]
    return data


def test_R15_owner_saves_the_auto_reply_from_the_page(store):
    owner = make_member(store, role="owner")
    coupon = make_coupon(store)
    client = logged_in(owner)
    page = client.get("/autoreply/")
    assert page.status_code == 200
    assert page.context["nav"] == "autoreply"
    assert len(page.context["rows"]) == 3
    rows = [
        {"prefix": "a", **TEXT_KEYWORDS[0]},
        {
            "prefix": "b",
            "keyword": "Show me the parcel",
            "reply_type": "picture",
            "text": "left over",
            "image": picture_upload(),
        },
        {"prefix": "c", "keyword": "A coupon", "reply_type": "coupon", "coupon_id": coupon.pk},
        {"prefix": "d"},
    ]
    r = client.post("/autoreply/", form_data(rows))
    assert r.status_code == 302, r.content.decode()[:2000]
    config = AutoReplySettings.objects.get(store=store)
    assert (config.enabled, config.welcome_text, config.updated_by) == (True, WELCOME, owner)
    saved = list(Keyword.objects.filter(store=store, removed_at=None))
    assert [(k.keyword, k.reply_type, k.text, k.coupon_id) for k in saved] == [
        ("Is my order shipping?", "text", "Orders ship within 3 days of payment.", None),
        ("Show me the parcel", "picture", "", None),
        ("A coupon", "coupon", "", coupon.pk),
    ]
    assert saved[1].image.name.startswith("autoreply/")
    followed = client.get("/autoreply/")
    assert [r.id for r in followed.context["rows"]] == [k.pk for k in saved]
    assert "Auto-reply saved: on, with 3 keywords." in followed.content.decode()


def test_R15_page_errors_sit_under_the_row_and_nothing_is_saved(store):
    owner = make_member(store, role="owner")
    rows = [
        {"prefix": "a", **TEXT_KEYWORDS[0]},
        {"prefix": "b", "keyword": "x" * 301, "text": "Answer"},
        {"prefix": "c", "keyword": "Where is it?", "text": "This epidemic slowed us."},
    ]
    r = logged_in(owner).post("/autoreply/", form_data(rows))
    assert r.status_code == 400
    by_prefix = {row.prefix: row.errors for row in r.context["rows"]}
    assert by_prefix["a"] == {}
    assert by_prefix["b"] == {"keyword": ["Keyword 2 has 301 characters; keywords are at most 300."]}
    assert list(by_prefix["c"]) == ["text"]
    html = r.content.decode()
    assert "Nothing was saved." in html
    assert "Keyword 2 has 301 characters" in html
    assert 'value="Where is it?"' in html
    assert not Keyword.objects.filter(store=store).exists()


def test_R15_page_refuses_two_keywords_naming_the_rule(store):
    owner = make_member(store, role="owner")
    r = logged_in(owner).post(
        "/autoreply/", form_data([{"prefix": "a", **TEXT_KEYWORDS[0]}, {"prefix": "b", **TEXT_KEYWORDS[1]}])
    )
    assert r.status_code == 400
    assert r.context["errors"]["keywords"][0].startswith(
        "A keyword card has 3 to 9 keywords (this one has 2)"
    )


def test_R15_page_keeps_ids_when_rows_are_reordered(store):
    owner = make_member(store, role="owner")
    autoreply_settings_update(
        store=store,
        acting_user=owner,
        enabled=True,
        welcome_text=WELCOME,
        keywords=[dict(k) for k in TEXT_KEYWORDS],
    )
    first, second, third = Keyword.objects.filter(store=store)
    rows = [
        {"prefix": str(third.pk), "id": third.pk, **TEXT_KEYWORDS[2]},
        {"prefix": str(first.pk), "id": first.pk, **TEXT_KEYWORDS[0]},
        {"prefix": str(second.pk), "id": second.pk, **TEXT_KEYWORDS[1]},
    ]
    r = logged_in(owner).post("/autoreply/", form_data(rows, enabled=False))
    assert r.status_code == 302
    assert list(Keyword.objects.filter(store=store, removed_at=None).values_list("id", flat=True)) == [
        third.pk,
        first.pk,
        second.pk,
    ]
    assert AutoReplySettings.objects.get(store=store).enabled is False


def test_agents_see_the_auto_reply_read_only_and_cannot_post(store):
    owner = make_member(store, role="owner")
    autoreply_settings_update(
        store=store,
        acting_user=owner,
        enabled=True,
        welcome_text=WELCOME,
        keywords=[dict(k) for k in TEXT_KEYWORDS],
    )
    agent = logged_in(make_member(store, role="agent"))
    page = agent.get("/autoreply/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Only the store owner can change the auto-reply." in html
    assert re.search(r'<fieldset class="ar-fieldset" disabled>', html)
    assert "Save auto-reply" not in html
    assert agent.post("/autoreply/", form_data([], enabled=False)).status_code == 403
    assert AutoReplySettings.objects.get(store=store).enabled is True


def test_the_auto_reply_page_is_in_the_top_navigation_for_members(store):
    html = logged_in(make_member(store)).get("/inbox/").content.decode()
    assert '<a href="/autoreply/"' in html


def test_keyword_text_is_escaped_on_the_page_and_in_the_preview(store):
    owner = make_member(store, role="owner")
    keywords = [dict(k) for k in TEXT_KEYWORDS]
    keywords[0]["keyword"] = "<script>alert(1)</script>"
    autoreply_settings_update(
        store=store, acting_user=owner, enabled=True, welcome_text=WELCOME, keywords=keywords
    )
    html = logged_in(owner).get("/autoreply/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_welcome_check_names_banned_words(store):
    client = logged_in(make_member(store, role="owner"))
    bad = client.post(
        "/autoreply/welcome-check/", {"welcome_text": "Sorry for the terrible wait"}
    ).content.decode()
    assert "“terrible” (use “difficult”)" in bad
    good = client.post("/autoreply/welcome-check/", {"welcome_text": "Hello!"}).content.decode()
    assert "No banned words" in good


def test_the_buyer_simulator_taps_a_keyword_through_the_card_click_service(store):
    owner = make_member(store, role="owner")
    autoreply_settings_update(
        store=store,
        acting_user=owner,
        enabled=True,
        welcome_text=WELCOME,
        keywords=[dict(k) for k in TEXT_KEYWORDS],
    )
    buyer = make_buyer(store)
    make_inbound(store, buyer=buyer, channel="chat", text="Hello")
    client = logged_in(owner)
    chat = client.get(f"/simulator/{buyer.external_id}/").content.decode()
    keyword = Keyword.objects.get(store=store, position=2)
    assert f'form="card-click-form" name="keyword_id" value="{keyword.pk}"' in chat
    r = client.post(
        f"/simulator/{buyer.external_id}/card-clicks/", {"keyword_id": keyword.pk}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200
    assert r["HX-Trigger"] == "chat-changed"
    assert Message.objects.filter(buyer=buyer, sender="autoreply").last().text == TEXT_KEYWORDS[2]["text"]
    assert KeywordClick.objects.get().keyword == keyword


def test_the_buyer_simulator_shows_why_a_tap_sent_nothing(store):
    owner = make_member(store, role="owner")
    autoreply_settings_update(
        store=store,
        acting_user=owner,
        enabled=False,
        welcome_text=WELCOME,
        keywords=[dict(k) for k in TEXT_KEYWORDS],
    )
    buyer = make_buyer(store)
    keyword = Keyword.objects.filter(store=store).first()
    r = logged_in(owner).post(
        f"/simulator/{buyer.external_id}/card-clicks/", {"keyword_id": keyword.pk}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200
    assert "auto-reply is switched off" in r.content.decode()
    assert not Message.objects.filter(buyer=buyer).exists()


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/autoreply/").status_code == 200
    return len(captured.captured_queries)


def test_the_page_runs_the_same_queries_for_three_keywords_and_nine(store):
    owner = make_member(store, role="owner")
    client = logged_in(owner)
    coupons = [make_coupon(store, suffix=f"-C{i}") for i in range(3)]

    def card(n: int) -> list[dict]:
        kinds = [
            {"reply_type": "text", "text": "An answer"},
            {"reply_type": "coupon", "coupon_id": coupons[0].pk},
            {"reply_type": "picture", "image": picture_upload()},
        ]
        return [{"keyword": f"Question {i}", **kinds[i % 3]} for i in range(n)]

    autoreply_settings_update(
        store=store, acting_user=owner, enabled=True, welcome_text=WELCOME, keywords=card(3)
    )
    small = _page_queries(client)
    autoreply_settings_update(
        store=store, acting_user=owner, enabled=True, welcome_text=WELCOME, keywords=card(9)
    )
    buyer = make_buyer(store)
    for keyword in Keyword.objects.filter(store=store, removed_at=None, reply_type="text"):
        card_click_answer(store=store, buyer=buyer, keyword_id=keyword.pk)
    assert _page_queries(client) == small
