"""Issue 13, point 5: the desk learns from the agents' picks, per store, bounded and explained."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from templates_i18n import services
from templates_i18n.models import ScenarioPick
from templates_i18n.selectors import scenario_pick_report
from templates_i18n.suggest import PICK_BOOST_MAX, pick_boost, suggest_scenarios
from tests.factories import make_buyer, make_inbound, make_member, make_order

pytestmark = pytest.mark.django_db

MESSAGE = "Hello, the parcel is on the way for weeks now and the protection time is almost over. What now?"


@pytest.fixture(autouse=True)
def reference_data(db):
    services.official_scenarios_sync()
    services.banned_words_seed_ensure()


def conversation_of(store, text=MESSAGE, *, locale="en_US", name="Dana"):
    buyer = make_buyer(store, name=name, country="US", locale=locale)
    order = make_order(store, buyer, status="in_transit", days_ago=30)
    return make_inbound(store, order=order, text=text).conversation


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ranking(store, text=MESSAGE):
    return [
        (s.code, s.score, s.picked)
        for s in suggest_scenarios(store=store, text=text, order_status="in_transit").suggestions
    ]


def record(store, code, *, suggested="", text=MESSAGE, language="en", times=1):
    for _ in range(times):
        services.scenario_pick_record(
            store=store,
            acting_user=None,
            buyer_text=text,
            language=language,
            picked_code=code,
            suggested_code=suggested,
        )


def test_the_reply_form_records_which_scenario_was_inserted_against_the_first_suggestion(store):
    agent = make_member(store, role="agent", username="picker")
    conversation = conversation_of(store)
    response = logged_in(agent).post(
        f"/inbox/{conversation.pk}/reply/",
        {
            "text": "Please ask the seller to extend the protection period.",
            "language": "en",
            "scenario_code": "extend_protection",
            "suggested_code": "order_eta",
        },
    )
    assert response.status_code in (200, 302)
    pick = ScenarioPick.objects.get(store=store)
    assert (pick.language, pick.suggested_code, pick.picked_code, pick.first_taken) == (
        "en",
        "order_eta",
        "extend_protection",
        False,
    )
    assert pick.picked_by == agent
    assert len(bytes(pick.vector)) == 384 * 4


def test_a_reply_typed_by_hand_records_no_pick(store):
    agent = make_member(store, role="agent", username="typer")
    conversation = conversation_of(store)
    logged_in(agent).post(f"/inbox/{conversation.pk}/reply/", {"text": "Hi, checking now.", "language": "en"})
    assert not ScenarioPick.objects.exists()


def test_the_api_reply_with_a_scenario_records_the_pick(store):
    agent = make_member(store, role="agent", username="api-picker")
    conversation = conversation_of(store)
    client = APIClient()
    client.force_authenticate(agent)
    response = client.post(
        f"/api/v1/conversations/{conversation.pk}/replies",
        {"scenario": "extend_protection", "suggested_scenario": "extend_protection", "language": "en"},
        format="json",
    )
    assert response.status_code == 201
    pick = ScenarioPick.objects.get(store=store)
    assert (pick.picked_code, pick.suggested_code, pick.first_taken) == (
        "extend_protection",
        "extend_protection",
        True,
    )


def test_another_stores_template_is_never_recorded(store, other_store):
    theirs = services.store_template_create(
        store=other_store,
        acting_user=make_member(other_store, role="owner", username="their-owner"),
        title="Their private reply",
        texts={"en": "Ours only."},
    )
    assert (
        services.scenario_pick_record(
            store=store, acting_user=None, buyer_text=MESSAGE, language="en", picked_code=theirs.code
        )
        is None
    )
    assert not ScenarioPick.objects.exists()


def test_the_boost_is_bounded_and_needs_two_picks():
    assert [pick_boost(n) for n in (0, 1, 2, 3, 4, 14, 1000)] == [0.0, 0.0, 0.02, 0.03, 0.04, 0.04, 0.04]
    assert PICK_BOOST_MAX == 0.04


def test_picks_raise_the_chosen_scenario_for_similar_messages_and_say_how_often(store):
    before = ranking(store)
    second = before[1][0]
    record(store, second, suggested=before[0][0], times=14)
    after = {code: (score, picked) for code, score, picked in ranking(store)}
    assert after[second] == (round(dict((c, s) for c, s, _ in before)[second] + PICK_BOOST_MAX, 4), 14)
    assert [c for c, *_ in ranking(store)][0] in (second, before[0][0])
    # A message about something else is not moved by these picks.
    other = "Do you have this jacket in blue, size M?"
    assert all(picked == 0 for *_, picked in ranking(store, other))


def test_one_stores_picks_never_move_another_stores_ranking(store, other_store):
    baseline = ranking(other_store)
    assert baseline == ranking(store)
    record(store, baseline[2][0], suggested=baseline[0][0], times=30)
    record(store, baseline[1][0], suggested=baseline[0][0], times=30, language="ru")
    assert ranking(store) != baseline
    assert ranking(other_store) == baseline
    assert all(picked == 0 for *_, picked in ranking(other_store))


def test_the_reply_box_explains_the_boost(store):
    agent = make_member(store, role="agent", username="explained")
    conversation = conversation_of(store)
    record(store, "extend_protection", times=14)
    page = logged_in(agent).get(f"/inbox/{conversation.pk}/assist/suggestions/").content.decode()
    assert "chosen 14× for similar messages" in page


def test_the_report_shows_the_first_suggestion_share_per_language_for_the_store_only(store, other_store):
    record(store, "order_eta", suggested="order_eta", times=3)
    record(store, "extend_protection", suggested="order_eta", times=1)
    record(store, "refuse_in_transit", suggested="refuse_in_transit", language="ru", times=2)
    record(store, "refuse_in_transit", suggested="", language="ru", times=1)
    record(other_store, "order_eta", suggested="epidemic_situation", times=5)
    report = scenario_pick_report(store=store)
    rows = {r["language"]: (r["picks"], r["offered"], r["first"], r["share"]) for r in report["languages"]}
    assert rows == {"en": (4, 4, 3, 75), "ru": (3, 2, 2, 100)}
    assert report["total"] == {"picks": 7, "offered": 6, "first": 5, "share": 83}
    owner = make_member(store, role="owner", username="report-owner")
    page = logged_in(owner).get("/replies/picks/").content.decode()
    assert '<tr data-language="en"><td>English <code>en</code></td><td class="num">4</td>' in page
    assert "75%" in page and "100%" in page
    agent = make_member(store, role="agent", username="report-agent")
    assert logged_in(agent).get("/replies/picks/").status_code == 403
