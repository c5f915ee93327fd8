"""The reply assist panel above the inbox reply box: suggestions, reply language, the "/" list, rendering a
scenario for the conversation, and the banned-word check as the agent types (docs/reply-assist.md)."""

import html
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from marketplace.services import message_ingest
from templates_i18n import services
from tests.factories import buyer_payload, make_buyer, make_inbound, make_member, make_order, picture_upload

IN_TRANSIT_SCENARIOS = {
    "shipping_delay",
    "refuse_in_transit",
    "russia_border",
    "extend_protection",
    "order_eta",
}
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@pytest.fixture(autouse=True)
def reference_data(db):
    """The data migrations load these; a transactional test run earlier may have flushed them."""
    services.official_scenarios_sync()
    services.banned_words_seed_ensure()


@pytest.fixture
def agent(store):
    return make_member(store, role="agent", username="agent-ann")


@pytest.fixture
def client_for(agent):
    client = Client()
    client.force_login(agent)
    return client


@pytest.fixture
def olga_conversation(store):
    """A Russian-speaking buyer asking where her in-transit parcel is."""
    olga = make_buyer(store, name="Olga Smirnova", country="RU", locale="ru_RU")
    order = make_order(store, olga, status="in_transit", days_ago=16)
    return make_inbound(
        store,
        order=order,
        text="Здравствуйте! Посылка уже две недели в пути, трек не обновляется. Когда она придёт?",
    ).conversation


class _Elements(HTMLParser):
    def __init__(self, css_class: str):
        super().__init__()
        self.css_class = css_class
        self.found: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.css_class in (attributes.get("class") or "").split():
            self.found.append(attributes)


def attr_values(page: str, css_class: str, attribute: str) -> list[str]:
    """``attribute`` of every element with the class ``css_class``, in page order."""
    parser = _Elements(css_class)
    parser.feed(page)
    return [element.get(attribute) for element in parser.found]


