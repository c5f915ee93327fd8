"""Lexical cues for the scenario suggester: short words and stems, in the nine languages, that say what a
buyer message is about (docs/suggestion.md, "Cues").

The embedding reads meaning but blurs the small words that decide between neighbouring scenarios
("still not *sent*" against "when will it *arrive*") and it is pulled towards the outbreak scenario by
any mention of the virus. A cue is a plain vocabulary item -- never a copy of an evaluation message -- and
only nudges the score; it cannot make a scenario appear that the meaning does not support.

Text and patterns go through the same folding (lower case, diacritics dropped, ``ł`` → ``l``, Arabic
hamza forms and Hebrew final letters kept as they are), so "expédié", "expedie" and "EXPEDIE" all match
"expedi". Latin and Cyrillic stems match at a word start; Arabic, Hebrew and Korean ones anywhere (their
prefixes and particles attach to the word).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# "I don't want the order any more": cancel, refuse or return, depending only on the order's stage.
_NOT_WANTED = ("dont want", "don't want", "do not want", "no longer want", "any more", "anymore")

# code -> cue stems. Written as vocabulary lists per language: en, es, fr, pt, pl, ru (Cyrillic and the
# usual Latin transliteration), then ar, he, ko.
INTENT_CUES: dict[str, tuple[str, ...]] = {  # fmt: skip
    "epidemic_situation": (
        "virus",
        "coronavirus",
        "covid",
        "corona",
        "outbreak",
        "pandemi",
        "epidemi",
        "wuhan",
        "quarantin",
        "safe",
        "dangerous",
        "infect",
        "seguro",
        "peligros",
        "contagi",
        "dangereu",
        "sans danger",
        "perigos",
        "bezpieczn",
        "zaraz",
        "опасн",
        "безопасн",
        "зараз",
        "آمنة",
        "آمن",
        "العدوى",
        "בטוח",
        "להידבק",
        "안전",
        "감염",
        "virus",
        "coronavirus",
        "brote",
        "cuarentena",
        "confinement",
        "quarentena",
        "wirus",
        "koronawirus",
        "kwarantann",
        "вирус",
        "коронавирус",
        "корона",
        "карантин",
        "эпидеми",
        "virus",
        "koronavirus",
        "فيروس",
        "كورونا",
        "الوباء",
        "الحجر",
        "וירוס",
        "נגיף",
        "קורונה",
        "מגפה",
        "바이러스",
        "코로나",
        "전염",
    ),
    "shipping_delay": (
        "not shipped",
        "not sent",
        "shipped yet",
        "sent yet",
        "not been sent",
        "hasnt been sent",
        "havent shipped",
        "haven't shipped",
        "still not",
        "not even been sent",
        "when will you send",
        "when will you ship",
        "ship it",
        "awaiting shipment",
        "processing time",
        "are you working",
        "are you open",
        "holiday",
        "no lo envia",
        "sin enviar",
        "no han enviado",
        "todavia no lo",
        "cuando lo envia",
        "enviaran",
        "envien",
        "mandan",
        "vacaciones",
        "fiestas",
        "pas expedi",
        "pas envoy",
        "pas encore expedi",
        "vous expedi",
        "expediez",
        "toujours pas",
        "vacances",
        "nao foi enviado",
        "nao enviaram",
        "nem enviaram",
        "ainda nao",
        "vao enviar",
        "enviar ou",
        "feriado",
        "nie wyslan",
        "nie zostalo wysl",
        "wyslecie",
        "wysylk",
        "czas realizacji",
        "swiat",
        "не отправ",
        "отправите",
        "отправлять",
        "до сих пор",
        "каникул",
        "праздник",
        "ne otprav",
        "do sih por",
        "لم يتم شحن",
        "ما شحن",
        "لم تشحن",
        "متى سترسل",
        "العطلة",
        "الإجازة",
        "الاجازة",
        "לא נשלח",
        "לא שלחתם",
        "מתי אתם שולחים",
        "עדיין לא",
        "חג",
        "발송",
        "아직",
        "연휴",
        "설날",
    ),
    "cancel_before_shipment": _NOT_WANTED
    + (
        "cancel",
        "cancelar",
        "cancelen",
        "cancela",
        "annul",
        "anulowa",
        "anuluj",
        "отмен",
        "otmen",
        "إلغاء",
        "الغاء",
        "ألغ",
        "الغ",
        "לבטל",
        "תבטל",
        "ביטול",
        "취소",
    ),
    "refuse_in_transit": (
        "refuse",
        "dont want it",
        "don't want it",
        "do not want it",
        "not want it any",
        "stop it",
        "changed my mind",
        "rechaz",
        "ya no lo quiero",
        "no lo quiero",
        "refus",
        "n'en veux plus",
        "ne le veux plus",
        "recusar",
        "nao quero mais",
        "odmow",
        "nie chce",
        "rezygn",
        "откаж",
        "откаж",
        "отказ",
        "передумал",
        "не хочу",
        "otkaz",
        "peredumal",
        "ne hochu",
        "ارفض",
        "رفض",
        "لا أريد",
        "لا اريد",
        "مش عايز",
        "ما عاد بدي",
        "לסרב",
        "לא רוצה",
        "거부",
        "안 받",
        "받고 싶지 않",
        "원하지 않",
    ),
    "russia_border": (
        "border",
        "frontera",
        "frontiere",
        "fronteira",
        "granic",
        "границ",
        "граница",
        "الحدود",
        "גבול",
        "국경",
    ),
    "extend_protection": (
        "protection",
        "guarantee",
        "extend",
        "proteccion",
        "garantia",
        "extender",
        "ampliar",
        "prolong",
        "garantie",
        "protecao",
        "estender",
        "prorrog",
        "ochron",
        "gwarancj",
        "przedluz",
        "защит",
        "гарант",
        "продл",
        "zashchit",
        "zashit",
        "prodl",
        "حماية",
        "الضمان",
        "تمديد",
        "تمدد",
        "تمددها",
        "הגנ",
        "להאריך",
        "הארכ",
        "ערבות",
        "보호",
        "연장",
        "보증",
    ),
    "return_after_receipt": _NOT_WANTED
    + (
        "return",
        "refund",
        "send it back",
        "send back",
        "not as described",
        "broken",
        "damaged",
        "torn",
        "devolver",
        "devolucion",
        "reembols",
        "roto",
        "retourn",
        "renvoy",
        "rembours",
        "non conforme",
        "cass",
        "devolver",
        "devolucao",
        "reembolso",
        "quebrad",
        "veio errado",
        "descricao",
        "zwrot",
        "zwroc",
        "odesl",
        "niezgodn",
        "uszkodz",
        "вернуть",
        "возврат",
        "не соответствует",
        "сломан",
        "vernut",
        "vozvrat",
        "إرجاع",
        "ارجاع",
        "ارجع",
        "أرجع",
        "استرداد",
        "مختلف عن الوصف",
        "مكسور",
        "להחזיר",
        "החזר",
        "לא תואם",
        "שבור",
        "반품",
        "환불",
        "설명이랑",
        "파손",
    ),
    "order_eta": (
        "where is",
        "wheres",
        "where's",
        "when will",
        "when is my",
        "arrive",
        "get here",
        "tracking",
        "lost",
        "donde",
        "cuando llega",
        "cuando me llega",
        "seguimiento",
        "rastreo",
        "llega",
        "ou est",
        "ou en est",
        "quand",
        "suivi",
        "recevoir mon",
        "cade",
        "onde",
        "quando",
        "rastreio",
        "chegar",
        "gdzie",
        "kiedy",
        "sledzen",
        "dotrze",
        "przyjdzie",
        "где",
        "когда",
        "трек",
        "отслеж",
        "придет",
        "дойдет",
        "gde",
        "kogda",
        "trek",
        "وين",
        "أين",
        "اين",
        "فين",
        "متى",
        "التتبع",
        "تتبع",
        "איפה",
        "מתי",
        "מעקב",
        "מה עם",
        "어디",
        "언제",
        "배송조회",
        "배송 조회",
        "추적",
        "도착",
    ),
}

# Words naming a market, so that a scenario meant for that market may be suggested to a buyer from
# elsewhere when the message names it ("my parcel goes to Moscow").
MARKET_CUES: dict[str, tuple[str, ...]] = {
    "RU": (
        "russia", "russian", "rusia", "russie", "russe", "russo", "rosja", "rosji", "rosyj", "росси",
        "рф", "москв", "rossi", "moscow", "moskv", "روسيا", "רוסיה", "러시아",
    ),
}  # fmt: skip

_SCRIPTS_WITHOUT_WORD_START = re.compile(r"[\u0590-\u06ff\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_FOLD_EXTRA = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "’": "'", "ё": "е", "й": "и"})


def fold(text: str) -> str:
    """Lower case without diacritics (é → e, ł → l, й → и), Hangul kept composed, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(unicodedata.normalize("NFC", stripped).translate(_FOLD_EXTRA).split())


