"""Issue 11: the seller API's error messages in Chinese for a caller that sends ``Accept-Language: zh-CN`` (our
own messages, DRF's field messages and its 401/403/404/405/429 texts), and for a token-authenticated caller
whose profile language is zh-hans and who sends no ``Accept-Language``. The field names (keys) stay as they are.
"""

import re

import pytest
from rest_framework.test import APIClient

from seller_desk.models import UserProfile
from tests.factories import make_inbound, make_member

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")


def _token_client(username: str, **headers) -> APIClient:
    client = APIClient(**headers)
    r = client.post("/api/v1/auth/token", {"username": username, "password": "pass-word-1"}, format="json")
    assert r.status_code == 200, r.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
    return client


def _errors(response, status: int) -> dict[str, list[str]]:
    assert response.status_code == status, response.content
    return response.json()["errors"]


@pytest.fixture
def owner(store):
    return make_member(store, role="owner", username="olga")


@pytest.fixture
def conversation(store):
    return make_inbound(store, text="Where is my order?").conversation


def _bad_requests(conversation) -> list[tuple[str, str, dict | None, str, str]]:
    """(method, url, body, field, a phrase of its Chinese message) — bad input on many endpoints."""
    return [
        (
            "post",
            "/api/v1/coupons",
            {"name_suffix": "-x", "denomination": "abc", "currency": "USD"},
            "denomination",
            "数字",
        ),
        (
            "post",
            "/api/v1/campaigns",
            {"name": "x", "scenario": "nope", "text": "hi"},
            "scenario",
            "不是合法选项",
        ),
        (
            "put",
            "/api/v1/autoreply",
            {"enabled": "maybe", "welcome_text": "hi", "keywords": []},
            "enabled",
            "布尔值",
        ),
        ("get", "/api/v1/conversations?limit=abc", None, "limit", "1 到 1000 之间的整数"),
        (
            "post",
            f"/api/v1/conversations/{conversation.pk}/snooze",
            {"until": "2020-01-01T00:00:00Z"},
            "until",
            "将来",
        ),
        (
            "post",
            f"/api/v1/conversations/{conversation.pk}/assign",
            {"assignee_id": 999999},
            "assignee_id",
            "本店",
        ),
        ("get", "/api/v1/metrics/response-rate?days=0", None, "days", "整数"),
        ("get", "/api/v1/scenarios?order_status=lost", None, "order_status", "未知的订单状态"),
    ]


def _send(client, method, url, body):
    return (
        getattr(client, method)(url, body, format="json")
        if body is not None
        else getattr(client, method)(url)
    )


def test_bad_input_on_many_endpoints_answers_in_chinese_under_the_fields_name(store, owner, conversation):
    client = _token_client("olga", HTTP_ACCEPT_LANGUAGE="zh-CN")
    english = _token_client("olga", HTTP_ACCEPT_LANGUAGE="en")
    for method, url, body, field, phrase in _bad_requests(conversation):
        errors = _errors(_send(client, method, url, body), 400)
        assert field in errors, (url, errors)
        assert phrase in errors[field][0], (url, errors)
        assert HAN.search(errors[field][0])
        in_english = _errors(_send(english, method, url, body), 400)
        assert set(in_english) == set(errors)  # the keys never change with the language
        assert not HAN.search(in_english[field][0]), (url, in_english)


def test_drf_default_messages_come_out_in_chinese(store, owner):
    make_member(store, role="agent", username="wang")
    anonymous = APIClient(HTTP_ACCEPT_LANGUAGE="zh-CN")
    agent = _token_client("wang", HTTP_ACCEPT_LANGUAGE="zh-CN")
    client = _token_client("olga", HTTP_ACCEPT_LANGUAGE="zh-CN")

    assert _errors(anonymous.get("/api/v1/conversations"), 401) == {"detail": ["身份认证信息未提供。"]}
    bad_token = APIClient(HTTP_ACCEPT_LANGUAGE="zh-CN", HTTP_AUTHORIZATION="Token nope")
    assert _errors(bad_token.get("/api/v1/conversations"), 401) == {"detail": ["令牌无效。"]}
    assert _errors(agent.post("/api/v1/coupons", {}, format="json"), 403) == {
        "detail": ["只有店主可以设置或编辑优惠券。"]
    }
    assert _errors(agent.put("/api/v1/autoreply", {}, format="json"), 403) == {
        "detail": ["只有店主可以修改自动回复。"]
    }
    assert _errors(client.get("/api/v1/conversations/999999"), 404) == {"detail": ["未找到。"]}
    assert _errors(client.delete("/api/v1/conversations"), 405) == {"detail": ["方法 “DELETE” 不被允许。"]}
    required = _errors(
        client.post("/api/v1/campaigns", {"name": "x", "scenario": "reminder"}, format="json"), 400
    )
    assert required["crowd"] == ["该字段是必填项。"]


@pytest.mark.throttled
def test_the_throttle_message_is_chinese(store, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    api = APIClient(HTTP_ACCEPT_LANGUAGE="zh-CN")
    statuses = []
    for i in range(31):  # the token endpoint allows 30 a minute per address; each username fails once
        r = api.post("/api/v1/auth/token", {"username": f"guess{i}", "password": "x"}, format="json")
        statuses.append(r.status_code)
    assert statuses == [400] * 30 + [429]
    (message,) = r.json()["errors"]["detail"]
    assert message.startswith("请求已被限流。")


def test_a_token_callers_profile_language_applies_when_no_accept_language_is_sent(store, owner, conversation):
    UserProfile.objects.update_or_create(user=owner, defaults={"language": "zh-hans"})
    plain = _token_client("olga")  # no Accept-Language, as curl or a script sends

    errors = _errors(plain.get("/api/v1/conversations?limit=abc"), 400)
    assert errors == {"limit": ["limit 必须是 1 到 1000 之间的整数。"]}
    snooze = plain.post(
        f"/api/v1/conversations/{conversation.pk}/snooze", {"until": "2020-01-01T00:00:00Z"}, format="json"
    )
    assert HAN.search(_errors(snooze, 400)["until"][0])
    assert snooze["Content-Language"] == "zh-hans"

    english = _token_client("olga", HTTP_ACCEPT_LANGUAGE="en")  # a caller that asks gets what it asks for
    assert _errors(english.get("/api/v1/conversations?limit=abc"), 400) == {
        "limit": ["limit is a whole number from 1 to 1000."]
    }
