"""R8 pictures through the real endpoints: the seller's reply API and the marketplace's message ingress.

JPG/JPEG/PNG up to 5 MB, judged by content (a GIF or a text file renamed .jpg is refused), and a
refused picture stores nothing: no message, no file, the buyer still waiting.
"""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from conversations.models import Conversation, Message, ReplyWait
from seller_desk.models import Buyer
from tests.factories import make_api_token, make_inbound, make_member, picture_bytes

pytestmark = pytest.mark.django_db

LIMIT = 5 * 1024 * 1024


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def png_of_size(size: int) -> bytes:
    """A valid PNG of exactly ``size`` bytes: a private ancillary chunk (skipped by decoders) pads it."""
    data = picture_bytes("PNG")
    end = data.rindex(b"IEND") - 4
    padding = size - len(data) - 12
    assert padding >= 0
    kind, body = b"prVt", b"\0" * padding
    chunk = struct.pack(">I", padding) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return data[:end] + chunk + data[end:]


def gif_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(buf, format="GIF")
    return buf.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def agent_client(store):
    agent = make_member(store, role="agent")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(agent)}")
    return client


@pytest.fixture
def conversation(store):
    return make_inbound(store, text="Can you send a photo of the package before shipping?").conversation


def reply(client, conversation, image):
    return client.post(
        f"/api/v1/conversations/{conversation.pk}/replies",
        {"text": "Here is the photo of your package.", "image": image},
        format="multipart",
    )


def ingress_message(store, image, message_id: str = "pic-1"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    return client.post(
        "/api/v1/ingress/messages",
        {
            "message_id": message_id,
            "buyer.buyer_id": "b-77",
            "buyer.name": "Camille Martin",
            "buyer.country": "FR",
            "buyer.locale": "fr_FR",
            "channel": "message",
            "text": "Le colis est arrivé abîmé, voici la photo.",
            "sent_at": timezone.now().isoformat(),
            "image": image,
        },
        format="multipart",
    )


def assert_reply_refused(response, conversation, *, mentions: str):
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert list(errors) == ["image"]
    assert mentions in errors["image"][0]
    assert not Message.objects.filter(conversation=conversation, direction="outbound").exists()
    assert stored_files() == []
    assert ReplyWait.objects.get(conversation=conversation).closed_at is None
    assert Conversation.objects.get(pk=conversation.pk).status == "needs_reply"


@pytest.mark.parametrize(
    ("name", "fmt"), [("package.png", "PNG"), ("package.jpg", "JPEG"), ("package.jpeg", "JPEG")]
)
def test_R8_real_png_and_jpeg_replies_are_sent_and_stored(agent_client, conversation, name, fmt):
    r = reply(agent_client, conversation, upload(name, picture_bytes(fmt)))
    assert r.status_code == 201, r.content
    message = Message.objects.get(conversation=conversation, direction="outbound")
    assert r.json()["image_url"].endswith(message.image.url)
    assert [p.name for p in stored_files()] == [Path(message.image.name).name]
    with Image.open(message.image.path) as img:
        assert img.format == fmt


def test_R8_gif_renamed_jpg_is_refused_by_content(agent_client, conversation):
    r = reply(agent_client, conversation, upload("package.jpg", gif_bytes()))
    assert_reply_refused(r, conversation, mentions="GIF")
    assert "only JPG/JPEG and PNG" in r.json()["errors"]["image"][0]


def test_R8_text_file_renamed_jpg_is_refused_by_content(agent_client, conversation):
    r = reply(
        agent_client, conversation, upload("package.jpg", b"this is not a picture\n" * 50, "image/jpeg")
    )
    assert_reply_refused(r, conversation, mentions="not a readable JPG or PNG")


def test_R8_a_picture_of_exactly_5_mb_is_accepted(agent_client, conversation):
    content = png_of_size(LIMIT)
    assert len(content) == LIMIT
    r = reply(agent_client, conversation, upload("big.png", content, "image/png"))
    assert r.status_code == 201, r.content
    message = Message.objects.get(conversation=conversation, direction="outbound")
    assert message.image.size == LIMIT


def test_R8_a_picture_one_byte_over_5_mb_is_refused(agent_client, conversation):
    r = reply(agent_client, conversation, upload("big.png", png_of_size(LIMIT + 1), "image/png"))
    assert_reply_refused(r, conversation, mentions="at most 5 MB")
    assert f"{LIMIT + 1:,} bytes" in r.json()["errors"]["image"][0]


def test_R8_buyer_photo_through_ingress_is_stored(store):
    r = ingress_message(store, upload("damage.png", picture_bytes("PNG"), "image/png"))
    assert r.status_code == 201, r.content
    message = Message.objects.get(store=store, external_id="pic-1")
    assert message.image and message.buyer.external_id == "b-77"
    assert len(stored_files()) == 1


@pytest.mark.parametrize(
    ("content", "mentions"),
    [(gif_bytes(), "GIF"), (b"%PDF-1.4 not a picture", "not a readable JPG or PNG"), (None, "at most 5 MB")],
    ids=["gif-renamed", "text-renamed", "over-5-mb"],
)
def test_R8_refused_ingress_picture_stores_nothing(store, content, mentions):
    content = png_of_size(LIMIT + 1) if content is None else content
    r = ingress_message(store, upload("damage.jpg", content))
    assert r.status_code == 400, r.content
    assert list(r.json()["errors"]) == ["image"]
    assert mentions in r.json()["errors"]["image"][0]
    assert not Message.objects.filter(store=store).exists()
    assert not Conversation.objects.filter(store=store).exists()
    assert not Buyer.objects.filter(store=store).exists()
    assert stored_files() == []
