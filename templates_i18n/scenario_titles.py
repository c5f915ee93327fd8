"""The official scenarios' titles as interface strings, so the desk shows them in the agent's language
(the ``ui_text`` filter and the message gist look them up in the catalogue). The buyer-facing texts of
the scenarios stay in the buyer's language and are never translated here."""

from django.utils.translation import gettext_noop

OFFICIAL_TITLES = {
    "epidemic_situation": gettext_noop("Outbreak situation in China, countermeasures, all related questions"),
    "shipping_delay": gettext_noop(
        "Shipping delayed by the extended holiday (cancellation, logistics, disputes)"
    ),
    "cancel_before_shipment": gettext_noop(
        "Not shipped yet: buyer wants to cancel, worried about package safety"
    ),
    "refuse_in_transit": gettext_noop("In transit: buyer does not want the package any more"),
    "russia_border": gettext_noop("Russian buyers: border closed, worried about receiving the order"),
    "extend_protection": gettext_noop("Slow delivery: extending the buyer-protection period"),
    "return_after_receipt": gettext_noop("Received: buyer wants to return the goods"),
    "order_eta": gettext_noop("What will be with my order? (estimated delay in days)"),
}
# Short topics for the gist beside a buyer message ("俄语 · 询问发货延迟").
OFFICIAL_TOPICS = {
    "epidemic_situation": gettext_noop("asks about the outbreak situation"),
    "shipping_delay": gettext_noop("asks about the shipping delay"),
    "cancel_before_shipment": gettext_noop("wants to cancel before shipment"),
    "refuse_in_transit": gettext_noop("refuses the package in transit"),
    "russia_border": gettext_noop("worried about the closed border"),
    "extend_protection": gettext_noop("asks to extend buyer protection"),
    "return_after_receipt": gettext_noop("wants to return the goods"),
    "order_eta": gettext_noop("asks when the order will arrive"),
}
