"""Benchmark the banned-word guard against a plain regex alternation (fixed seed, repeatable).

    .venv/bin/python bench/bench_guard.py [--iterations 3000]

A list of 1,000 terms (the nine real ones plus pseudo-words in Latin, Cyrillic, Arabic, Hebrew
and Hangul) is compiled once; each 1,000-character message is then checked many times by
``Matcher.find`` (normalisation included) and by ``re.compile('|'.join(map(re.escape, terms)),
re.I).findall`` on the same text. Prints the median time per check, the ratio, and a Markdown
table row block for docs/benchmarks.md.
"""

import argparse
import datetime
import os
import platform
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from templates_i18n.matcher import Matcher, TermSpec  # noqa: E402

SEED = 20200203
REAL = [
    TermSpec("epidemic", "en", "outbreak", "word"),
    TermSpec("disaster", "en", "difficulty", "word"),
    TermSpec("pandemic", "en", "outbreak", "word"),
    TermSpec("horrible", "en", "unfortunate", "word"),
    TermSpec("terrible", "en", "difficult", "word"),
    TermSpec("эпидемия", "ru", "вспышка", "stem"),
    TermSpec("катастрофа", "ru", "трудность", "stem"),
    TermSpec("пандемия", "ru", "вспышка", "stem"),
    TermSpec("ужасный", "ru", "сложный", "stem"),
]
SYLLABLES = {
    "en": (
        "ka",
        "ter",
        "mon",
        "dis",
        "pre",
        "vel",
        "ost",
        "ran",
        "lim",
        "qua",
        "bor",
        "sen",
        "tic",
        "ful",
        "ing",
    ),
    "es": ("cio", "ñor", "mén", "tar", "ble", "ado", "gue", "pli", "rro", "vés"),
    "pl": ("prz", "ście", "ło", "dź", "wią", "ny", "ką", "rze", "gó", "szcz"),
    "ru": ("про", "ста", "ник", "вер", "жда", "ель", "щи", "ство", "мол", "ку", "тра", "зна", "ция"),
    "ar": ("كا", "مل", "سر", "بي", "نت", "عو", "قد", "حا"),
    "he": ("של", "מו", "רב", "תי", "כנ", "אד", "פר"),
    "ko": ("가", "나", "다", "람", "서", "울", "해", "빛", "정"),
}
SHARES = {"en": 330, "es": 90, "pl": 70, "ru": 300, "ar": 70, "he": 60, "ko": 71}

MESSAGES = {
    "English reply, no banned word": (
        "Dear customer, thank you for shopping with us and for your patience. Your parcel left our warehouse "
        "on Monday and is now with the carrier; tracking usually updates within two or three working days. "
        "If the status has not changed by Friday, please write to us again and we will open an inquiry with "
        "the logistics company at once. Because of the extended holiday some deliveries take a little longer "
        "than usual, and we are doing everything we can to keep every order moving. Should you prefer to "
        "cancel, please raise a cancellation request in the order page and we will accept it the same day. "
        "We have also added a coupon to your account as a small thank-you for waiting. Thank you again for "
        "choosing our store, and have a wonderful week! Best regards, the customer service team. P.S. Our "
        "new collection arrives next month; follow the store to be the first to see it. "
    ),
    "Russian reply, no real banned word": (
        "Уважаемый покупатель, спасибо за покупку и за ваше терпение. Посылка покинула наш склад в понедельник "
        "и сейчас находится у перевозчика; статус отслеживания обычно обновляется в течение двух-трёх рабочих "
        "дней. Если к пятнице ничего не изменится, напишите нам, и мы сразу откроем запрос в логистической "
        "компании. Из-за продлённых праздников доставка может занять немного больше времени, чем обычно, и мы "
        "делаем всё возможное, чтобы каждый заказ продолжал движение. Если вы хотите отменить заказ, создайте "
        "запрос на отмену на странице заказа, и мы примем его в тот же день. Мы также добавили купон на ваш "
        "аккаунт в знак благодарности за ожидание. Ещё раз спасибо, что выбрали наш магазин! "
    ),
    "English + Russian, 3 banned words": (
        "Dear customer, we know the epidemic news sounds terrible, but your parcel is safe and on its way. "
        "Уважаемый покупатель, из-за эпидемии доставка может задержаться, но посылка в пути. Tracking usually "
        "updates within two or three working days; if the status has not changed by Friday, please write to "
        "us again and we will open an inquiry with the logistics company at once. Because of the extended "
        "holiday some deliveries take a little longer than usual, and we are doing everything we can to keep "
        "every order moving. Should you prefer to cancel, please raise a cancellation request in the order "
        "page and we will accept it the same day. We have also added a coupon to your account as a small "
        "thank-you for waiting. Thank you again for choosing our store, and have a wonderful week! Best "
        "regards from the whole customer service team; we answer every message within one working day. "
        "P.S. Our new collection arrives next month; follow the store to see it first, and share your "
        "photos with us. "
    ),
    "English reply, digits and 1 stand-in spelling": (
        "Dear customer, order #80231 (2 items, 5pcs each) left our warehouse on 12/03 and is now with the "
        "carrier. We know the news sounds h0rr!ble, but tracking usually updates within 2-3 working days; "
        "if the status has not changed by Friday, please write to us again and we will open an inquiry "
        "with the logistics company at once. Because of the extended holiday some deliveries take 1-2 days "
        "longer than usual. Should you prefer to cancel, please raise a cancellation request in the order "
        "page and we will accept it the same day. We have also added a US $3 coupon (orders over $30) to "
        "your account as a small thank-you for waiting. Thank you again for choosing our store, and have a "
        "wonderful week! Best regards, the customer service team. P.S. Our new collection arrives next "
        "month; follow the store to be the first to see it. "
    ),
}


