import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from seller_desk.models import Membership, Store, hash_token

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_store_prints_one_json_line_with_a_working_token():
    out = run(
        "create_store", "--name", "Aurora Shop", "--tier", "advanced", "--resume-shipping-date", "2026-12-01"
    )
    line = json.loads(out.strip())
    assert set(line) == {"store_id", "slug", "integration_token"}
    store = Store.objects.get(pk=line["store_id"])
    assert (store.slug, store.tier, store.timezone) == ("aurora-shop", "advanced", "America/Los_Angeles")
    assert str(store.resume_shipping_date) == "2026-12-01"
    assert store.integration_token_hash == hash_token(line["integration_token"])
    assert line["integration_token"] not in store.integration_token_hash


def test_create_store_refuses_a_bad_tier_and_time_zone():
    with pytest.raises(CommandError, match="tier"):
        run("create_store", "--name", "X", "--tier", "gold")
    with pytest.raises(CommandError, match="timezone"):
        run("create_store", "--name", "X", "--tier", "basic", "--timezone", "Mars/Olympus")
    assert not Store.objects.exists()


def test_add_member_creates_then_updates_the_role():
    slug = json.loads(run("create_store", "--name", "S", "--tier", "basic"))["slug"]
    run("add_member", "--store", slug, "--username", "ana", "--password", "long-enough", "--role", "agent")
    run("add_member", "--store", slug, "--username", "ana", "--password", "long-enough", "--role", "owner")
    membership = Membership.objects.get(user__username="ana")
    assert membership.role == "owner" and membership.store.slug == slug


def test_add_member_to_unknown_store_fails():
    with pytest.raises(CommandError, match="No store"):
        run(
            "add_member", "--store", "nope", "--username", "a", "--password", "long-enough", "--role", "agent"
        )


def test_create_platform_admin():
    run("create_platform_admin", "--username", "root", "--password", "long-enough")
    user = get_user_model().objects.get(username="root")
    assert user.is_staff and user.check_password("long-enough")
    assert not Membership.objects.filter(user=user).exists()
