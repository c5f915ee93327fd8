"""The date finder (issue 13, point 2): dates, periods and relative or seasonal time words in outbound text,
in the nine languages, each with its span and whether it already lies in the past.

    find_dates("from 19 January to 18 February PT", today=date(2026, 12, 2))
    -> [DateMention(kind="period", status="past", found="19 January to 18 February", start=5, end=30, …)]

* **dates**: "19 января", "18 de febrero", "1 월 19 일", "19th January", "Jan 20th", "20 stycznia 2026",
  "2026-01-19", "19.01.2026", "ה -19 בינואר", "19 يناير". A date without a year is taken in today's year
  (a script written for one season: "19 January" read in December is last January).
* **periods**: two dates joined by a range word ("to", "until", "hasta", "au", "até", "do", "до", "إلى",
  "ועד", "부터 … 까지", "–"); a period is past when its last day is.
* **relative** words ("yesterday", "last week", "recently", "недавно", "tomorrow", "next week" …) and
  **seasonal** names ("Chinese New Year", "Spring Festival", "Новый год", "구정" …): not datable, so never
  ``past``, but shown so the agent checks they still hold.

``past_mentions`` are the ones a text must not go out with unconfirmed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

PAST, FUTURE, CURRENT, RELATIVE, SEASONAL = "past", "future", "current", "relative", "seasonal"

# Month names per language, every inflected form a date uses, by month number.
_MONTHS: dict[str, list[tuple[str, ...]]] = {
    "en": [
        ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
        ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
        ("october", "oct"), ("november", "nov"), ("december", "dec"),
    ],
    "es": [
        ("enero",), ("febrero",), ("marzo",), ("abril",), ("mayo",), ("junio",), ("julio",), ("agosto",),
        ("septiembre", "setiembre"), ("octubre",), ("noviembre",), ("diciembre",),
    ],
    "fr": [
        ("janvier",), ("février", "fevrier"), ("mars",), ("avril",), ("mai",), ("juin",), ("juillet",),
        ("août", "aout"), ("septembre",), ("octobre",), ("novembre",), ("décembre", "decembre"),
    ],
    "pt-BR": [
        ("janeiro",), ("fevereiro",), ("março", "marco"), ("abril",), ("maio",), ("junho",), ("julho",),
        ("agosto",), ("setembro",), ("outubro",), ("novembro",), ("dezembro",),
    ],
    "pl": [
        ("stycznia", "styczeń", "styczen"), ("lutego", "luty"), ("marca", "marzec"), ("kwietnia", "kwiecień"),
        ("maja", "maj"), ("czerwca", "czerwiec"), ("lipca", "lipiec"), ("sierpnia", "sierpień"),
        ("września", "wrzesnia", "wrzesień"), ("października", "pazdziernika", "październik"),
        ("listopada", "listopad"), ("grudnia", "grudzień"),
    ],
    "ru": [
        ("января", "январь", "янв"), ("февраля", "февраль", "фев"), ("марта", "март"), ("апреля", "апрель"),
        ("мая", "май"), ("июня", "июнь"), ("июля", "июль"), ("августа", "август"),
        ("сентября", "сентябрь"), ("октября", "октябрь"), ("ноября", "ноябрь"), ("декабря", "декабрь"),
    ],
    "ar": [
        ("يناير", "كانون الثاني"), ("فبراير", "شباط"), ("مارس", "آذار"), ("أبريل", "ابريل", "نيسان"),
        ("مايو", "أيار"), ("يونيو", "حزيران"), ("يوليو", "تموز"), ("أغسطس", "اغسطس", "آب"),
        ("سبتمبر", "أيلول"), ("أكتوبر", "اكتوبر", "تشرين الأول"), ("نوفمبر", "تشرين الثاني"),
        ("ديسمبر", "كانون الأول"),
    ],
    "he": [
        ("ינואר",), ("פברואר",), ("מרץ", "מרס"), ("אפריל",), ("מאי",), ("יוני",), ("יולי",), ("אוגוסט",),
        ("ספטמבר",), ("אוקטובר",), ("נובמבר",), ("דצמבר",),
    ],
}  # fmt: skip

_MONTH_OF: dict[str, int] = {}
for _forms in _MONTHS.values():
    for _number, _names in enumerate(_forms, start=1):
        for _name in _names:
            _MONTH_OF[_name] = _number

_MONTH_ALT = "|".join(sorted((re.escape(n) for n in _MONTH_OF), key=len, reverse=True))
# Hebrew months take the prefix ב ("in"); Latin/Cyrillic names must not run on into another word.
_MONTH = rf"(?:ב)?(?P<{{g}}>{_MONTH_ALT})(?![^\W\d_])\.?"
_DAY = r"(?P<{g}>[0-3]?\d)(?!\d)(?:st|nd|rd|th|er|º|ª|-?го|-?е)?"
_YEAR = r"(?P<{g}>(?:19|20)\d\d)"


def _named(template: str, name: str) -> str:
    return template.replace("{{g}}", name).replace("{g}", name)


_DAY_MONTH = (
    _named(_DAY, "d1")
    + r"\s*(?:de\s+|of\s+|ב)?"
    + _named(_MONTH, "m1")
    + r"(?:,?\s*(?:de\s+)?"
    + _named(_YEAR, "y1")
    + r")?"
)
_MONTH_DAY = _named(_MONTH, "m2") + r"\s+" + _named(_DAY, "d2") + r"(?:,?\s+" + _named(_YEAR, "y2") + r")?"
_KOREAN = r"(?:" + _named(_YEAR, "y3") + r"\s*년\s*)?(?P<m3>1[0-2]|0?[1-9])\s*월\s*(?P<d3>[0-3]?\d)\s*일"
_ISO = r"(?P<y4>(?:19|20)\d\d)-(?P<m4>[01]\d)-(?P<d4>[0-3]\d)"
_NUMERIC = r"(?P<d5>[0-3]?\d)[./](?P<m5>[01]?\d)[./](?P<y5>(?:19|20)\d\d)"
_DATE_RE = re.compile(
    rf"(?<![\w]){_ISO}|(?<![\w.]){_NUMERIC}|{_KOREAN}|(?<![\w]){_MONTH_DAY}|(?<![\d]){_DAY_MONTH}",
    re.IGNORECASE,
)

# What may stand between the two dates of a period (after the first date, before the second).
_RANGE_JOIN = re.compile(
    r"^[\s,(]*(?:PT|P\.T\.|\(?태평양 표준시\)?|\(?czasu pacyficznego\)?|بتوقيت منطقة المحيط الهادئ)?[\s,)]*"
    r"(?:to|until|till|through|thru|-|–|—|hasta(?:\s+el)?|al|au|jusqu'?au|até(?:\s+o\s+dia)?|ate|a|do|по|до|"
    r"إلى(?:\s+يوم)?|ועד(?:\s+ה-?)?|עד|부터|~)[\s\-–]*(?:ה\s*-?\s*)?$",
    re.IGNORECASE,
)
_RANGE_GAP = 60

_RELATIVE_WORDS = {
    PAST: (
        "yesterday", "last week", "last month", "last year", "recently", "ayer", "la semana pasada",
        "el mes pasado", "recientemente", "hier", "la semaine dernière", "le mois dernier", "récemment",
        "ontem", "semana passada", "mês passado", "recentemente", "wczoraj", "w zeszłym tygodniu",
        "w zeszłym miesiącu", "niedawno", "ostatnio", "вчера", "на прошлой неделе", "в прошлом месяце",
        "недавно", "أمس", "الأسبوع الماضي", "الشهر الماضي", "مؤخرا", "אתמול", "בשבוע שעבר", "בחודש שעבר",
        "לאחרונה", "어제", "지난주", "지난달", "최근",
    ),
    FUTURE: (
        "tomorrow", "next week", "next month", "mañana", "la próxima semana", "el próximo mes", "demain",
        "la semaine prochaine", "le mois prochain", "amanhã", "próxima semana", "próximo mês", "jutro",
        "w przyszłym tygodniu", "w przyszłym miesiącu", "завтра", "на следующей неделе",
        "в следующем месяце", "غدا", "الأسبوع القادم", "الشهر القادم", "מחר", "בשבוע הבא", "בחודש הבא",
        "내일", "다음 주", "다음 달",
    ),
}  # fmt: skip
_SEASONAL_WORDS = (
    "chinese new year", "spring festival", "holiday in china", "lunar new year", "fiesta de primavera", "año nuevo chino",
    "nouvel an chinois", "fête du printemps", "festival da primavera", "ano novo chinês", "święta wiosny",
    "chiński nowy rok", "китайского новогода", "китайского нового года", "китайский новый год",
    "новогодних каникул", "مهرجان الربيع", "رأس السنة الصينية", "פסטיבל האביב", "השנה הסינית", "구정",
    "설 연휴", "춘절",
)  # fmt: skip


_ATTACHING = re.compile(r"[\u0590-\u06ff\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


def _words_re(words) -> re.Pattern:
    """Whole words for Latin and Cyrillic; Arabic, Hebrew and Korean ones may carry prefixes and particles."""
    parts = []
    for word in sorted(words, key=len, reverse=True):
        escaped = re.escape(word)
        parts.append(escaped if _ATTACHING.search(word) else rf"(?<![^\W\d_]){escaped}(?![^\W\d_])")
    return re.compile("|".join(parts), re.IGNORECASE)


_RELATIVE_RE = {status: _words_re(words) for status, words in _RELATIVE_WORDS.items()}
_SEASONAL_RE = _words_re(_SEASONAL_WORDS)


@dataclass(frozen=True)
class DateMention:
    """One date, period, relative or seasonal word in a text: ``text[start:end] == found``."""

    kind: str  # "date", "period", "relative", "seasonal"
    status: str  # "past", "future", "current" (a period under way), "relative", "seasonal"
    found: str
    start: int
    end: int
    first_day: date | None = None
    last_day: date | None = None
    year_given: bool = False

    @property
    def past(self) -> bool:
        return self.status == PAST

    def message(self) -> str:
        from django.utils.formats import date_format
        from django.utils.translation import gettext

        if self.kind == "period" and self.status == PAST:
            return gettext("“%(found)s” is a period that ended on %(day)s.") % {
                "found": self.found,
                "day": date_format(self.last_day, "DATE_FORMAT"),
            }
        if self.status == PAST:
            return gettext("“%(found)s” is in the past (%(day)s).") % {
                "found": self.found,
                "day": date_format(self.first_day, "DATE_FORMAT"),
            }
        if self.status == SEASONAL:
            return gettext("“%(found)s” names a season: check it is the current one.") % {"found": self.found}
        if self.status == RELATIVE or self.kind == "relative":
            return gettext("“%(found)s” is relative to when the text was written: check it still holds.") % {
                "found": self.found
            }
        return gettext("“%(found)s” is ahead (%(day)s).") % {
            "found": self.found,
            "day": date_format(self.first_day, "DATE_FORMAT"),
        }

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "status": self.status,
            "found": self.found,
            "start": self.start,
            "end": self.end,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
        }


def _group(match: re.Match, *names: str) -> str | None:
    for name in names:
        value = match.group(name)
        if value:
            return value
    return None


def _as_date(match: re.Match, today: date) -> tuple[date, bool] | None:
    day = _group(match, "d1", "d2", "d3", "d4", "d5")
    month = _group(match, "m1", "m2", "m3", "m4", "m5")
    year = _group(match, "y1", "y2", "y3", "y4", "y5")
    if not day or not month:
        return None
    number = int(month) if month.isdigit() else _MONTH_OF.get(month.lower())
    if number is None:
        return None
    try:
        return date(int(year) if year else today.year, number, int(day)), bool(year)
    except ValueError:
        return None


def _status(first: date, last: date, today: date) -> str:
    if last < today:
        return PAST
    if first > today:
        return FUTURE
    return CURRENT


def find_dates(text: str, *, today: date) -> list[DateMention]:
    """Every date, period, relative and seasonal mention in ``text``, in text order (offsets in code points)."""
    text = text or ""
    dates: list[tuple[int, int, date, bool]] = []
    for match in _DATE_RE.finditer(text):
        parsed = _as_date(match, today)
        if parsed is not None:
            end = match.end()
            month = _group(match, "m1", "m2") or ""
            if text[end - 1] == "." and match.group(0).rstrip(".").endswith(month) and len(month) > 4:
                end -= 1  # the sentence's full stop after "19th January", not an abbreviation's
            dates.append((match.start(), end, parsed[0], parsed[1]))
    mentions: list[DateMention] = []
    i = 0
    while i < len(dates):
        start, end, first, given = dates[i]
        if i + 1 < len(dates):
            next_start, next_end, second, second_given = dates[i + 1]
            between = text[end:next_start]
            if second_given and not given:  # "du 19 janvier au 18 février 2027": the year is said once
                first = first.replace(
                    year=second.year if first <= second.replace(year=first.year) else second.year - 1
                )
            if len(between) <= _RANGE_GAP and _RANGE_JOIN.match(between) and second >= first:
                mentions.append(
                    DateMention(
                        "period",
                        _status(first, second, today),
                        text[start:next_end],
                        start,
                        next_end,
                        first,
                        second,
                        given or second_given,
                    )
                )
                i += 2
                continue
        mentions.append(
            DateMention(
                "date", _status(first, first, today), text[start:end], start, end, first, first, given
            )
        )
        i += 1
    for pattern in _RELATIVE_RE.values():
        for match in pattern.finditer(text):
            mentions.append(DateMention("relative", RELATIVE, match.group(0), match.start(), match.end()))
    for match in _SEASONAL_RE.finditer(text):
        mentions.append(DateMention("seasonal", SEASONAL, match.group(0), match.start(), match.end()))
    mentions.sort(key=lambda m: (m.start, -m.end))
    return mentions


def past_mentions(text: str, *, today: date) -> list[DateMention]:
    """The dates and periods of ``text`` that are already over: the text must not go out unconfirmed."""
    return [m for m in find_dates(text, today=today) if m.past]


def past_dates_message(mentions: list[DateMention]) -> str:
    shown = "; ".join(m.message() for m in mentions[:3])
    from django.utils.translation import gettext

    return gettext(
        "This text names a date that is over: %(shown)s Edit the text, or confirm the dates are meant."
    ) % {"shown": shown}


def stale_dates(text: str, *, store=None, today: date | None = None) -> list[DateMention]:
    """THE check every outbound path runs ("which dates in this text are over for store S today?").

    ``today`` defaults to the store's local date (the platform's local date for official texts, store None).
    Replies, campaigns, auto-reply texts and the admins' edits of official texts all call this one function.
    """
    if today is None:
        if store is not None:
            from seller_desk.selectors import store_local_date

            today = store_local_date(store)
        else:
            from django.utils import timezone

            today = timezone.localdate()
    return past_mentions(text or "", today=today)


def stale_dates_errors(texts: dict[str, str], *, store=None, confirm_hint: str = "") -> dict[str, str]:
    """``{field: message}`` for every text of ``texts`` (field -> text) naming a date that is over."""
    errors: dict[str, str] = {}
    for field, text in texts.items():
        past = stale_dates(text, store=store)
        if past:
            errors[field] = past_dates_message(past) + (f" {confirm_hint}" if confirm_hint else "")
    return errors


STALE_CONTEXT = 40


def stale_dates_listing(texts: dict[str, str], *, store=None) -> list[dict]:
    """For a confirm step: each past date of each text (label -> text) with its span in its sentence,
    ``{"label", "before", "found", "after", "message"}`` (the page marks ``found``)."""
    listing = []
    for label, text in texts.items():
        for mention in stale_dates(text, store=store):
            before = text[max(0, mention.start - STALE_CONTEXT) : mention.start]
            after = text[mention.end : mention.end + STALE_CONTEXT]
            listing.append(
                {
                    "label": label,
                    "before": ("…" if mention.start > STALE_CONTEXT else "") + before,
                    "found": mention.found,
                    "after": after + ("…" if mention.end + STALE_CONTEXT < len(text) else ""),
                    "message": mention.message(),
                }
            )
    return listing
