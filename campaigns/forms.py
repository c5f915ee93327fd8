"""The campaign and customer-group forms: they parse input; the rules live in ``services``."""

from django import forms
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from coupons.selectors import coupon_state
from seller_desk.forms import ApplicationErrorFormMixin, DeskDateInput
from templates_i18n.languages import DEFAULT_LANGUAGE, LANGUAGE_NAMES, SUPPORTED_LANGUAGES

from .models import TRANSACTIONS_MAX, TRANSACTIONS_MIN, CrowdMethod, Scenario
from .services import TEXT_MAX_CHARS

DATE = DeskDateInput()
VARIANT_LANGUAGES = [lang for lang in SUPPORTED_LANGUAGES if lang != DEFAULT_LANGUAGE]


def variant_field_name(lang: str) -> str:
    return "variant_" + lang.lower().replace("-", "_")


# Service error keys -> form fields.
ERROR_FIELDS = {
    "crowd.method": "method",
    "crowd.orders_from": "orders_from",
    "crowd.orders_to": "orders_to",
    "crowd.transactions_min": "transactions_min",
    "crowd.transactions_max": "transactions_max",
    "crowd.group_ids": "group_ids",
    "crowd.countries_include": "countries_include",
    "crowd.countries_exclude": "countries_exclude",
    "coupon_id": "coupon",
    **{f"variants.{lang}": variant_field_name(lang) for lang in VARIANT_LANGUAGES},
}


def _textarea(rows: int, dir_: str = "auto", **attrs):
    return forms.Textarea(attrs={"rows": rows, "data-max": TEXT_MAX_CHARS, "dir": dir_, **attrs})


class CampaignForm(ApplicationErrorFormMixin, forms.Form):
    error_fields = ERROR_FIELDS

    name = forms.CharField(
        label=_("Campaign name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("Delay apology – orders since Jan 20"), "autocomplete": "off"}
        ),
    )
    scenario = forms.ChoiceField(
        label=_("Scenario"), choices=Scenario.choices, initial=Scenario.RETENTION, widget=forms.RadioSelect
    )
    method = forms.ChoiceField(
        label=_("Select buyers"),
        choices=CrowdMethod.choices,
        initial=CrowdMethod.CONDITIONS,
        widget=forms.RadioSelect,
    )
    orders_from = forms.DateField(label=_("Orders placed from"), required=False, widget=DATE)
    orders_to = forms.DateField(label=_("Orders placed until"), required=False, widget=DATE)
    unshipped_only = forms.BooleanField(label=_("Only orders not shipped yet"), required=False)
    transactions_min = forms.IntegerField(
        label=_("Transactions from"),
        required=False,
        initial=TRANSACTIONS_MIN,
        widget=forms.NumberInput(attrs={"min": TRANSACTIONS_MIN, "max": TRANSACTIONS_MAX}),
    )
    transactions_max = forms.IntegerField(
        label=_("to"),
        required=False,
        initial=TRANSACTIONS_MAX,
        widget=forms.NumberInput(attrs={"min": TRANSACTIONS_MIN, "max": TRANSACTIONS_MAX}),
    )
    group_ids = forms.MultipleChoiceField(
        label=_("Customer groups"), required=False, widget=forms.CheckboxSelectMultiple
    )
    countries_include = forms.CharField(
        label=_("Only these countries"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. RU, UA", "autocomplete": "off"}),
    )
    countries_exclude = forms.CharField(
        label=_("Leave out these countries"),
        required=False,
        help_text=_("Countries your overseas warehouses serve, for example."),
        widget=forms.TextInput(attrs={"placeholder": "e.g. ES, FR, PL", "autocomplete": "off"}),
    )
    text = forms.CharField(
        label=_("Message (English)"),
        required=False,
        strip=False,
        widget=_textarea(
            7, "ltr", placeholder="Dear customer: we sincerely apologize for the shipping delay…"
        ),
    )
    image = forms.FileField(
        label=_("Picture"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,image/jpeg,image/png"}),
    )
    coupon = forms.ChoiceField(label=_("Store coupon"), required=False)

    def __init__(self, *args, groups=(), coupons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group_ids"].choices = [(str(g.pk), f"{g.name} ({g.n_buyers})") for g in groups]
        choices = [("", gettext("No coupon"))]
        for coupon in coupons:
            state = coupon_state(coupon)
            label = f"{coupon.name} · " + gettext("%(currency)s %(amount)s off") % {
                "currency": coupon.currency,
                "amount": coupon.denomination,
            }
            if not state.attachable:
                label += f" ({state.label.lower()})"
            choices.append((str(coupon.pk), label))
        self.fields["coupon"].choices = choices
        for lang in VARIANT_LANGUAGES:
            self.fields[variant_field_name(lang)] = forms.CharField(
                label=LANGUAGE_NAMES[lang],
                required=False,
                strip=False,
                widget=_textarea(4, "rtl" if lang in ("ar", "he") else "ltr", lang=lang),
            )

    @property
    def variant_fields(self):
        return [(lang, self[variant_field_name(lang)]) for lang in VARIANT_LANGUAGES]

    def values(self) -> dict:
        """The service's ``values`` from the cleaned data."""
        data = self.cleaned_data
        if data["method"] == CrowdMethod.CONDITIONS:
            crowd = {
                "method": "conditions",
                "orders_from": data.get("orders_from"),
                "orders_to": data.get("orders_to"),
                "unshipped_only": data.get("unshipped_only", False),
                "transactions_min": data.get("transactions_min"),
                "transactions_max": data.get("transactions_max"),
            }
        else:
            crowd = {
                "method": "groups",
                "group_ids": data.get("group_ids") or [],
                "countries_include": data.get("countries_include", ""),
                "countries_exclude": data.get("countries_exclude", ""),
            }
        variants = {lang: data.get(variant_field_name(lang)) or "" for lang in VARIANT_LANGUAGES}
        return {
            "name": data.get("name", ""),
            "scenario": data["scenario"],
            "crowd": crowd,
            "text": data.get("text", ""),
            "variants": {k: v for k, v in variants.items() if v.strip()},
            "coupon_id": data.get("coupon") or None,
        }


class CustomerGroupForm(ApplicationErrorFormMixin, forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=200, required=False)
    buyer_ids = forms.CharField(
        label=_("Buyer ids"),
        required=False,
        help_text=_("The marketplace's buyer ids, separated by commas, spaces or new lines."),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": gettext_lazy("B1001, B1002, B1003")}),
    )
