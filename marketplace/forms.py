"""Browser forms of the buyer simulator; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from conversations.forms import PICTURE_ACCEPT
from conversations.models import Channel
from seller_desk.forms import ApplicationErrorFormMixin

BUYER_CHANNELS = [
    (Channel.CHAT.value, "Chat"),
    (Channel.MESSAGE.value, "Message"),
    (Channel.COMMENT.value, "Comment"),
]


class BuyerMessageForm(ApplicationErrorFormMixin, forms.Form):
    """What the simulated buyer types: a channel, optionally one of their orders, text and/or a photo."""

    channel = forms.ChoiceField(choices=BUYER_CHANNELS, initial=Channel.CHAT)
    order_id = forms.ChoiceField(required=False, label=_("Order"))
    text = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={
                "id": "buyer-text",
                "rows": 1,
                "dir": "auto",
                "placeholder": gettext_lazy("Message the seller…"),
            }
        ),
    )
    image = forms.FileField(
        required=False, widget=forms.FileInput(attrs={"accept": PICTURE_ACCEPT, "id": "buyer-image"})
    )

    def __init__(self, *args, orders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order_id"].choices = [("", _("No order"))] + [
            (o.external_id, f"#{o.external_id} · {o.get_status_display()}") for o in orders
        ]
        self.fields["order_id"].error_messages["invalid_choice"] = _(
            "Pick one of this buyer's orders, or no order."
        )

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("image"):
            self.add_error("text", _("Type a message or attach a photo."))
        return data


class NewBuyerForm(ApplicationErrorFormMixin, forms.Form):
    """Start a chat as a buyer the store has not heard from yet (the marketplace creates buyers on first message)."""

    name = forms.CharField(max_length=200)
    country = forms.RegexField(
        regex=r"^[A-Za-z]{2}$",
        max_length=2,
        error_messages={"invalid": gettext_lazy("Use a two-letter ISO country code, e.g. RU, SA, KR, ES.")},
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
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("First message"))

    def clean_country(self):
        return self.cleaned_data["country"].upper()


class MarketplaceEndpointForm(ApplicationErrorFormMixin, forms.Form):
    """The owner's delivery settings: the endpoint URL and the shared signing secret (write-only)."""

    endpoint = forms.CharField(
        required=False,
        max_length=500,
        label=_("Marketplace endpoint"),
        widget=forms.URLInput(attrs={"placeholder": "https://marketplace.example/seller-desk/messages"}),
    )
    secret = forms.CharField(
        required=False,
        max_length=200,
        strip=True,
        label=_("Signing secret"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current secret."),
    )
    remove_secret = forms.BooleanField(required=False, label=_("Remove the secret (ingress unsigned)"))
