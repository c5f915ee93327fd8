"""Issue 13, point 2: a campaign whose text names a date that is over is not sent unless the sender confirms."""

from datetime import timedelta

import pytest
from django.test import TestCase

from campaigns.models import Campaign, CampaignStatus
from seller_desk.errors import ApplicationError
from tests.factories import make_buyer
from tests.test_campaigns import conditions, new_campaign, order_for, send, today_of

pytestmark = pytest.mark.django_db


def dated_campaign(store, text):
    buyer = make_buyer(store, name="Ola", country="PL", locale="pl_PL")
    day = today_of(store) - timedelta(days=3)
    order_for(store, buyer, day)
    return new_campaign(store, crowd=conditions(store, day, day), text=text)


def test_a_campaign_naming_a_past_date_is_refused_at_send_naming_the_date(store):
    last_month = today_of(store).replace(day=1) - timedelta(days=1)
    text = f"Dear customer, we are back from holiday since {last_month:%-d %B %Y}. Here is a coupon."
    campaign = dated_campaign(store, text)
    with pytest.raises(ApplicationError) as error:
        send(campaign)
    assert list(error.value.errors) == ["text"]
    assert f"“{last_month:%-d %B %Y}” is in the past" in error.value.errors["text"][0]
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT


def test_a_confirmed_past_date_is_sent(store):
    last_month = today_of(store).replace(day=1) - timedelta(days=1)
    campaign = dated_campaign(store, f"Our prices since {last_month:%-d %B %Y} stay low. Here is a coupon.")
    sent = send(campaign, dates_confirmed=True)
    assert sent.status in (CampaignStatus.SENDING, CampaignStatus.DONE)


def test_a_past_date_in_a_variant_is_refused_under_that_variant(store):
    campaign = dated_campaign(store, "Dear customer, here is a coupon for you.")
    campaign.variants = {"ru": "Мы работаем с 19 января 2020 года."}
    campaign.save(update_fields=["variants"])
    with pytest.raises(ApplicationError) as error:
        send(campaign)
    assert list(error.value.errors) == ["variants.ru"]


def test_a_future_or_relative_date_does_not_stop_the_send(store):
    next_year = today_of(store).year + 1
    campaign = dated_campaign(store, f"Sale until 5 March {next_year}, recently restocked! Here is a coupon.")
    assert send(campaign).status in (CampaignStatus.SENDING, CampaignStatus.DONE)


def test_a_platform_admin_editing_an_official_text_gets_the_same_date_check():
    from seller_desk.services import platform_admin_create
    from templates_i18n import services as scenario_services
    from templates_i18n.models import Scenario as Library

    scenario_services.official_scenarios_sync()
    admin = platform_admin_create(username="root", password="long-enough")
    admin = getattr(admin, "user", admin)
    text = "Because of the holiday, orders placed on or after 20 January 2020 may ship late."
    with pytest.raises(ApplicationError) as error:
        scenario_services.official_scenario_update(acting_user=admin, code="order_eta", texts={"en": text})
    assert list(error.value.errors) == ["body_en"]
    assert "“20 January 2020” is in the past" in error.value.errors["body_en"][0]
    assert Library.objects.get(store=None, code="order_eta").body_en != text
    scenario_services.official_scenario_update(
        acting_user=admin, code="order_eta", texts={"en": text}, confirm_dates=True
    )
    assert Library.objects.get(store=None, code="order_eta").body_en == text
    # Unchanged texts are not re-checked: editing only the title saves.
    scenario_services.official_scenario_update(
        acting_user=admin, code="shipping_delay", title="Holiday delay"
    )


# --- issue 13, point 2 rest: the API and page confirm step, auto-reply texts, the admins' API and Django admin


