import pytest
from django.contrib.auth import get_user_model

from seller_desk.models import Membership
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, store):
    owner = make_member(store, role="owner", username="boss")
    client.force_login(owner)
    return client


def test_owner_adds_an_agent_who_can_then_log_in(owner_client, store, client):
    r = owner_client.post("/team/", {"username": "new-agent", "password": "long-enough-1", "role": "agent"})
    assert r.status_code == 302
    membership = Membership.objects.get(user__username="new-agent")
    assert (membership.store, membership.role) == (store, "agent")
    assert client.login(username="new-agent", password="long-enough-1")


def test_an_existing_username_of_another_store_is_refused_not_moved(owner_client, other_store):
    theirs = make_member(other_store, username="their-agent")
    r = owner_client.post("/team/", {"username": "their-agent", "password": "long-enough-1", "role": "agent"})
    assert r.status_code == 400
    assert "is taken" in r.content.decode()
    assert Membership.objects.get(user=theirs).store == other_store


def test_short_password_is_refused_naming_the_field(owner_client):
    r = owner_client.post("/team/", {"username": "x-agent", "password": "short", "role": "agent"})
    assert r.status_code == 400
    assert "at least 8 characters" in r.content.decode()
    assert not get_user_model().objects.filter(username="x-agent").exists()


def test_the_last_owner_cannot_be_demoted_or_removed(owner_client, store):
    boss = Membership.objects.get(user__username="boss")
    owner_client.post(f"/team/{boss.pk}/role/", {"role": "agent"})
    boss.refresh_from_db()
    assert boss.role == "owner"
    second = make_member(store, role="owner").membership
    owner_client.post(f"/team/{second.pk}/role/", {"role": "agent"})
    second.refresh_from_db()
    assert second.role == "agent"


def test_removing_a_member_deactivates_their_account(owner_client, store, client):
    agent = make_member(store, role="agent", username="leaving")
    r = owner_client.post(f"/team/{agent.membership.pk}/remove/")
    assert r.status_code == 302
    agent.refresh_from_db()
    assert not agent.is_active
    assert not Membership.objects.filter(user=agent).exists()


def test_owner_cannot_remove_themselves(owner_client):
    boss = Membership.objects.get(user__username="boss")
    owner_client.post(f"/team/{boss.pk}/remove/")
    assert Membership.objects.filter(pk=boss.pk).exists()


def test_agents_cannot_manage_the_team(client, store):
    agent = make_member(store, role="agent")
    client.force_login(agent)
    assert client.get("/team/").status_code == 403
    r = client.post("/team/", {"username": "sneaky", "password": "long-enough-1", "role": "owner"})
    assert r.status_code == 403
    assert not get_user_model().objects.filter(username="sneaky").exists()


def test_team_page_lists_only_this_stores_members(owner_client, store, other_store):
    make_member(store, username="ours")
    make_member(other_store, username="theirs")
    html = owner_client.get("/team/").content.decode()
    assert 'data-username="ours"' in html
    assert "theirs" not in html
