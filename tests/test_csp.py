"""The Content-Security-Policy header and the inline handlers it allows by hash (seller_desk/csp.py)."""

import base64
import hashlib
import html
import re
from pathlib import Path

import pytest

from seller_desk.csp import INLINE_HANDLERS, source_hash

ROOT = Path(__file__).resolve().parent.parent
HANDLER = re.compile(r"""\son[a-z]+="([^"]*)\"""")


def _template_handlers() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in [*ROOT.glob("*/templates/**/*.html"), *ROOT.glob("templates/**/*.html")]:
        if ".venv" in path.parts:
            continue
        for value in HANDLER.findall(path.read_text()):
            found.setdefault(html.unescape(value), []).append(str(path.relative_to(ROOT)))
    return found


def test_every_inline_handler_in_a_template_is_allowed_by_its_hash_and_holds_no_template_value():
    handlers = _template_handlers()
    assert handlers, "the scan found no handler at all: the pattern is wrong"
    with_values = {h: where for h, where in handlers.items() if "{{" in h or "{%" in h}
    assert with_values == {}, "a template value changes the handler's hash: pass it in a data- attribute"
    missing = {h: where for h, where in handlers.items() if h not in INLINE_HANDLERS}
    assert missing == {}, "add these to seller_desk/csp.py INLINE_HANDLERS"


def test_source_hash_is_the_browsers_sha256_of_the_attribute_text():
    digest = base64.b64encode(hashlib.sha256(b"this.form.submit()").digest()).decode()
    assert source_hash("this.form.submit()") == f"'sha256-{digest}'"


@pytest.mark.django_db
def test_pages_and_api_answers_carry_the_policy(client):
    policy = client.get("/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"].startswith("'self' 'unsafe-hashes' ")
    assert "'unsafe-inline'" not in directives["script-src"]
    for handler in INLINE_HANDLERS:
        assert source_hash(handler) in directives["script-src"]
    assert "Content-Security-Policy" in client.get("/healthz")
