"""Signed ingress: when a store has a marketplace secret, every ingress call carries an HMAC-SHA256 signature
over its timestamp and body beside the bearer token; stale timestamps and wrong signatures are refused."""

import json
import time

import pytest
from rest_framework.test import APIClient

from conversations.models import Message
from seller_desk.services import store_marketplace_endpoint_set
from seller_desk.signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers
from tests.factories import make_buyer

pytestmark = pytest.mark.django_db

SECRET = "s3cret-shared-with-the-marketplace"


def signed_post(
    store, path: str, payload: dict, *, secret: str = SECRET, now: float | None = None, headers=None
):
    """POST ``payload`` as the marketplace would: bearer token plus the signature headers over the exact body."""
    body = json.dumps(payload).encode()
    client = APIClient()
    sig = headers if headers is not None else signed_headers(secret=secret, body=body, now=now)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in sig.items()}
    return client.post(
        path,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {store.integration_token}",
        **extra,
    )


def _message(store, message_id="m-1"):
    buyer = make_buyer(store)
    return {
        "message_id": message_id,
        "buyer": {"buyer_id": buyer.external_id},
        "channel": "chat",
        "text": "Where is my parcel?",
        "sent_at": "2026-11-20T10:00:00Z",
    }


@pytest.fixture
def signing_store(store):
    store_marketplace_endpoint_set(store=store, endpoint="https://mp.example/hook", secret=SECRET)
    return store


def test_a_store_without_a_secret_takes_unsigned_ingress(store):
    r = signed_post(store, "/api/v1/ingress/messages", _message(store), headers={})
    assert r.status_code == 201, r.content


def test_a_signed_request_is_stored(signing_store):
    r = signed_post(signing_store, "/api/v1/ingress/messages", _message(signing_store))
    assert r.status_code == 201, r.content
    assert Message.objects.filter(store=signing_store, external_id="m-1").count() == 1


@pytest.mark.parametrize(
    "headers, error",
    [
        ({}, f"This store signs its ingress: send {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}."),
        (
            {TIMESTAMP_HEADER: "yesterday", SIGNATURE_HEADER: "sha256=00"},
            f"{TIMESTAMP_HEADER} must be the request time in whole Unix seconds.",
        ),
        (
            {TIMESTAMP_HEADER: "now", SIGNATURE_HEADER: "sha256=" + "0" * 64},
            f"{SIGNATURE_HEADER} does not match: HMAC-SHA256 of '<timestamp>.<body>' with the store's secret.",
        ),
    ],
    ids=["unsigned", "bad-timestamp", "wrong-signature"],
)
def test_unsigned_or_wrongly_signed_ingress_is_401_and_stores_nothing(signing_store, headers, error):
    if headers.get(TIMESTAMP_HEADER) == "now":  # a fresh timestamp, so only the signature is wrong
        headers = {**headers, TIMESTAMP_HEADER: str(int(time.time()))}
    r = signed_post(signing_store, "/api/v1/ingress/messages", _message(signing_store), headers=headers)
    assert r.status_code == 401
    assert r.json() == {"errors": {"detail": [error]}}
    assert not Message.objects.filter(store=signing_store).exists()


# Ten seconds past the limit: the header holds whole seconds (up to one lost) and the request takes its own time.
@pytest.mark.parametrize("skew", [-310, 310])
def test_a_timestamp_outside_five_minutes_is_refused(signing_store, skew):
    r = signed_post(
        signing_store, "/api/v1/ingress/messages", _message(signing_store), now=time.time() + skew
    )
    assert r.status_code == 401
    assert "more than 5 minutes away" in r.json()["errors"]["detail"][0]


def test_a_timestamp_within_five_minutes_is_accepted(signing_store):
    r = signed_post(signing_store, "/api/v1/ingress/messages", _message(signing_store), now=time.time() - 290)
    assert r.status_code == 201, r.content


def test_a_signature_made_with_another_secret_is_refused(signing_store):
    r = signed_post(signing_store, "/api/v1/ingress/messages", _message(signing_store), secret="x" * 32)
    assert r.status_code == 401


def test_a_signature_over_another_body_is_refused(signing_store):
    headers = signed_headers(secret=SECRET, body=json.dumps(_message(signing_store, "m-9")).encode())
    r = signed_post(
        signing_store, "/api/v1/ingress/messages", _message(signing_store, "m-1"), headers=headers
    )
    assert r.status_code == 401


def test_the_bearer_token_is_still_required(signing_store):
    body = json.dumps(_message(signing_store)).encode()
    extra = {
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed_headers(secret=SECRET, body=body).items()
    }
    r = APIClient().post("/api/v1/ingress/messages", body, content_type="application/json", **extra)
    assert r.status_code == 401


def test_a_signed_multipart_message_with_a_picture_is_stored(signing_store):
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
    from django.utils import timezone

    from tests.factories import picture_upload

    body = encode_multipart(
        BOUNDARY,
        {
            "message_id": "pic-signed",
            "buyer.buyer_id": "b-77",
            "channel": "message",
            "text": "Le colis est arrivé abîmé, voici la photo.",
            "sent_at": timezone.now().isoformat(),
            "image": picture_upload(),
        },
    )
    extra = {
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed_headers(secret=SECRET, body=body).items()
    }
    r = APIClient().post(
        "/api/v1/ingress/messages",
        body,
        content_type=MULTIPART_CONTENT,
        HTTP_AUTHORIZATION=f"Bearer {signing_store.integration_token}",
        **extra,
    )
    assert r.status_code == 201, r.content
    assert Message.objects.get(store=signing_store, external_id="pic-signed").image
