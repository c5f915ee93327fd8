"""Issue 11: the desk's interface language and formats, the user's time zone, the edges (403/404/500, landing),
the owner's password reset and the buyer simulator as a demo tool."""

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from seller_desk.models import AuditKind, UserProfile
from seller_desk.services import platform_admin_create
from tests.factories import make_buyer, make_inbound, make_member, make_order, make_store

pytestmark = pytest.mark.django_db

PLACED = datetime(2026, 11, 15, 23, 30, tzinfo=UTC)  # Nov 15 in UTC, Nov 16 07:30 in Beijing


@pytest.fixture
def thread(store):
    buyer = make_buyer(store, name="Ivan Petrov")
    order = make_order(store, buyer, placed_at=PLACED, amount="1234.50")
    message = make_inbound(store, order=order, text="Где мой заказ? Когда отправите?", sent_at=PLACED)
    return message.conversation


def _login(user, **headers) -> Client:
    client = Client(**headers)
    client.force_login(user)
    return client


@pytest.mark.parametrize("browser_language", ["ru", "ar", "ru-RU,ru;q=0.9", "ar-SA,ar;q=0.8,en;q=0.5"])
def test_a_russian_or_arabic_browser_gets_the_english_interface_with_english_formats(
    store, thread, browser_language
):
    """The nine buyer languages are content languages: the seller side stays English, formats included."""
    store.timezone = "UTC"
    store.save(update_fields=["timezone"])
    agent = make_member(store, role="agent")
    client = _login(agent, HTTP_ACCEPT_LANGUAGE=browser_language)

    response = client.get(reverse("inbox-thread", args=[thread.id]))

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert "<dt>Placed</dt><dd>Nov 15, 2026</dd>" in html
    assert "1,234.50" in html
    assert "Ноя" not in html and "نوفمبر" not in html and "1 234,50" not in html


