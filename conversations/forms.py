"""Browser forms for the inbox reply box; the rules live in services."""

import uuid

from django import forms
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

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
                "placeholder": gettext_lazy("Write a reply…  (r to focus, Ctrl+Enter to send)"),
            }
        ),
    )
    image = forms.FileField(
        required=False, widget=forms.FileInput(attrs={"accept": PICTURE_ACCEPT, "id": "reply-image"})
    )
    coupon_id = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("Coupon"))
    language = forms.ChoiceField(
        required=False, choices=LANGUAGE_CHOICES, widget=forms.HiddenInput(attrs={"id": "reply-language"})
    )
    # A new key with every fresh reply box: a double submit or a retried POST sends the reply once.
    idempotency_key = forms.CharField(
        required=False, max_length=100, widget=forms.HiddenInput(attrs={"id": "reply-idempotency-key"})
    )

    # The collision guard (issue 10): the newest message on the agent's screen, and "send anyway".
    last_seen_message_id = forms.IntegerField(
        required=False, widget=forms.HiddenInput(attrs={"id": "reply-last-seen"})
    )
    force = forms.BooleanField(required=False, widget=forms.HiddenInput(attrs={"id": "reply-force"}))

    def __init__(self, *args, coupons=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.coupons = list(coupons)
        self.fields["coupon_id"].choices = [("", _("No coupon"))] + [
            (c.pk, coupon_label(c)) for c in self.coupons
        ]
        self.fields["coupon_id"].error_messages["invalid_choice"] = gettext(
            "That coupon can't be attached now (ended or sold out); pick one from the list."
        )
        self.fields["coupon_id"].widget.attrs["id"] = "reply-coupon"


def coupon_label(coupon) -> str:
    threshold = (
        gettext("orders over %(threshold)s") % {"threshold": f"{coupon.threshold:,.2f}"}
        if coupon.threshold
        else gettext("no minimum")
    )
    left = coupon.quantity - coupon.granted_count
    off = gettext("%(currency)s %(amount)s off") % {
        "currency": coupon.currency,
        "amount": f"{coupon.denomination:,.2f}",
    }
    return f"{coupon.name} · {off}, {threshold} · " + gettext("%(left)s left") % {"left": left}


VIDEO_ACCEPT = ".mp4,.webm,video/mp4,video/webm"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe); the service checks each by content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class DisputeAnswerForm(ApplicationErrorFormMixin, forms.Form):
    """The seller's answer to a dispute: agree, propose (refund and/or return) or reject with evidence."""

    action = forms.ChoiceField(widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Message to the buyer"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto", "id": "dispute-text"}),
    )
    refund_amount = forms.DecimalField(
        label=_("Refund"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "id": "dispute-refund"}),
    )
    return_goods = forms.BooleanField(label=_("Buyer returns the goods"), required=False)
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": PICTURE_ACCEPT, "id": "dispute-photos"}),
    )
    video = forms.FileField(
        label=_("Video"),
        required=False,
        widget=forms.FileInput(attrs={"accept": VIDEO_ACCEPT, "id": "dispute-video"}),
    )
    excerpt_ids = forms.TypedMultipleChoiceField(
        label=_("Chat excerpts"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, actions=(), excerpts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = list(actions)
        self.fields["excerpt_ids"].choices = [(m.pk, m.text[:80] or "[picture]") for m in excerpts]
        self.fields["excerpt_ids"].error_messages["invalid_choice"] = _(
            "Pick excerpts from this buyer's messages."
        )


class ProtectionExtensionForm(ApplicationErrorFormMixin, forms.Form):
    days = forms.IntegerField(
        label=_("Days"), min_value=1, widget=forms.NumberInput(attrs={"id": "protection-days", "min": 1})
    )
    template_code = forms.CharField(required=False, max_length=80)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"id": "protection-reason", "placeholder": _("e.g. carrier delay")}),
    )
