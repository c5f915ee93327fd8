"""Signed picture URLs (docs/security-review.md) in a real browser: the buyer's photo loads in the inbox and
in the buyer simulator, and its bare path does not.

Django's live server answers MEDIA_URL itself, before the URL conf; ``app_serves_media`` turns that off so these
requests reach the desk's own ``media`` route, as they do under gunicorn.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from marketplace.services import message_ingest
from tests.factories import make_member, make_store, picture_bytes

pytestmark = [pytest.mark.browser]


@pytest.fixture
def desk(transactional_db):
    store = make_store(name="Aurora Home Goods", tier="advanced")
    make_member(store, username="anna", role="agent")
    return store


@pytest.fixture
def app_serves_media(monkeypatch):
    monkeypatch.setattr("django.test.testcases._MediaFilesHandler._should_handle", lambda self, path: False)


def loaded_width(page, selector: str) -> int:
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i && i.complete; }", arg=selector
    )
    return page.eval_on_selector(selector, "img => img.naturalWidth")


def test_a_buyer_photo_loads_in_the_inbox_and_the_simulator_but_not_by_its_bare_path(
    desk, app_serves_media, browser_page, browser_login
):
    result = message_ingest(
        store=desk,
        message_id="m-photo",
        buyer={"buyer_id": "b-1", "name": "Camille Martin", "country": "FR", "locale": "fr_FR"},
        channel="message",
        text="Voici la photo du colis abîmé.",
        sent_at=timezone.now(),
        image=SimpleUploadedFile("IMG_0001.png", picture_bytes("PNG", size=(24, 16)), "image/png"),
    )

    page = browser_login(browser_page, "anna", next_url=f"/inbox/{result.conversation.pk}/")
    assert loaded_width(page, ".msg-pic img") == 24

    page.goto("/simulator/b-1/")
    assert loaded_width(page, ".msg-pic img") == 24

    bare = result.message.image.url.split("?")[0]
    assert page.goto(bare).status == 404
