"""Issue 13, point 4: a store's own template is one reply with a version per language."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conversations.selectors import reply_text_for_conversation
from seller_desk.errors import ApplicationError
from templates_i18n import selectors, services
from templates_i18n.models import Scenario
from templates_i18n.suggest import suggest_scenarios
from tests.factories import make_buyer, make_inbound, make_member, make_order

pytestmark = pytest.mark.django_db

KO = "네, 주문하신 상품을 무료로 선물 포장해 드릴 수 있습니다."
EN = "Yes, we can gift-wrap your order for free."


@pytest.fixture(autouse=True)
def library(db):
    services.official_scenarios_sync()


@pytest.fixture
def template(store):
    owner = make_member(store, role="owner", username="tpl-owner")
    return services.store_template_create(
        store=store,
        acting_user=owner,
        title="Gift wrapping: can you wrap it as a present?",
        texts={"en": EN, "ko": KO},
    )


def test_one_template_holds_its_versions_and_lists_the_missing_ones(store, template):
    assert Scenario.objects.filter(store=store).count() == 1
    assert selectors.scenario_texts(template) == {"en": EN, "ko": KO}
    assert selectors.scenario_languages(template) == ["en", "ko"]
    assert selectors.scenario_missing_languages(template) == ["ar", "es", "fr", "he", "pl", "pt-BR", "ru"]


def test_editing_one_version_keeps_the_others_and_empty_removes_one(store, template):
    owner = template.created_by
    services.store_template_update(
        store=store, acting_user=owner, code=template.code, texts={"ru": "Да, упакуем."}
    )
    template.refresh_from_db()
    assert selectors.scenario_texts(template) == {"en": EN, "ko": KO, "ru": "Да, упакуем."}
    services.store_template_update(store=store, acting_user=owner, code=template.code, texts={"en": ""})
    template.refresh_from_db()
    assert selectors.scenario_languages(template) == ["ko", "ru"]
    with pytest.raises(ApplicationError) as error:
        services.store_template_update(
            store=store, acting_user=owner, code=template.code, texts={"ko": "", "ru": ""}
        )
    assert list(error.value.errors) == ["texts"]


def test_the_buyers_version_is_picked_and_a_missing_one_names_the_versions_there_are(store, template):
    korean = make_buyer(store, name="Kim Minji", country="KR", locale="ko_KR")
    conversation = make_inbound(
        store, order=make_order(store, korean), text="선물 포장 가능한가요?"
    ).conversation
    rendered = reply_text_for_conversation(
        store=store, conversation=conversation, code=template.code, language=None, variables={}
    )
    assert (rendered.text, rendered.language) == (KO, "ko")
    polish = make_buyer(store, name="Ola", country="PL", locale="pl_PL")
    other = make_inbound(
        store, order=make_order(store, polish), text="Czy możecie zapakować na prezent?"
    ).conversation
    with pytest.raises(ApplicationError) as error:
        reply_text_for_conversation(
            store=store, conversation=other, code=template.code, language=None, variables={}
        )
    assert "English (en), Korean (ko)" in error.value.errors["language"][0]


def test_the_template_is_suggested_to_a_korean_buyer_by_the_same_model_and_only_in_its_store(
    store, other_store, template
):
    mine = suggest_scenarios(
        store=store, text="선물 포장 가능한가요? 선물용이에요", order_status="awaiting_shipment"
    )
    assert mine.suggestions[0].code == template.code
    theirs = suggest_scenarios(
        store=other_store, text="선물 포장 가능한가요? 선물용이에요", order_status="awaiting_shipment"
    )
    assert template.code not in [s.code for s in theirs.suggestions]


def test_the_picks_report_reads_a_constant_number_of_queries(store):
    from tests.test_scenario_picks import record

    owner = make_member(store, role="owner", username="count-owner")
    client = Client()
    client.force_login(owner)
    counts = []
    for total in (10, 200):
        record(store, "order_eta", suggested="order_eta", times=total - (counts and 10 or 0))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/replies/picks/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
