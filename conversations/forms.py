"""Browser forms for the inbox reply box; the rules live in services."""

import uuid

from django import forms

from seller_desk.forms import ApplicationErrorFormMixin
from templates_i18n.languages import LANGUAGE_NAMES, SUPPORTED_LANGUAGES

LANGUAGE_CHOICES = [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES]
PICTURE_ACCEPT = ".jpg,.jpeg,.png,image/jpeg,image/png"


class ReplyForm(ApplicationErrorFormMixin, forms.Form):
    text = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={
                "id": "reply-text",
                "rows": 4,
                "dir": "auto",
                "placeholder": "Write a reply…  (r to focus, Ctrl+Enter to send)",
            }
        ),
    )
    image = forms.FileField(
        required=False, widget=forms.FileInput(attrs={"accept": PICTURE_ACCEPT, "id": "reply-image"})
    )
    coupon_id = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Coupon")
    language = forms.ChoiceField(
        required=False, choices=LANGUAGE_CHOICES, widget=forms.HiddenInput(attrs={"id": "reply-language"})
    )
    # A new key with every fresh reply box: a double submit or a retried POST sends the reply once.
    idempotency_key = forms.CharField(
        required=False, max_length=100, widget=forms.HiddenInput(attrs={"id": "reply-idempotency-key"})
    )

    def __init__(self, *args, coupons=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.coupons = list(coupons)
        self.fields["coupon_id"].choices = [("", "No coupon")] + [
            (c.pk, coupon_label(c)) for c in self.coupons
        ]
        self.fields["coupon_id"].error_messages["invalid_choice"] = (
            "That coupon can't be attached now (ended or sold out); pick one from the list."
        )
        self.fields["coupon_id"].widget.attrs["id"] = "reply-coupon"


def coupon_label(coupon) -> str:
    threshold = f"orders over {coupon.threshold:,.2f}" if coupon.threshold else "no minimum"
    left = coupon.quantity - coupon.granted_count
    return f"{coupon.name} · {coupon.currency} {coupon.denomination:,.2f} off, {threshold} · {left} left"
