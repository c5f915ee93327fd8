"""Findings of the security and tenancy review, each pinned by a test (docs/security-review.md).

Uploaded pictures (buyer photos, agent replies, keyword and campaign pictures) are stored under their
upload name (``messages/2025/06/IMG_0001.jpg``), so a path is easy to guess. They are served only under
the signed URL the desk hands out (inbox, buyer simulator, API ``image_url``); any other path is a 404.
"""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.models import Message
from tests.factories import make_member, picture_bytes, picture_upload

pytestmark = pytest.mark.django_db


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def ingest_photo(store, *, name: str = "IMG_0001.png", buyer_id: str = "b-1", message_id: str = "m-photo"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    response = client.post(
        "/api/v1/ingress/messages",
        {
            "message_id": message_id,
            "buyer.buyer_id": buyer_id,
            "buyer.name": "Camille Martin",
            "buyer.country": "FR",
            "buyer.locale": "fr_FR",
            "channel": "message",
            "text": "Voici la photo du colis abîmé.",
            "sent_at": timezone.now().isoformat(),
            "image": picture_upload(name),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response


def test_a_buyer_photo_is_served_under_the_url_the_desk_hands_out(store):
    ingest_photo(store)
    message = Message.objects.get(store=store, external_id="m-photo")

    response = Client().get(message.image.url)

    assert response.status_code == 200
    assert body_of(response) == picture_bytes("PNG")
    assert response["Content-Type"] == "image/png"


def test_a_buyer_photo_is_not_served_by_guessing_its_path(store):
    ingest_photo(store)
    message = Message.objects.get(store=store, external_id="m-photo")
    guessed = urlsplit(message.image.url).path

    assert guessed.startswith("/media/messages/") and guessed.endswith("/IMG_0001.png")
    assert Client().get(guessed).status_code == 404
    assert Client().get(guessed + "?s=").status_code == 404
    assert Client().get(guessed + "?s=forged-signature").status_code == 404


def test_one_files_signature_does_not_open_another_file(store, other_store):
    ingest_photo(store, name="mine.png", message_id="m-a")
    ingest_photo(other_store, name="theirs.png", message_id="m-b")
    mine = Message.objects.get(store=store, external_id="m-a").image.url
    theirs = urlsplit(Message.objects.get(store=other_store, external_id="m-b").image.url).path

    assert Client().get(f"{theirs}?{urlsplit(mine).query}").status_code == 404


def test_ingress_and_seller_api_image_urls_open_the_picture(store):
    response = ingest_photo(store)
    conversation_id = response.json()["conversation_id"]
    owner = make_member(store, role="owner")
    seller = APIClient()
    seller.force_authenticate(owner)
    marketplace = APIClient()
    marketplace.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")

    seller_url = seller.get(f"/api/v1/conversations/{conversation_id}").json()["messages"][0]["image_url"]
    buyer_url = marketplace.get("/api/v1/ingress/buyers/b-1/messages").json()[0]["image_url"]

    assert seller_url == buyer_url
    assert seller_url.startswith("http://testserver/media/messages/")
    assert body_of(Client().get(seller_url)) == picture_bytes("PNG")


def test_inbox_and_buyer_simulator_show_the_picture_through_a_working_url(store):
    response = ingest_photo(store)
    conversation_id = response.json()["conversation_id"]
    url = Message.objects.get(store=store, external_id="m-photo").image.url
    agent = Client()
    agent.force_login(make_member(store, role="agent"))

    inbox = agent.get(f"/inbox/{conversation_id}/").content.decode()
    simulator = agent.get("/simulator/b-1/").content.decode()

    shown = url.replace("&", "&amp;")
    assert f'<img src="{shown}"' in inbox
    assert f'<img src="{shown}"' in simulator
    assert agent.get(url).status_code == 200


def test_picture_urls_handed_out_before_a_secret_key_rotation_keep_working(store, settings):
    ingest_photo(store)
    url = Message.objects.get(store=store, external_id="m-photo").image.url
    old_key = settings.SECRET_KEY

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "rotated-" + old_key, [old_key]
    assert Client().get(url).status_code == 200

    settings.SECRET_KEY_FALLBACKS = []
    assert Client().get(url).status_code == 404
