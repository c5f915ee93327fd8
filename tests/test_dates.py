"""Issue 13, point 2: the date finder in the nine languages (past, future, periods, relative and seasonal words)."""

from datetime import date

import pytest

from templates_i18n.dates import find_dates, past_dates_message, past_mentions
from templates_i18n.scenario_seed import official_scenario

DECEMBER = date(2026, 12, 2)


def found(text, today=DECEMBER):
    return [(m.kind, m.status, m.found, m.first_day, m.last_day) for m in find_dates(text, today=today)]


@pytest.mark.parametrize(
    ("language", "text", "span", "day"),
    [
        ("en", "We ship again on 19th January.", "19th January", date(2026, 1, 19)),
        ("en", "orders placed on or after Jan 20th", "Jan 20th", date(2026, 1, 20)),
        ("ar", "نعود للعمل يوم 19 يناير", "19 يناير", date(2026, 1, 19)),
        ("es", "volvemos el 18 de febrero", "18 de febrero", date(2026, 2, 18)),
        ("fr", "retour le 18 février", "18 février", date(2026, 2, 18)),
        ("he", "חוזרים ב-19 בינואר", "19 בינואר", date(2026, 1, 19)),
        ("ko", "1 월 19 일 부터 배송", "1 월 19 일", date(2026, 1, 19)),
        ("pl", "wysyłka od 19 stycznia", "19 stycznia", date(2026, 1, 19)),
        ("pt-BR", "a partir do dia 19 de Janeiro", "19 de Janeiro", date(2026, 1, 19)),
        ("ru", "заказы, размещённые 20 января или позднее", "20 января", date(2026, 1, 20)),
    ],
)
def test_a_date_earlier_this_year_is_found_as_past_in_every_language(language, text, span, day):
    assert found(text) == [("date", "past", span, day, day)]
    start = text.index(span)
    mention = find_dates(text, today=DECEMBER)[0]
    assert (mention.start, mention.end) == (start, start + len(span))


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("back on 5 March 2027", date(2027, 3, 5)),
        ("قبل 5 مارس 2027", date(2027, 3, 5)),
        ("hasta el 5 de marzo de 2027", date(2027, 3, 5)),
        ("jusqu'au 5 mars 2027", date(2027, 3, 5)),
        ("עד 5 במרץ 2027", date(2027, 3, 5)),
        ("2027년 3월 5일까지", date(2027, 3, 5)),
        ("do 5 marca 2027", date(2027, 3, 5)),
        ("até 5 de março de 2027", date(2027, 3, 5)),
        ("до 5 марта 2027", date(2027, 3, 5)),
        ("December 24", date(2026, 12, 24)),
        ("2027-03-05", date(2027, 3, 5)),
        ("05.03.2027", date(2027, 3, 5)),
    ],
)
def test_a_date_ahead_is_found_as_future(text, day):
    (mention,) = find_dates(text, today=DECEMBER)
    assert (mention.kind, mention.status, mention.first_day) == ("date", "future", day)
    assert past_mentions(text, today=DECEMBER) == []


@pytest.mark.parametrize("language", ["ar", "es", "fr", "he", "ko", "pl", "pt-BR"])
def test_the_seed_holiday_period_is_over_in_december_in_every_language_that_has_it(language):
    text = official_scenario("shipping_delay")["texts"][language]
    (period,) = [m for m in find_dates(text, today=DECEMBER) if m.kind == "period"]
    assert (period.status, period.first_day, period.last_day) == (
        "past",
        date(2026, 1, 19),
        date(2026, 2, 18),
    )
    assert text[period.start : period.end] == period.found
    assert past_mentions(text, today=DECEMBER) == [period]


def test_the_same_period_is_current_inside_it_and_future_before_it():
    text = "du 19 janvier PT au 18 février PT"
    assert found(text, date(2026, 2, 1))[0][:2] == ("period", "current")
    assert found(text, date(2026, 1, 2))[0][:2] == ("period", "future")
    assert found("du 19 janvier au 18 février 2027")[0] == (
        "period",
        "future",
        "19 janvier au 18 février 2027",
        date(2027, 1, 19),
        date(2027, 2, 18),
    )


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("We shipped it yesterday", "yesterday"),
        ("the recently announced extension", "recently"),
        ("lo enviamos la semana pasada", "la semana pasada"),
        ("expédié la semaine prochaine", "la semaine prochaine"),
        ("enviamos amanhã", "amanhã"),
        ("wysłaliśmy wczoraj", "wczoraj"),
        ("из-за недавно объявленного продления", "недавно"),
        ("تم الشحن أمس", "أمس"),
        ("נשלח בשבוע הבא", "בשבוע הבא"),
        ("어제 발송했습니다", "어제"),
    ],
)
def test_relative_words_are_found_but_never_count_as_past(text, word):
    assert found(text) == [("relative", "relative", word, None, None)]
    assert past_mentions(text, today=DECEMBER) == []


def test_seasonal_names_are_found_in_the_seed_texts():
    seasonal = {
        lang: [m.found for m in find_dates(text, today=DECEMBER) if m.kind == "seasonal"]
        for lang, text in official_scenario("shipping_delay")["texts"].items()
    }
    assert seasonal == {
        "en": ["holiday in China"],
        "ar": ["مهرجان الربيع"],
        "es": ["Fiesta de Primavera"],
        "fr": ["nouvel an chinois"],
        "he": ["פסטיבל האביב"],
        "ko": ["구정"],
        "pl": ["Święta Wiosny"],
        "pt-BR": ["Festival da Primavera"],
        "ru": ["китайского Нового года"],
    }


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Your order 4021 will come in 15 days",
        "call 19 55 10",
        "31 February",
        "the 2026 model",
        "May I help?",
    ],
)
def test_no_date_is_invented(text):
    assert [m for m in find_dates(text, today=DECEMBER) if m.kind in ("date", "period")] == []


def test_the_message_names_the_span_and_the_end_of_the_period():
    mentions = past_mentions("desde el 19 de enero hasta el 18 de febrero", today=DECEMBER)
    assert past_dates_message(mentions) == (
        "This text names a date that is over: “19 de enero hasta el 18 de febrero” is a period that ended on "
        "Feb 18, 2026. Edit the text, or confirm the dates are meant."
    )