def _pattern(stems: tuple[str, ...]) -> re.Pattern:
    parts = []
    for stem in dict.fromkeys(fold(s) for s in stems):
        escaped = re.escape(stem)
        parts.append(escaped if _SCRIPTS_WITHOUT_WORD_START.search(stem) else rf"(?<!\w){escaped}")
    return re.compile("|".join(sorted(parts, key=len, reverse=True)))


@lru_cache(maxsize=1)
def _intent_patterns() -> dict[str, re.Pattern]:
    return {code: _pattern(stems) for code, stems in INTENT_CUES.items()}


@lru_cache(maxsize=1)
def _market_patterns() -> dict[str, re.Pattern]:
    return {market: _pattern(stems) for market, stems in MARKET_CUES.items()}


def intent_cues(text: str) -> dict[str, list[str]]:
    """Scenario code -> the cue words found in ``text`` (folded), for the scenarios with at least one."""
    folded = fold(text)
    found = {}
    for code, pattern in _intent_patterns().items():
        hits = list(dict.fromkeys(m.group(0) for m in pattern.finditer(folded)))
        if hits:
            found[code] = hits
    return found


def named_markets(text: str) -> set[str]:
    """The markets (ISO country codes) that ``text`` names: {"RU"} for "will it reach Russia?"."""
    folded = fold(text)
    return {market for market, pattern in _market_patterns().items() if pattern.search(folded)}