def test_a_chinese_browser_gets_the_chinese_interface_with_chinese_formats(store, thread):
    store.timezone = "UTC"
    store.save(update_fields=["timezone"])
    agent = make_member(store, role="agent")
    client = _login(agent, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")

    html = client.get(reverse("inbox-thread", args=[thread.id])).content.decode()

    assert '<html lang="zh-hans">' in html
    assert "<dt>下单</dt><dd>2026年11月15日</dd>" in html
    assert ">收件箱</a>" in html
    assert "俄语 · " in html  # the gist beside the buyer's message
    assert "Где мой заказ?" in html  # buyer content is never translated


def test_the_language_choice_is_kept_on_the_profile_and_used_at_the_next_login(store):
    agent = make_member(store, role="agent", username="li", password="pass-word-1")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.post(reverse("login"), {"username": "li", "password": "pass-word-1"}).status_code == 302
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/team/"})
    assert UserProfile.objects.get(user=agent).language == "zh-hans"

    other_browser = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    other_browser.post(reverse("login"), {"username": "li", "password": "pass-word-1"})
    html = other_browser.get(reverse("inbox")).content.decode()

    assert '<html lang="zh-hans">' in html
    assert "退出登录" in html


def test_api_errors_follow_accept_language(store):
    make_member(store, role="agent", username="wang", password="pass-word-1")
    body = {"username": "wang", "password": "wrong-password"}

    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").post(reverse("api-auth-token"), body)
    russian = Client(HTTP_ACCEPT_LANGUAGE="ru").post(reverse("api-auth-token"), body)

    assert chinese.json() == {"errors": {"password": ["用户名未知或密码错误。"]}}
    assert russian.json() == {"errors": {"password": ["Unknown username or wrong password."]}}


def test_times_show_in_the_users_own_zone_and_name_it(store, thread):
    """The store is in Los Angeles; an agent in Beijing sees Beijing times, with the zone named."""
    store.timezone = "America/Los_Angeles"
    store.save(update_fields=["timezone"])
    agent = make_member(store, role="agent", username="bj-agent")
    UserProfile.objects.create(user=agent, language="en", timezone="Asia/Shanghai")
    client = _login(agent)

    html = client.get(reverse("inbox-thread", args=[thread.id])).content.decode()

    assert '<span class="visually-hidden">Times in </span>Asia/Shanghai</span>' in html
    assert "<dt>Placed</dt><dd>Nov 16, 2026</dd>" in html  # 07:30 on the 16th in Beijing
    assert ">Nov 16, 07:30</time>" in html


def test_without_a_zone_of_their_own_users_see_the_stores_zone(store, thread):
    store.timezone = "America/Los_Angeles"
    store.save(update_fields=["timezone"])
    owner = make_member(store, role="owner")
    client = _login(owner)

    inbox = client.get(reverse("inbox-thread", args=[thread.id])).content.decode()
    team = client.get(reverse("team")).content.decode()

    assert '<span class="visually-hidden">Times in </span>America/Los_Angeles</span>' in inbox
    assert ">Nov 15, 15:30</time>" in inbox
    assert "Last login (America/Los_Angeles)" in team


def test_the_account_page_saves_language_and_zone(store):
    agent = make_member(store, role="agent")
    client = _login(agent)

    bad = client.post(reverse("account"), {"language": "ru", "timezone": "Mars/Olympus"})
    good = client.post(reverse("account"), {"language": "zh-hans", "timezone": "Asia/Shanghai"})

    assert bad.status_code == 400
    assert "Choose one of the desk&#x27;s languages" in bad.content.decode()
    assert "&#x27;Mars/Olympus&#x27; is not a time zone" in bad.content.decode()
    assert good.status_code == 302
    profile = UserProfile.objects.get(user=agent)
    assert (profile.language, profile.timezone) == ("zh-hans", "Asia/Shanghai")
    assert (
        '<span class="visually-hidden">时间按 </span>Asia/Shanghai</span>'
        in client.get(reverse("account")).content.decode()
    )


def test_every_user_changes_their_own_password(store):
    agent = make_member(store, role="agent", username="zhao", password="pass-word-1")
    client = _login(agent)

    response = client.post(
        reverse("password-change"),
        {
            "old_password": "pass-word-1",
            "new_password1": "new-pass-word-2",
            "new_password2": "new-pass-word-2",
        },
    )

    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password("new-pass-word-2")


def test_the_owner_resets_a_members_password_and_it_is_audited(store):
    owner = make_member(store, role="owner")
    agent = make_member(store, role="agent", username="qian")
    client = _login(owner)

    short = client.post(reverse("team-member-password", args=[agent.membership.pk]), {"password": "short"})
    done = client.post(
        reverse("team-member-password", args=[agent.membership.pk]), {"password": "fresh-pass-9"}
    )

    assert short.status_code == 302 and done.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password("fresh-pass-9")
    event = store.audit_events.get(kind=AuditKind.MEMBER_PASSWORD_RESET)
    assert (event.actor, event.details) == (owner, {"username": "qian"})


def test_an_agent_cannot_reset_passwords_and_another_store_owner_gets_404(store):
    agent = make_member(store, role="agent")
    other = make_member(store, role="agent")
    foreign_owner = make_member(make_store(), role="owner")

    assert (
        _login(agent)
        .post(reverse("team-member-password", args=[other.membership.pk]), {"password": "x" * 9})
        .status_code
        == 403
    )
    foreign = _login(foreign_owner).post(
        reverse("team-member-password", args=[other.membership.pk]), {"password": "x" * 9}
    )
    assert foreign.status_code == 404


def test_each_role_lands_where_it_works(store):
    agent = make_member(store, role="agent", username="a1", password="pass-word-1")
    owner = make_member(store, role="owner", username="o1", password="pass-word-1")
    platform_admin_create(username="admin1", password="pass-word-1")
    get_user_model().objects.create_user(username="nobody", password="pass-word-1")

    def land(username):
        client = Client()
        response = client.post(
            reverse("login"), {"username": username, "password": "pass-word-1"}, follow=True
        )
        return response.redirect_chain[-1][0], response.status_code

    assert agent and owner
    assert land("a1") == (reverse("inbox"), 200)
    assert land("o1") == (reverse("inbox"), 200)
    assert land("admin1") == (reverse("banned-words"), 200)
    assert land("nobody") == (reverse("home"), 403)


@pytest.fixture
def debug_off(settings):
    settings.DEBUG = False
    return settings


def test_404_is_the_desks_page_with_debug_off(store, debug_off):
    agent = make_member(store, role="agent")
    response = _login(agent, HTTP_ACCEPT_LANGUAGE="zh-CN").get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and 'class="topbar"' in html
    assert "Technical 404" not in html and "Using the URLconf" not in html


def test_403_is_the_desks_page_with_debug_off(store, debug_off):
    agent = make_member(store, role="agent")
    response = _login(agent).get(reverse("team"))

    html = response.content.decode()
    assert response.status_code == 403
    assert "You can't open this page" in html
    assert "Only the store owner may do this." in html
    assert 'class="topbar"' in html


def test_500_is_the_desks_page_with_debug_off(store, debug_off, monkeypatch):
    from seller_desk import views

    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "audit_event_list", lambda **kwargs: broken(None))
    owner = make_member(store, role="owner")
    client = _login(owner)
    client.raise_request_exception = False

    response = client.get(reverse("audit-log"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html and "desk.css" in html
    assert "Traceback" not in html and "boom" not in html


def test_api_404_keeps_the_json_shape_in_chinese(store):
    agent = make_member(store, role="agent")
    response = _login(agent, HTTP_ACCEPT_LANGUAGE="zh-CN").get("/api/v1/no-such-route")
    assert response.status_code == 404
    assert response.json() == {"errors": {"detail": ["未找到。"]}}


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("desk/favicon.svg")


def test_the_simulator_answers_404_when_demo_mode_is_off(store, settings):
    settings.DEMO_MODE = False
    owner = make_member(store, role="owner")
    client = _login(owner)

    assert client.get(reverse("buyer-simulator")).status_code == 404
    assert "Buyer simulator" not in client.get(reverse("inbox")).content.decode()


def test_the_simulator_never_posts_into_a_store_that_is_not_a_demo_store(settings):
    settings.DEMO_MODE = True
    real = make_store(is_demo=False)
    owner = make_member(real, role="owner")
    client = _login(owner)

    page = client.get(reverse("buyer-simulator"))
    post = client.post(
        reverse("buyer-simulator"),
        {"name": "Test", "country": "RU", "locale": "ru_RU", "channel": "message", "text": "Привет"},
    )

    assert page.status_code == 404 and post.status_code == 404
    assert real.buyers.count() == 0


def test_the_simulator_works_for_a_demo_store_in_demo_mode(store, settings):
    settings.DEMO_MODE = True
    owner = make_member(store, role="owner")
    assert store.is_demo
    assert _login(owner).get(reverse("buyer-simulator")).status_code == 200


@pytest.mark.parametrize(
    ("seconds", "english", "chinese"),
    [
        (42, "42 s", "42 秒"),
        (17 * 60, "17 min", "17 分钟"),
        (24 * 3600 + 54 * 60, "24 h 54 min", "24 小时 54 分钟"),
        (3 * 86400 + 4 * 3600, "3 d 4 h", "3 天 4 小时"),
    ],
)
def test_durations_read_in_hours_and_minutes(seconds, english, chinese):
    from django.utils import translation

    from seller_desk.durations import duration_text

    with translation.override("en"):
        assert duration_text(seconds) == english
    with translation.override("zh-hans"):
        assert duration_text(seconds) == chinese


def test_plurals_are_real_plurals():
    from django.utils import translation

    from templates_i18n.guard import banned_words_message
    from templates_i18n.matcher import BannedWordHit

    one = [BannedWordHit(term="epidemic", found="epidemic", start=0, end=8, suggestion="")]
    with translation.override("en"):
        assert (
            banned_words_message(one)
            == "This text contains a banned word: “epidemic”. Replace it before sending."
        )


def test_the_gist_says_when_it_is_not_sure(store):
    buyer = make_buyer(store, name="Ivan Petrov")
    conversation = make_inbound(store, buyer=buyer, text="Здравствуйте").conversation
    agent = make_member(store, role="agent")
    UserProfile.objects.create(user=agent, language="zh-hans")

    html = _login(agent).get(reverse("inbox-thread", args=[conversation.id])).content.decode()

    assert "俄语 · 不确定问的是什么，请阅读原文" in html


def test_the_campaign_form_defaults_to_the_guides_crowd(store):
    from coupons.selectors import default_orders_since
    from seller_desk.selectors import store_local_date

    owner = make_member(store, role="owner")
    html = _login(owner).get(reverse("campaign-new")).content.decode()

    assert f'name="orders_from" value="{default_orders_since(store=store).isoformat()}"' in html
    assert f'name="orders_to" value="{store_local_date(store).isoformat()}"' in html
    assert 'name="unshipped_only" id="id_unshipped_only" checked' in html


@pytest.mark.parametrize("language, header", [("zh-hans", "zh-CN"), ("en", "ru")])
def test_date_inputs_carry_the_interface_language_and_write_the_picked_date_out(
    store, thread, language, header
):
    """The browser draws a native date picker in its own language (docs/i18n.md, "Date inputs"): every date
    input says the interface language, gives the fallback text format, and is followed by the date written
    out in the interface language."""
    from django.utils import formats, translation

    from coupons.services import coupon_defaults

    owner = make_member(store, role="owner")
    client = _login(owner, HTTP_ACCEPT_LANGUAGE=header)

    coupon_form = client.get(reverse("coupon-new")).content.decode()
    audit = client.get("/audit/", {"since": "2026-12-24"}).content.decode()
    campaign_form = client.get(reverse("campaign-new")).content.decode()
    thread_page = client.get(reverse("inbox-thread", args=[thread.id])).content.decode()

    for html in (coupon_form, audit, campaign_form):
        inputs = re.findall(r'<input type="date"[^>]*>', html)
        assert len(inputs) >= 2
        for tag in inputs:
            assert f'lang="{language}"' in tag and 'placeholder="YYYY-MM-DD"' in tag, tag
        assert html.count("data-date-echo") >= len(inputs)
    (picker,) = re.findall(r'<input type="datetime-local"[^>]*>', thread_page)
    assert f'lang="{language}"' in picker and 'placeholder="YYYY-MM-DD HH:MM"' in picker
    (echo,) = re.findall(
        r'name="activity_start"[^>]*>\s*<span class="date-echo[^>]*>([^<]*)</span>', coupon_form
    )
    with translation.override(language):
        assert echo == formats.date_format(coupon_defaults(store=store).activity_start, "DATE_FORMAT")
    assert ("年" in echo) == (language == "zh-hans")