def pseudo_terms(rng: random.Random) -> list[TermSpec]:
    seen = {t.term for t in REAL}
    terms = list(REAL)
    modes = ("word", "word", "word", "stem", "substring")
    for language, count in SHARES.items():
        made = 0
        while made < count:
            word = "".join(rng.choice(SYLLABLES[language]) for _ in range(rng.randint(2, 4)))
            if word in seen or len(word) < 4:
                continue
            seen.add(word)
            mode = rng.choice(modes) if language in ("en", "ru") else "word"
            terms.append(TermSpec(word, language, "", mode))
            made += 1
    return terms[:1000]


def message_of(text: str) -> str:
    """Exactly 1,000 characters (a short text is repeated)."""
    return (text * (1000 // len(text) + 1))[:1000]


def median_us(fn, text: str, iterations: int) -> float:
    for _ in range(50):
        fn(text)
    timings = []
    clock = time.perf_counter_ns
    for _ in range(iterations):
        started = clock()
        fn(text)
        timings.append(clock() - started)
    return statistics.median(timings) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=3000)
    parser.add_argument("--regex-iterations", type=int, default=30)
    args = parser.parse_args()

    rng = random.Random(SEED)
    terms = pseudo_terms(rng)
    assert len(terms) == 1000
    started = time.perf_counter()
    matcher = Matcher(terms, version=1)
    matcher.find("warm up the normalisation table (для всех алфавитов)")
    compile_ms = (time.perf_counter() - started) * 1000
    regex = re.compile("|".join(map(re.escape, (t.term for t in terms))), re.I)

    rows = [measure(name, message_of(body), matcher, regex, args) for name, body in MESSAGES.items()]
    seed_matcher = Matcher(REAL, version=1)
    seed_regex = re.compile("|".join(map(re.escape, (t.term for t in REAL))), re.I)
    seed_rows = [
        measure(name, message_of(body), seed_matcher, seed_regex, args) for name, body in MESSAGES.items()
    ]

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    today = datetime.date.today().isoformat()
    print(f"Text guard benchmark — {today} — {machine}")
    print(f"Compile 1,000 terms + build the normalisation table: {compile_ms:.0f} ms (once per process)")
    for title, table in (("1,000 terms", rows), ("the seeded list (9 terms)", seed_rows)):
        print()
        print(f"{title}: median time per check")
        print()
        print("| message (1,000 chars) | guard hits | regex hits | guard | regex alternation | ratio |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for name, hits, regex_hits, guard, plain in table:
            print(
                f"| {name} | {hits} | {regex_hits} | {guard:.1f} µs | {plain:,.1f} µs | {plain / guard:,.1f}× |"
            )


def measure(name: str, text: str, matcher: Matcher, regex: re.Pattern, args) -> tuple:
    hits = len(matcher.find(text))
    guard = median_us(matcher.find, text, args.iterations)
    plain = median_us(regex.findall, text, args.regex_iterations)
    return name, hits, len(regex.findall(text)), guard, plain


if __name__ == "__main__":
    main()
