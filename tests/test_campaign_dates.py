"""Issue 13, point 2: a campaign whose text names a date that is over is not sent unless the sender confirms."""

from datetime import timedelta

import pytest

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
