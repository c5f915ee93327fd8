"""Browser forms for the inbox reply box and the buyer simulator; the rules live in services."""

from django import forms

from seller_desk.errors import ApplicationError
from templates_i18n.languages import LANGUAGE_NAMES, SUPPORTED_LANGUAGES

from .models import Channel

BUYER_CHANNELS = [
    (Channel.CHAT.value, "Chat"),
    (Channel.MESSAGE.value, "Message"),
    (Channel.COMMENT.value, "Comment"),
]
LANGUAGE_CHOICES = [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES]
PICTURE_ACCEPT = ".jpg,.jpeg,.png,image/jpeg,image/png"


class ApplicationErrorFormMixin:
    """Show an ApplicationError from a service as field errors (unknown fields go to the top of the form)."""

    def add_application_error(self, error: ApplicationError) -> None:
        for field, messages in error.errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


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

    def __init__(self, *args, coupons=(), **kwargs):
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


class BuyerMessageForm(ApplicationErrorFormMixin, forms.Form):
    """What the simulated buyer types: a channel, optionally one of their orders, text and/or a photo."""

    channel = forms.ChoiceField(choices=BUYER_CHANNELS, initial=Channel.CHAT)
    order_id = forms.ChoiceField(required=False, label="Order")
    text = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"id": "buyer-text", "rows": 1, "dir": "auto", "placeholder": "Message the seller…"}
        ),
    )
    image = forms.FileField(
        required=False, widget=forms.FileInput(attrs={"accept": PICTURE_ACCEPT, "id": "buyer-image"})
    )

    def __init__(self, *args, orders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order_id"].choices = [("", "No order")] + [
            (o.external_id, f"#{o.external_id} · {o.get_status_display()}") for o in orders
        ]
        self.fields["order_id"].error_messages["invalid_choice"] = (
            "Pick one of this buyer's orders, or no order."
        )

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("image"):
            self.add_error("text", "Type a message or attach a photo.")
        return data


class NewBuyerForm(ApplicationErrorFormMixin, forms.Form):
    """Start a chat as a buyer the store has not heard from yet (the marketplace creates buyers on first message)."""

    name = forms.CharField(max_length=200)
    country = forms.RegexField(
        regex=r"^[A-Za-z]{2}$",
        max_length=2,
        error_messages={"invalid": "Use a two-letter ISO country code, e.g. RU, SA, KR, ES."},
    )
    locale = forms.ChoiceField(
        choices=[
            ("en_US", "en_US"),
            ("ar_SA", "ar_SA"),
            ("es_ES", "es_ES"),
            ("fr_FR", "fr_FR"),
            ("he_IL", "he_IL"),
            ("ko_KR", "ko_KR"),
            ("pl_PL", "pl_PL"),
            ("pt_BR", "pt_BR"),
            ("ru_RU", "ru_RU"),
        ]
    )
    channel = forms.ChoiceField(choices=BUYER_CHANNELS, initial=Channel.CHAT)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="First message")

    def clean_country(self):
        return self.cleaned_data["country"].upper()