def test_the_send_api_refuses_a_past_date_then_sends_with_dates_confirmed(store):
    from tests.factories import make_member
    from tests.test_campaigns import api_as

    owner = make_member(store, role="owner", username="api-owner")
    campaign = dated_campaign(store, "Dear customer, our holiday ran from 19 January to 18 February PT.")
    client = api_as(owner)
    refused = client.post(f"/api/v1/campaigns/{campaign.pk}/send", {}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["text"]
    assert (
        "“19 January to 18 February” is a period that ended on Feb 18" in refused.json()["errors"]["text"][0]
    )
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT
    with TestCase.captureOnCommitCallbacks(execute=True):
        sent = client.post(f"/api/v1/campaigns/{campaign.pk}/send", {"dates_confirmed": True}, format="json")
    assert sent.status_code == 202
    assert Campaign.objects.get(pk=campaign.pk).status in (CampaignStatus.SENDING, CampaignStatus.DONE)


def test_the_campaign_page_shows_the_confirm_step_with_the_span_marked_and_sends_once_confirmed(store):
    from django.test import Client

    from tests.factories import make_member

    owner = make_member(store, role="owner", username="page-owner")
    campaign = dated_campaign(store, "Dear customer, we were away from 19 January to 18 February PT. Sorry!")
    client = Client()
    client.force_login(owner)
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert '<mark class="stale-date-span">19 January to 18 February</mark>' in page
    assert 'name="dates_confirmed"' in page
    client.post(f"/campaigns/{campaign.pk}/send/")  # Send now without confirming: refused, still a draft
    assert Campaign.objects.get(pk=campaign.pk).status == CampaignStatus.DRAFT
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(f"/campaigns/{campaign.pk}/send/", {"dates_confirmed": "1"})
    assert Campaign.objects.get(pk=campaign.pk).status in (CampaignStatus.SENDING, CampaignStatus.DONE)
    assert "stale-date-span" not in client.get(f"/campaigns/{campaign.pk}/").content.decode()


def test_a_campaign_without_past_dates_has_no_confirm_step(store):
    from django.test import Client

    from tests.factories import make_member

    owner = make_member(store, role="owner", username="page-owner2")
    campaign = dated_campaign(store, "Dear customer, here is a coupon for you.")
    client = Client()
    client.force_login(owner)
    assert "stale-dates" not in client.get(f"/campaigns/{campaign.pk}/").content.decode()


AUTOREPLY_KEYWORDS = [
    {"keyword": "Shipping", "reply_type": "text", "text": "We ship within 3 days."},
    {"keyword": "Returns", "reply_type": "text", "text": "Returns are free within 15 days."},
    {"keyword": "Holiday", "reply_type": "text", "text": "We are closed from 19 January to 18 February."},
]


def test_auto_reply_texts_naming_a_past_date_are_refused_under_their_fields_until_confirmed(store):
    from autoreply.models import AutoReplySettings
    from autoreply.services import autoreply_settings_update
    from tests.factories import make_member

    owner = make_member(store, role="owner", username="ar-owner")
    last_month = today_of(store).replace(day=1) - timedelta(days=1)
    welcome = f"Hi! Back from holiday since {last_month:%-d %B %Y}. Tap a question below."

    def save(**extra):
        return autoreply_settings_update(
            store=store,
            acting_user=owner,
            enabled=True,
            welcome_text=welcome,
            welcome_texts={"ru": "Мы не работали с 19 января по 18 февраля."},
            keywords=[dict(k) for k in AUTOREPLY_KEYWORDS],
            **extra,
        )

    with pytest.raises(ApplicationError) as error:
        save()
    assert sorted(error.value.errors) == ["keywords[2].text", "welcome_text", "welcome_texts.ru"]
    assert f"“{last_month:%-d %B %Y}” is in the past" in error.value.errors["welcome_text"][0]
    assert "“19 января по 18 февраля”" in error.value.errors["welcome_texts.ru"][0]
    assert not AutoReplySettings.objects.filter(store=store, enabled=True).exists()
    save(dates_confirmed=True)
    assert AutoReplySettings.objects.get(store=store).welcome_text == welcome


def test_the_auto_reply_page_marks_the_dates_and_saves_once_confirmed(store):
    from django.test import Client

    from autoreply.models import AutoReplySettings
    from tests.factories import make_member
    from tests.test_autoreply_pages import form_data

    owner = make_member(store, role="owner", username="ar-page-owner")
    client = Client()
    client.force_login(owner)
    data = form_data(AUTOREPLY_KEYWORDS, welcome="Hi! Tap a question below, or write yours.")
    refused = client.post("/autoreply/", data)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert '<mark class="stale-date-span">19 January to 18 February</mark>' in page
    assert "“Holiday”" in page
    assert not AutoReplySettings.objects.filter(store=store, enabled=True).exists()
    saved = client.post("/autoreply/", {**data, "dates_confirmed": "1"})
    assert saved.status_code == 302
    assert AutoReplySettings.objects.get(store=store).enabled is True


def test_platform_admins_patch_of_an_official_text_takes_dates_confirmed_over_the_api():
    from rest_framework.test import APIClient

    from seller_desk.services import platform_admin_create
    from templates_i18n import services as scenario_services
    from templates_i18n.models import Scenario as Library

    scenario_services.official_scenarios_sync()
    admin = platform_admin_create(username="root-api", password="long-enough")
    admin = getattr(admin, "user", admin)
    client = APIClient()
    client.force_authenticate(admin)
    text = "Orders placed on or after Jan 20th 2020 ship late."
    refused = client.patch("/api/v1/scenarios/order_eta", {"texts": {"en": text}}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["body_en"]
    assert "“Jan 20th 2020” is in the past" in refused.json()["errors"]["body_en"][0]
    saved = client.patch(
        "/api/v1/scenarios/order_eta", {"texts": {"en": text}, "dates_confirmed": True}, format="json"
    )
    assert saved.status_code == 200
    assert Library.objects.get(store=None, code="order_eta").body_en == text


def test_the_django_admin_form_applies_the_same_date_check_to_official_texts():
    from templates_i18n import services as scenario_services
    from templates_i18n.admin import ScenarioAdminForm
    from templates_i18n.models import Scenario as Library

    scenario_services.official_scenarios_sync()
    official = Library.objects.get(store=None, code="order_eta")
    form_class = type(
        "Form", (ScenarioAdminForm,), {"Meta": type("Meta", (), {"model": Library, "fields": ["body_en"]})}
    )
    data = {"body_en": "We are closed from 19 January 2020 to 18 February 2020."}
    form = form_class(data, instance=official)
    assert not form.is_valid()
    assert "is a period that ended on Feb 18, 2020" in form.errors["body_en"][0]
    assert form_class({**data, "dates_confirmed": "on"}, instance=official).is_valid()