def assist_url(name: str, conversation, **query) -> str:
    url = reverse(name, args=[conversation.id])
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def picked(page: str) -> dict:
    """The data attributes of the render result."""
    match = re.search(r'<div class="ra-picked (ok|bad)"([^>]*)>', page)
    assert match, page
    attrs = {k: html.unescape(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', match.group(2))}
    attrs["state"] = match.group(1)
    return attrs


# --- the panel ---------------------------------------------------------------------------------------------


def test_inbox_thread_loads_the_assist_panel(client_for, olga_conversation):
    page = client_for.get(reverse("inbox-thread", args=[olga_conversation.id])).content.decode()
    assert f'hx-get="{reverse("reply-assist", args=[olga_conversation.id])}"' in page


def test_panel_replies_in_the_buyers_locale_and_offers_the_nine(client_for, olga_conversation):
    response = client_for.get(assist_url("reply-assist", olga_conversation))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-language="ru"' in page
    assert "buyer&#x27;s locale: ru_RU" in page
    assert attr_values(page, "ra-lang", "data-lang") == [
        "en",
        "ar",
        "es",
        "fr",
        "he",
        "ko",
        "pl",
        "pt-BR",
        "ru",
    ]
    assert re.search(r'class="ra-lang on" data-lang="ru"', page)
    assert 'hx-get="' + reverse("reply-assist-suggestions", args=[olga_conversation.id]) in page


def test_panel_language_falls_back_to_the_language_of_the_buyers_messages(client_for, store):
    buyer = make_buyer(store, name="Lucas", country="BR", locale="zh_CN")
    conversation = make_inbound(
        store, buyer=buyer, text="Olá, quando chega o meu pedido? Já faz duas semanas."
    ).conversation
    page = client_for.get(assist_url("reply-assist", conversation)).content.decode()
    assert 'data-language="pt-BR"' in page
    assert "zh_CN (not one of the nine)" in page


def test_slash_list_holds_every_official_scenario_and_the_stores_own_templates_only(
    client_for, agent, store, other_store, olga_conversation
):
    services.store_template_create(
        store=store, acting_user=agent, title="Invoice for your company", texts={"en": "Invoice attached."}
    )
    stranger = make_member(other_store, role="agent")
    services.store_template_create(
        store=other_store, acting_user=stranger, title="Beta secret template", texts={"en": "Hello."}
    )
    page = client_for.get(assist_url("reply-assist", olga_conversation)).content.decode()
    codes = attr_values(page, "ra-opt", "data-code")
    assert codes[:8] == [
        "epidemic_situation",
        "shipping_delay",
        "cancel_before_shipment",
        "refuse_in_transit",
        "russia_border",
        "extend_protection",
        "return_after_receipt",
        "order_eta",
    ]
    assert codes[8:] == ["invoice_for_your_company"]
    assert "Invoice for your company" in attr_values(page, "ra-opt", "data-title")
    assert "Beta secret template" not in page
    assert attr_values(page, "ra-opt", "data-languages")[codes.index("order_eta")] == "en ru"


# --- suggestions -------------------------------------------------------------------------------------------


def test_suggestions_for_a_russian_in_transit_buyer_put_an_in_transit_reply_with_russian_text_first(
    client_for, olga_conversation
):
    response = client_for.get(assist_url("reply-assist-suggestions", olga_conversation))
    assert response.status_code == 200
    page = response.content.decode()
    codes = attr_values(page, "ra-sugg", "data-code")
    assert len(codes) == 3
    assert codes[0] in IN_TRANSIT_SCENARIOS
    assert "ru" in attr_values(page, "ra-sugg", "data-languages")[0].split()
    # The suggested replies come with a bar; the first (best) one is full.
    bars = [int(w) for w in re.findall(r'<i style="width: (\d+)%"></i>', page)]
    assert bars[0] == 100 and bars == sorted(bars, reverse=True)
    # Every suggestion has Russian text, so none is marked as lacking it.
    assert page.count('<span class="ra-nolang" hidden>') == 3


def test_a_conversation_without_buyer_text_gets_no_suggestions_but_the_search_hint(client_for, store):
    buyer = make_buyer(store, name="Photo Only", locale="en_US")
    conversation = message_ingest(
        store=store,
        message_id="photo-only-1",
        buyer=buyer_payload(buyer),
        channel="message",
        text="",
        sent_at=timezone.now(),
        image=picture_upload(),
    ).conversation
    page = client_for.get(assist_url("reply-assist-suggestions", conversation)).content.decode()
    assert attr_values(page, "ra-sugg", "data-code") == []
    assert "press <kbd>/</kbd> in the box to pick any reply" in page


# --- rendering a pick --------------------------------------------------------------------------------------


def test_render_fills_the_order_values_and_leaves_days_for_the_agent(
    client_for, agent, store, olga_conversation
):
    services.store_template_create(
        store=store,
        acting_user=agent,
        title="Parcel on its way",
        texts={
            "en": "Hi {buyer_name}, order {order_id} arrives in about {days} days.",
            "ru": "Здравствуйте, {buyer_name}! Заказ {order_id} придёт примерно через {days} дн.",
        },
    )
    page = client_for.get(
        assist_url("reply-assist-render", olga_conversation, code="parcel_on_its_way", language="ru")
    ).content.decode()
    result = picked(page)
    order_id = olga_conversation.order.external_id
    assert result["state"] == "ok"
    assert (
        result["text"] == f"Здравствуйте, Olga Smirnova! Заказ {order_id} придёт примерно через {{days}} дн."
    )
    assert result["language"] == "ru" and result["dir"] == "ltr"
    # The unfilled placeholder is named for the box to flag; the filled ones are listed with their values.
    assert result["unfilled"] == "days"
    assert f"<code>{{order_id}}</code> <bdi>{order_id}</bdi>" in page


def test_official_order_eta_in_english_keeps_days_visible(client_for, olga_conversation):
    page = client_for.get(
        assist_url("reply-assist-render", olga_conversation, code="order_eta", language="en")
    ).content.decode()
    result = picked(page)
    assert "Your order will come after approx. {days} days." in result["text"]
    assert result["languages"] == "en ru"


def test_switching_the_language_renders_the_same_scenario_in_it(client_for, olga_conversation):
    russian = picked(
        client_for.get(
            assist_url("reply-assist-render", olga_conversation, code="refuse_in_transit")
        ).content.decode()
    )
    arabic = picked(
        client_for.get(
            assist_url("reply-assist-render", olga_conversation, code="refuse_in_transit", language="ar")
        ).content.decode()
    )
    assert russian["language"] == "ru" and CYRILLIC.search(russian["text"])
    assert arabic["language"] == "ar" and arabic["dir"] == "rtl"
    assert re.search(r"[\u0600-\u06ff]", arabic["text"]) and not CYRILLIC.search(arabic["text"])


def test_a_missing_language_names_the_languages_there_are(client_for, olga_conversation):
    page = client_for.get(
        assist_url("reply-assist-render", olga_conversation, code="order_eta", language="pl")
    ).content.decode()
    result = picked(page)
    assert result["state"] == "bad"
    assert (
        "<strong>What will be with my order? (estimated delay in days)</strong> has no Polish (pl) text. "
        "It is written in English (en) and Russian (ru); replies are never machine-translated."
    ) in page
    assert re.findall(r'data-ra-lang="([^"]+)"', page) == ["en", "ru"]
    assert 'data-ra-write="pl"' in page


# --- the check as the agent types --------------------------------------------------------------------------


def test_check_flags_a_banned_word_with_its_replacement_and_javascript_offsets(client_for, olga_conversation):
    text = "Простите 🙏 за задержку: эпидемия замедлила почту."
    response = client_for.post(assist_url("reply-assist-check", olga_conversation), {"text": text})
    page = response.content.decode()
    assert 'data-ok="false" data-count="1"' in page
    assert '<mark class="ra-mark" title="Banned: “эпидемия”">эпидемия</mark>' in page
    assert 'say <strong dir="auto">вспышка</strong>' in page
    start = text.index("эпидемия")
    # JavaScript counts the emoji as two units, so its offsets are one more than Python's.
    assert f'data-start="{start + 1}" data-end="{start + 1 + len("эпидемия")}"' in page
    assert 'data-replacement="вспышка"' in page


def test_check_keeps_the_capital_in_the_replacement_and_passes_clean_text(client_for, olga_conversation):
    url = assist_url("reply-assist-check", olga_conversation)
    page = client_for.post(url, {"text": "Epidemic or not, your parcel is on its way."}).content.decode()
    assert 'data-replacement="Outbreak"' in page
    clean = client_for.post(url, {"text": "Your parcel is on its way."}).content.decode()
    assert 'data-ok="true" data-count="0"' in clean
    assert "<mark" not in clean


def test_check_escapes_the_text(client_for, olga_conversation):
    page = client_for.post(
        assist_url("reply-assist-check", olga_conversation), {"text": "<b>terrible</b> <script>x</script>"}
    ).content.decode()
    assert "<script>x" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;" in page


# --- isolation and access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["reply-assist", "reply-assist-suggestions", "reply-assist-render"])
def test_another_stores_conversation_is_a_404(client_for, other_store, name):
    foreign = make_inbound(other_store, text="Где мой заказ?").conversation
    assert client_for.get(assist_url(name, foreign, code="order_eta")).status_code == 404


def test_checking_against_another_stores_conversation_is_a_404(client_for, other_store):
    foreign = make_inbound(other_store, text="Где мой заказ?").conversation
    assert client_for.post(assist_url("reply-assist-check", foreign), {"text": "hi"}).status_code == 404


def test_another_stores_template_cannot_be_rendered(client_for, other_store, olga_conversation):
    stranger = make_member(other_store, role="agent")
    services.store_template_create(
        store=other_store, acting_user=stranger, title="Beta secret template", texts={"en": "Hello."}
    )
    url = assist_url("reply-assist-render", olga_conversation, code="beta_secret_template", language="en")
    assert client_for.get(url).status_code == 404


def test_the_panel_needs_a_signed_in_store_member(olga_conversation):
    response = Client().get(assist_url("reply-assist", olga_conversation))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_check_only_accepts_post(client_for, olga_conversation):
    assert client_for.get(assist_url("reply-assist-check", olga_conversation)).status_code == 405
