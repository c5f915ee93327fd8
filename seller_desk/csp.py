"""The Content-Security-Policy every page is served with (django-csp, ``CONTENT_SECURITY_POLICY``).

Scripts come only from the desk's own static files. The few inline event handlers left in templates
(``onchange="this.form.requestSubmit()"``, confirmations) are allowed one by one by their SHA-256
(``'unsafe-hashes'``): a handler that isn't listed here, or one whose text a template variable changes,
is blocked by the browser. ``tests/test_csp.py`` fails when a template holds a handler missing here.
Styles allow inline ``style=""`` attributes: bars and meters carry their computed widths there.
"""

import base64
import hashlib

INLINE_HANDLERS = (
    "this.form.requestSubmit()",
    "this.form.submit()",
    "return confirm(this.dataset.confirm)",
    "var q=document.getElementById('id_quantity'); q.value=this.dataset.quantity; "
    "q.dispatchEvent(new Event('input', {bubbles: true}));",
)


def source_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def policy() -> dict:
    from csp.constants import NONE, SELF, UNSAFE_INLINE

    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF, "'unsafe-hashes'", *(source_hash(h) for h in INLINE_HANDLERS)],
            "style-src": [SELF, UNSAFE_INLINE],
            "img-src": [SELF, "data:", "blob:"],
            "font-src": [SELF, "data:"],
            "connect-src": [SELF],
            "object-src": [NONE],
            "base-uri": [SELF],
            "form-action": [SELF],
            "frame-ancestors": [NONE],
        }
    }
