"""The coupon set-up form: it parses input; the rules live in ``services.coupon_settings_check``."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from seller_desk.forms import ApplicationErrorFormMixin, DeskDateInput

from .models import FIXED_NAME_PREFIX, Coupon
from .services import LOCKED_AFTER_GRANTS

DATE = DeskDateInput()
MONEY = {"max_digits": 10, "decimal_places": 2, "required": False}


class CouponForm(ApplicationErrorFormMixin, forms.Form):
    name_suffix = forms.CharField(
        label=_("Activity name"),
        required=False,
        max_length=200,
        strip=False,
        widget=forms.TextInput(attrs={"placeholder": "-Spring retention", "autocomplete": "off"}),
        help_text=format_lazy(
            _('"{prefix}" is fixed so the platform can track the coupon; add your own part after it.'),
            prefix=FIXED_NAME_PREFIX,
        ),
    )
    denomination = forms.DecimalField(
        label=_("Denomination"), widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01"}), **MONEY
    )
    threshold = forms.DecimalField(
        label=_("Threshold (minimum order)"),
        initial=0,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        help_text=_("0 means no threshold."),
        **MONEY,
    )
    currency = forms.CharField(label=_("Currency"), initial="USD", max_length=16, required=False)
    quantity = forms.IntegerField(
        label=_("Quantity"), required=False, widget=forms.NumberInput(attrs={"min": "1"})
    )
    activity_start = forms.DateField(label=_("Activity from"), required=False, widget=DATE)
    activity_end = forms.DateField(label=_("Activity until"), required=False, widget=DATE)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)

    def __init__(self, *args, coupon: Coupon | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.coupon = coupon
        if coupon is not None:
            for name in self.fields:
                self.fields[name].initial = getattr(coupon, name)
            if coupon.granted_count:
                for name in LOCKED_AFTER_GRANTS:
                    self.fields[name].disabled = True

    @property
    def locked(self) -> bool:
        return bool(self.coupon and self.coupon.granted_count)
