"""Issue 9, point 5: what the OpenAPI schema accepts is what validation accepts, and errors are documented."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import make_api_token, make_member, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return client.get("/api/schema/", HTTP_ACCEPT="application/json").json()


@pytest.fixture
def owner_api(store):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(make_member(store, role='owner'))}")
    return api


def test_message_image_url_is_optional_in_the_schema(schema):
    message = schema["components"]["schemas"]["Message"]
    assert "image_url" in message["properties"]
    assert "image_url" not in message["required"]


def test_crowd_is_an_object_and_null_is_refused(schema, owner_api):
    assert schema["components"]["schemas"]["CampaignInRequest"]["properties"]["crowd"]["type"] == "object"
    r = owner_api.post("/api/v1/campaigns", {"name": "x", "crowd": None, "text": "Hi"}, format="json")
    assert r.status_code == 400
    assert r.json()["errors"]["crowd"] == ["This field may not be null."]
    r = owner_api.post("/api/v1/campaigns", {"name": "x", "crowd": [1], "text": "Hi"}, format="json")
    assert r.json()["errors"]["crowd"] == ['Must be a JSON object, e.g. {"method": "groups", …}.']


def test_protection_days_range_is_in_the_schema_and_zero_is_refused(schema, owner_api, store):
    days = schema["components"]["schemas"]["ProtectionExtensionInRequest"]["properties"]["days"]
    assert (days["minimum"], days["maximum"]) == (1, settings.SELLER_DESK["PROTECTION_EXTENSION_MAX_DAYS"])
    order = make_order(store, status="in_transit")
    r = owner_api.post(
        f"/api/v1/orders/{order.external_id}/protection-extensions", {"days": 0}, format="json"
    )
    assert r.status_code == 400
    limit = settings.SELLER_DESK["PROTECTION_EXTENSION_MAX_DAYS"]
    assert r.json()["errors"]["days"] == [f"Extend by 1 to {limit} days at a time."]


def test_customer_group_buyer_ids_may_not_be_empty(schema, owner_api):
    ids = schema["components"]["schemas"]["CustomerGroupInRequest"]["properties"]["buyer_ids"]
    assert ids["minItems"] == 1
    r = owner_api.post("/api/v1/customer-groups", {"name": "VIP", "buyer_ids": []}, format="json")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["buyer_ids"]


def test_error_answers_are_documented_in_the_error_shape(schema):
    replies = schema["paths"]["/api/v1/conversations/{conversation_id}/replies"]["post"]["responses"]
    assert {"400", "401", "403", "404", "503"} <= set(replies)
    assert replies["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"
    }
    ingress = schema["paths"]["/api/v1/ingress/messages"]["post"]["responses"]
    assert {"400", "401", "413", "429"} <= set(ingress)
    token = schema["paths"]["/api/v1/auth/token"]
    assert "429" in token["post"]["responses"] and "401" not in token["post"]["responses"]
    assert "204" in token["delete"]["responses"]


def test_an_api_path_no_route_matches_answers_json_404(client):
    r = client.get("/api/v1/scenarios/not a slug")
    assert r.status_code == 404
    assert r.json() == {"errors": {"detail": ["Not found."]}}
    assert client.get("/no-such-page/").status_code == 404
