"""The banned-word guard (R19): what it catches, what it lets pass, spans, list changes, API and pages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from conversations.models import Direction, Message
from seller_desk.errors import ApplicationError
from seller_desk.services import platform_admin_create
from templates_i18n import matcher, services
from templates_i18n.banned_seed import SEED
from templates_i18n.guard import text_check, text_guard_enforce
from templates_i18n.matcher import Matcher, MatcherCache, TermSpec
from templates_i18n.models import BannedWord, BannedWordListVersion
from tests.factories import make_inbound, make_member

SEED_MATCHER = Matcher([TermSpec(*row) for row in SEED], version=1)
SUGGESTION = {term: suggestion for term, _language, suggestion, _match in SEED}


def found(text: str) -> list[tuple[str, str]]:
    """(term, found) for each hit of the seeded list, in text order."""
    return [(hit.term, hit.found) for hit in SEED_MATCHER.find(text)]


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def list_version() -> int:
    return BannedWordListVersion.objects.get().version


@pytest.fixture(autouse=True)
def _fresh_matcher():
    """Each test compiles its own matcher: a rolled-back list change must not linger in this process."""
    matcher.reset()
    yield
    matcher.reset()


@pytest.fixture
def seeded(db):
    """The migration seeds the list; a transactional test elsewhere may have flushed it, so top it up."""
    services.banned_words_seed_ensure()


@pytest.fixture
def platform_admin(db):
    return platform_admin_create(username="platform-admin", password="pass-word-1")


@pytest.fixture
def agent(store):
    return make_member(store, role="agent", username="agent-ann")


@pytest.fixture
def owner(store):
    return make_member(store, role="owner", username="owner-olga")


# --- the seeded list ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_R19_migration_seeds_the_nine_words_with_suggestions_and_match_modes():
    rows = set(BannedWord.objects.values_list("term", "language", "suggestion", "match", "is_active"))
    assert rows == {
        ("epidemic", "en", "outbreak", "word", True),
        ("disaster", "en", "difficulty", "word", True),
        ("pandemic", "en", "outbreak", "word", True),
        ("horrible", "en", "unfortunate", "word", True),
        ("terrible", "en", "difficult", "word", True),
        ("эпидемия", "ru", "вспышка", "stem", True),
        ("катастрофа", "ru", "трудность", "stem", True),
        ("пандемия", "ru", "вспышка", "stem", True),
        ("ужасный", "ru", "сложный", "stem", True),
    }
    assert list_version() >= 1


@pytest.mark.parametrize(
    "term,forms",
    [
        (
            "epidemic",
            ["epidemic", "Epidemic", "EPIDEMIC", "epidemics", "Epidemics", "epidemic's", "epidemically"],
        ),
        ("disaster", ["disaster", "Disasters", "DISASTER", "disastrous", "disastrously", "disaster’s"]),
        ("pandemic", ["pandemic", "Pandemics", "PANDEMIC", "pandemical"]),
        ("horrible", ["horrible", "Horrible", "HORRIBLY", "horribly", "horribleness"]),
        ("terrible", ["terrible", "Terrible", "TERRIBLE", "terribly", "terribleness"]),
    ],
)
def test_R19_english_terms_are_caught_in_any_case_and_their_regular_forms(term, forms):
    for form in forms:
        assert found(f"We know it is {form} news.") == [(term, form)], form


@pytest.mark.parametrize(
    "term,forms",
    [
        (
            "эпидемия",
            ["эпидемия", "Эпидемия", "ЭПИДЕМИЯ", "эпидемии", "эпидемию", "эпидемией", "эпидемиями", "эпидемиях",
             "эпидемий", "эпидемический", "эпидемической"],
        ),
        (
            "катастрофа",
            ["катастрофа", "катастрофы", "катастрофе", "катастрофу", "катастрофой", "катастрофами", "катастроф",
             "Катастрофический", "катастрофически", "катастрофично"],
        ),
        ("пандемия", ["пандемия", "пандемии", "пандемию", "пандемией", "ПАНДЕМИЯМИ", "пандемический"]),
        (
            "ужасный",
            ["ужасный", "Ужасный", "ужасного", "ужасному", "ужасным", "ужасном", "ужасная", "ужасной", "ужасную",
             "ужасное", "ужасные", "ужасных", "ужасно", "ужасна", "ужасны", "ужасен", "ужаснее", "ужаснейший"],
        ),
    ],
)  # fmt: skip
def test_R19_russian_stems_catch_every_inflected_form(term, forms):
    for form in forms:
        assert found(f"Это {form}, мы знаем.") == [(term, form)], form


@pytest.mark.parametrize(
    "text,term",
    [
        ("\u0435pidemic", "epidemic"),  # Cyrillic е
        ("p\u0430ndemic", "pandemic"),  # Cyrillic а
        ("t\u0435rribl\u0435", "terrible"),  # Cyrillic е twice
        ("h\u043erribl\u0435", "horrible"),  # Cyrillic о and е
        ("DIS\u0410STER", "disaster"),  # Cyrillic А in capitals
        ("\u03b5pidemic", "epidemic"),  # Greek ε
        ("эпид\u0435мия".replace("\u0435", "e"), "эпидемия"),  # Latin e in the Russian word
        ("к\u0061т\u0061стр\u006fф\u0061", "катастрофа"),  # Latin a and o
        ("кaтacтpoфoй", "катастрофа"),  # Latin a, c, p, o in an inflected form
        ("ужaсный", "ужасный"),  # Latin a
        ("ПAHДEMИЯ", "пандемия"),  # Latin A, H, E, M in capitals
        ("Ｅｐｉｄｅｍｉｃ", "epidemic"),  # full-width
        ("ｔｅｒｒｉｂｌｅ", "terrible"),  # full-width
        ("𝐞𝐩𝐢𝐝𝐞𝐦𝐢𝐜", "epidemic"),  # mathematical bold
        ("épidémic", "epidemic"),  # accents
        ("e\u0301pidemic", "epidemic"),  # combining accent
        ("epi\u00addemic", "epidemic"),  # soft hyphen
        ("pan\u200bdemic", "pandemic"),  # zero-width space
        ("эпидёмия", "эпидемия"),  # ё for е
    ],
)
def test_R19_look_alike_letters_do_not_hide_a_banned_word(text, term):
    assert found(f"Sorry: {text}!") == [(term, text)]


@pytest.mark.parametrize(
    "text,term",
    [
        ("e.p.i.d.e.m.i.c", "epidemic"),
        ("e-p-i-d-e-m-i-c", "epidemic"),
        ("e p i d e m i c", "epidemic"),
        ("E. P. I. D. E. M. I. C", "epidemic"),
        ("e_p_i_d_e_m_i_c", "epidemic"),
        ("terr. ible", "terrible"),  # as the seed itself prints it
        ("pan-demic", "pandemic"),
        ("dis*aster", "disaster"),
        ("hor rible", "horrible"),
        ("p.a.n.d.e.m.i.c.s", "pandemic"),
        ("э-п-и-д-е-м-и-я", "эпидемия"),
        ("ката строфа", "катастрофа"),
        ("у ж а с н о", "ужасный"),
    ],
)
def test_R19_separators_inside_a_word_do_not_hide_it(text, term):
    assert found(f"It was {text} indeed") == [(term, text)]


@pytest.mark.parametrize(
    "text",
    [
        "Epidemiology and epidemiologists study outbreaks.",
        "Our terrier loves the terrace.",
        "A horrid day, full of horror films.",
        "That is a categorical answer.",
        "The pan demo went fine.",
        "deterrible undisastered hyperpandemic",
        "Pandemonium at the aster show.",
        "An epic demic? No: an epic demand.",
        "Terrific, disassembled, horrified, pandemonium.",
        "Covid-19 tests, 2020 epidemiological data.",
        "ep idemic",  # two-letter piece: not a broken-up word
        "Эпидемиолог рассказал об эпидемиологии.",
        "Пандус для панды и пан директор.",
        "Каталог, катар, кататься, каталка.",
        "Какой ужас, но мы успели. Ужасы кино. Он ужаснулся, она ужаснулась.",
        "Эпилог и демократия.",
        "Трудность, вспышка, сложный вопрос.",
    ],
)
def test_R19_innocent_words_pass(text):
    assert found(text) == []


def test_R19_spans_point_at_the_original_characters():
    text = "😀 Sorry — the Ｅｐｉｄｅｍｉｃ, e.p.i.d.e.m.i.c and эпидeмии were terr. ible!\nУжасно."
    hits = SEED_MATCHER.find(text)
    assert [(h.term, h.found, h.start, h.end, h.suggestion) for h in hits] == [
        ("epidemic", "Ｅｐｉｄｅｍｉｃ", 14, 22, "outbreak"),
        ("epidemic", "e.p.i.d.e.m.i.c", 24, 39, "outbreak"),
        ("эпидемия", "эпидeмии", 44, 52, "вспышка"),
        ("terrible", "terr. ible", 58, 68, "difficult"),
        ("ужасный", "Ужасно", 70, 76, "сложный"),
    ]
    assert all(text[h.start : h.end] == h.found for h in hits)


def test_R19_span_includes_combining_marks_after_the_last_letter():
    text = "a terriblé\u0301 day"
    (hit,) = SEED_MATCHER.find(text)
    assert (hit.found, hit.start, hit.end) == ("terriblé\u0301", 2, 11)


def test_R19_characters_that_expand_keep_spans_right():
    # ß (→ ss) and ﬁ (→ fi) normalise to two letters each; the spans still index the original text.
    text = "Straße ﬁne: the epidemic, Ｔerrible."
    assert [(h.found, h.start, h.end) for h in SEED_MATCHER.find(text)] == [
        ("epidemic", 16, 24),
        ("Ｔerrible", 26, 34),
    ]


def test_R19_hits_come_in_text_order_with_their_suggestions():
    text = "Terrible, horrible epidemic: катастрофа и пандемия!"
    assert [(h.found, h.suggestion) for h in SEED_MATCHER.find(text)] == [
        ("Terrible", "difficult"),
        ("horrible", "unfortunate"),
        ("epidemic", "outbreak"),
        ("катастрофа", "трудность"),
        ("пандемия", "вспышка"),
    ]


def test_R19_words_next_to_another_script_are_still_words():
    assert found("이epidemic은 끝났어요") == [("epidemic", "epidemic")]


@pytest.mark.parametrize(
    "text,term",
    [
        ("epi\u3164demic", "epidemic"),  # HANGUL FILLER (a letter by category, default-ignorable)
        ("epi\u115fdemic", "epidemic"),  # HANGUL CHOSEONG FILLER
        ("epi\uffa0demic", "epidemic"),  # HALFWIDTH HANGUL FILLER
        ("epi\u1160demic", "epidemic"),  # HANGUL JUNGSEONG FILLER
        ("pan\u2060demic", "pandemic"),  # WORD JOINER
        ("pan\u034fdemic", "pandemic"),  # COMBINING GRAPHEME JOINER
        ("hor\u180erible", "horrible"),  # MONGOLIAN VOWEL SEPARATOR
        ("terr\ufe0fible", "terrible"),  # VARIATION SELECTOR-16
        ("terr\U000e0041ible", "terrible"),  # TAG LATIN CAPITAL LETTER A
        ("dis\u17b4aster", "disaster"),  # KHMER VOWEL INHERENT AQ
        ("эпи\u3164демия", "эпидемия"),
    ],
)
def test_R19_default_ignorable_characters_do_not_hide_a_banned_word(text, term):
    assert found(f"Sorry: {text}!") == [(term, text)]


@pytest.mark.parametrize(
    "text,term",
    [
        ("ᴇpidemic", "epidemic"),  # LATIN LETTER SMALL CAPITAL E
        ("ʜᴏʀʀɪʙʟᴇ", "horrible"),  # small capitals throughout
        ("ᴛᴇʀʀɪʙʟᴇ", "terrible"),
        ("ᴘᴀɴᴅᴇᴍɪᴄ", "pandemic"),
        ("epidemɪc", "epidemic"),  # IPA ɪ
        ("ɛpidɛmic", "epidemic"),  # IPA ɛ
        ("pɑndemic", "pandemic"),  # IPA ɑ
        ("dısaster", "disaster"),  # dotless ı
        ("epiđemic", "epidemic"),  # d with stroke
        ("horribłe", "horrible"),  # l with stroke
        ("hørrible", "horrible"),  # o with stroke
        ("ŧerrible", "terrible"),  # t with stroke
        ("terrıƀle", "terrible"),  # b with stroke
        ("disaşter", "disaster"),  # s with cedilla
    ],
)
def test_R19_small_capitals_ipa_and_stroked_letters_do_not_hide_a_banned_word(text, term):
    assert found(f"Sorry: {text}!") == [(term, text)]


@pytest.mark.parametrize(
    "text,term",
    [
        ("epid3mic", "epidemic"),  # 3 for e
        ("3pid3m1c", "epidemic"),  # 3 for e, 1 for i
        ("ep1demics", "epidemic"),  # an inflected form
        ("p@ndemic", "pandemic"),  # @ for a
        ("h0rrible", "horrible"),  # 0 for o
        ("h0rr!ble", "horrible"),  # ! for i
        ("terr1bly", "terrible"),
        ("d1s@st3r", "disaster"),
        ("EP1D3MIC", "epidemic"),
        ("ᴇpid3mic", "epidemic"),  # a small capital and a digit together
        ("ep1\u200bdemic", "epidemic"),  # a digit and an invisible character together
    ],
)
def test_R19_digit_and_symbol_stand_ins_do_not_hide_a_banned_word(text, term):
    assert found(f"Sorry: {text}!") == [(term, text)]


@pytest.mark.parametrize(
    "text",
    [
        "Order #12345: 5pcs, 2nd parcel, size XL/2XL, 100% cotton, 3-5 days.",
        "Covid-19 tests, 2020 epidemiological data, B2B and A4 paper.",
        "3pidemiology, terr1er, h0rror, p@ndemonium, d1sastered",  # stand-ins in innocent words
        "Email us at shop@example.com or call +1 555 0100!",
        "Ноль: 0, один: 1 — каталог №3.",
        "ㅤ 한글 채움 문자ㅤ만 있는 문장",  # Hangul fillers alone
        "ᴏᴋ, ᴛʜᴀɴᴋ ʏᴏᴜ",  # small capitals in innocent words
    ],
)
def test_R19_stand_ins_and_fillers_in_innocent_text_pass(text):
    assert found(text) == []


def test_R19_spans_of_normalised_hits_point_at_the_original_characters():
    text = "Hi! (3pid3m1c), ᴛᴇʀʀɪʙʟᴇ and epi\u3164demic; p@ndemic."
    hits = SEED_MATCHER.find(text)
    assert [(h.term, h.found, h.start, h.end) for h in hits] == [
        ("epidemic", "3pid3m1c", 5, 13),
        ("terrible", "ᴛᴇʀʀɪʙʟᴇ", 16, 24),
        ("epidemic", "epi\u3164demic", 29, 38),
        ("pandemic", "p@ndemic", 40, 48),
    ]
    assert all(text[h.start : h.end] == h.found for h in hits)


def test_R19_every_default_ignorable_code_point_is_dropped_by_the_guard():
    from templates_i18n.normalize import default_ignorables

    ignorables = default_ignorables()
    assert {0x3164, 0x115F, 0x1160, 0xFFA0, 0x00AD, 0x200B, 0x2060, 0xFE0F, 0xE0041} <= ignorables
    table = matcher._table()
    assert all(table[cp] == matcher.TRANSPARENT for cp in ignorables)


def test_R19_match_modes_word_stem_and_substring():
    m = Matcher(
        [
            TermSpec("covid", "", "illness", "substring"),
            TermSpec("plaga", "es", "brote", "word"),
            TermSpec("katastrof", "pl", "trudność", "stem"),
        ]
    )
    assert [h.found for h in m.find("anticovid, plagas, plague, katastrofalny, skatastrofy")] == [
        "covid",
        "plagas",
        "katastrofalny",
    ]


# --- guard functions and the compiled list ----------------------------------------------------------


def test_R19_text_guard_enforce_names_the_field_words_and_suggestions(seeded):
    with pytest.raises(ApplicationError) as caught:
        text_guard_enforce(text="The epidemic is terrible.", field="welcome_text")
    assert caught.value.errors == {
        "welcome_text": [
            "This text contains banned words: “epidemic” (use “outbreak”), “terrible” (use “difficult”). "
            "Replace them before sending."
        ]
    }
    assert caught.value.banned_words == [
        {"term": "epidemic", "found": "epidemic", "start": 4, "end": 12, "suggestion": "outbreak"},
        {"term": "terrible", "found": "terrible", "start": 16, "end": 24, "suggestion": "difficult"},
    ]
    text_guard_enforce(text="The outbreak is difficult.")


def test_R19_inactive_words_are_not_enforced(seeded, platform_admin):
    word = BannedWord.objects.get(term="horrible")
    services.banned_word_update(acting_user=platform_admin, banned_word=word, is_active=False)
    assert text_check("A horrible day") == []
    assert [h.term for h in text_check("A terrible day")] == ["terrible"]


def test_R19_a_list_change_reaches_a_matcher_compiled_before_it(
    seeded, platform_admin, django_assert_num_queries
):
    web, worker = MatcherCache(check_interval=0), MatcherCache(check_interval=0)
    assert web.get().find("plague") == [] and worker.get().find("plague") == []
    assert (web.builds, worker.builds) == (1, 1)

    services.banned_word_create(acting_user=platform_admin, term="plague", suggestion="illness")

    assert [h.found for h in web.get().find("The Plague")] == ["Plague"]
    assert [h.suggestion for h in worker.get().find("plagues")] == ["illness"]
    assert (web.builds, worker.builds) == (2, 2)
    with django_assert_num_queries(1):  # an unchanged version costs one cheap query, no rebuild
        worker.get()
    assert worker.builds == 2


def test_R19_version_is_checked_at_most_once_per_interval(seeded, platform_admin, django_assert_num_queries):
    cache = MatcherCache(check_interval=3600)
    cache.get()
    services.banned_word_create(acting_user=platform_admin, term="plague")
    with django_assert_num_queries(0):
        assert cache.get().find("plague") == []  # within the interval: no query, the old list
    cache.invalidate()
    assert [h.term for h in cache.get().find("plague")] == ["plague"]


def test_R19_this_process_sees_its_own_change_at_once(seeded, platform_admin):
    assert text_check("plague") == []
    services.banned_word_create(acting_user=platform_admin, term="plague")
    assert [h.term for h in text_check("plague")] == ["plague"]
    services.banned_word_delete(acting_user=platform_admin, banned_word=BannedWord.objects.get(term="plague"))
    assert text_check("plague") == []


CHILD = """
import os, sys, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seller_desk.settings")
django.setup()
from seller_desk.errors import ApplicationError
from templates_i18n.guard import text_guard_enforce

def report():
    try:
        text_guard_enforce(text="Sorry, the plague slowed the post.")
        print("SENT", flush=True)
    except ApplicationError as exc:
        hit = exc.banned_words[0]
        print("BLOCKED", hit["found"], hit["start"], hit["suggestion"], flush=True)

report()
sys.stdin.readline()
time.sleep(1.3)  # longer than matcher.CHECK_INTERVAL
report()
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_R19_a_change_made_here_is_enforced_in_another_process(require_postgres):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": ""}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "SENT"  # compiled before the change
        admin = platform_admin_create(username="platform-admin", password="pass-word-1")
        services.banned_word_create(acting_user=admin, term="plague", language="en", suggestion="illness")
        out, err = child.communicate("go\n", timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert out.strip() == "BLOCKED plague 11 illness", err


# --- services ----------------------------------------------------------------------------------------


def test_R19_only_platform_admins_change_the_list(seeded, agent, owner):
    word = BannedWord.objects.get(term="epidemic")
    for user in (agent, owner, None):
        with pytest.raises(PermissionDenied):
            services.banned_word_create(acting_user=user, term="plague")
        with pytest.raises(PermissionDenied):
            services.banned_word_update(acting_user=user, banned_word=word, suggestion="x")
        with pytest.raises(PermissionDenied):
            services.banned_word_delete(acting_user=user, banned_word=word)
    assert BannedWord.objects.filter(term="plague").count() == 0


def test_R19_every_change_bumps_the_version_and_a_no_op_does_not(seeded, platform_admin):
    start = list_version()
    word = services.banned_word_create(acting_user=platform_admin, term="Plague", language="EN", match="word")
    assert (word.term, word.language, word.updated_by) == ("plague", "en", platform_admin)
    assert list_version() == start + 1
    services.banned_word_update(acting_user=platform_admin, banned_word=word, suggestion="illness")
    assert list_version() == start + 2
    services.banned_word_update(
        acting_user=platform_admin, banned_word=word, suggestion="illness", term="plague"
    )
    assert list_version() == start + 2
    services.banned_word_delete(acting_user=platform_admin, banned_word=word)
    assert list_version() == start + 3


# --- API ---------------------------------------------------------------------------------------------


def test_R19_text_checks_api_lists_the_banned_words(seeded, agent):
    r = api_as(agent).post("/api/v1/text-checks", {"text": "Эпидемии — это ужасно."}, format="json")
    assert r.status_code == 200
    assert r.json() == {
        "ok": False,
        "banned_words": [
            {"term": "эпидемия", "found": "Эпидемии", "start": 0, "end": 8, "suggestion": "вспышка"},
            {"term": "ужасный", "found": "ужасно", "start": 15, "end": 21, "suggestion": "сложный"},
        ],
    }
    r = api_as(agent).post("/api/v1/text-checks", {"text": "Your parcel is on its way."}, format="json")
    assert r.json() == {"ok": True, "banned_words": []}


def test_R19_text_checks_api_needs_a_store_member_or_platform_admin(
    seeded, platform_admin, django_user_model
):
    outsider = django_user_model.objects.create_user("outsider", password="pass-word-1")
    assert api_as(outsider).post("/api/v1/text-checks", {"text": "x"}, format="json").status_code == 403
    assert APIClient().post("/api/v1/text-checks", {"text": "x"}, format="json").status_code in (401, 403)
    r = api_as(platform_admin).post("/api/v1/text-checks", {"text": "a pandemic"}, format="json")
    assert r.json()["ok"] is False


def test_R19_members_read_the_list_but_agents_and_owners_cannot_write(seeded, agent, owner):
    word = BannedWord.objects.get(term="epidemic")
    for user in (agent, owner):
        client = api_as(user)
        listed = client.get("/api/v1/banned-words").json()
        assert {(w["term"], w["language"], w["suggestion"], w["match"]) for w in listed} == set(SEED)
        assert client.get(f"/api/v1/banned-words/{word.pk}").json()["term"] == "epidemic"
        assert client.post("/api/v1/banned-words", {"term": "plague"}, format="json").status_code == 403
        assert (
            client.patch(f"/api/v1/banned-words/{word.pk}", {"suggestion": "x"}, format="json").status_code
            == 403
        )
        assert client.delete(f"/api/v1/banned-words/{word.pk}").status_code == 403
    assert BannedWord.objects.get(pk=word.pk).suggestion == "outbreak"
    assert not BannedWord.objects.filter(term="plague").exists()


def test_R19_platform_admin_adds_edits_and_removes_a_word_through_the_api(seeded, platform_admin, agent):
    client = api_as(platform_admin)
    r = client.post(
        "/api/v1/banned-words",
        {"term": "Plague", "language": "en", "suggestion": "illness", "match": "word"},
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert {k: body[k] for k in ("term", "language", "suggestion", "match", "is_active")} == {
        "term": "plague",
        "language": "en",
        "suggestion": "illness",
        "match": "word",
        "is_active": True,
    }
    blocked = api_as(agent).post("/api/v1/text-checks", {"text": "the plagues"}, format="json").json()
    assert blocked["banned_words"][0]["found"] == "plagues"

    r = client.patch(f"/api/v1/banned-words/{body['id']}", {"suggestion": "sickness"}, format="json")
    assert r.status_code == 200 and r.json()["suggestion"] == "sickness"
    assert text_check("plague")[0].suggestion == "sickness"

    assert client.delete(f"/api/v1/banned-words/{body['id']}").status_code == 204
    assert (
        api_as(agent).post("/api/v1/text-checks", {"text": "the plagues"}, format="json").json()["ok"] is True
    )
    assert client.delete(f"/api/v1/banned-words/{body['id']}").status_code == 404


@pytest.mark.parametrize(
    "payload,errors",
    [
        ({"term": ""}, {"term": ["Enter the word to ban (it can't be empty or only spaces)."]}),
        ({"term": "   "}, {"term": ["Enter the word to ban (it can't be empty or only spaces)."]}),
        ({"term": "out break"}, {"term": ["Ban one word at a time: “out break” contains a space."]}),
        (
            {"term": "covid19"},
            {"term": ["“covid19” must be a word of letters (a hyphen or apostrophe inside it is fine); no digits or symbols."]},
        ),
        ({"term": "x"}, {"term": ["A banned word needs at least two letters."]}),
        (
            {"term": "Epidemic", "language": "en"},
            {"term": ["“epidemic” is already on the list for English; edit that entry instead."]},
        ),
        (
            {"term": "\u0435pidemic", "language": "en"},
            {"term": ["“\u0435pidemic” is already on the list for English; edit that entry instead."]},
        ),
        (
            {"term": "plague", "language": "english"},
            {"language": ["'english' is not one of the nine languages (en, ar, es, fr, he, ko, pl, pt-BR, ru); "
                          "leave it blank to ban the word whatever the language."]},
        ),
        ({"term": "plague", "match": "regex"}, {"match": ["'regex' is not a match mode; use one of: word, stem, substring."]}),
        (
            {"term": "plague", "suggestion": "a disaster"},
            {"suggestion": ["“a disaster” would itself be caught by the guard; suggest a word agents may send."]},
        ),
        (
            {"term": "", "language": "xx", "match": "regex"},
            {
                "term": ["Enter the word to ban (it can't be empty or only spaces)."],
                "language": ["'xx' is not one of the nine languages (en, ar, es, fr, he, ko, pl, pt-BR, ru); "
                             "leave it blank to ban the word whatever the language."],
                "match": ["'regex' is not a match mode; use one of: word, stem, substring."],
            },
        ),
    ],
)  # fmt: skip
def test_R19_bad_banned_word_input_gets_field_errors(seeded, platform_admin, payload, errors):
    before = list_version()
    r = api_as(platform_admin).post("/api/v1/banned-words", payload, format="json")
    assert r.status_code == 400
    assert r.json() == {"errors": errors}
    assert BannedWord.objects.count() == len(SEED) and list_version() == before


def test_R19_editing_into_a_duplicate_is_refused(seeded, platform_admin):
    word = BannedWord.objects.get(term="horrible")
    r = api_as(platform_admin).patch(f"/api/v1/banned-words/{word.pk}", {"term": "terrible"}, format="json")
    assert r.status_code == 400
    assert r.json() == {
        "errors": {"term": ["“terrible” is already on the list for English; edit that entry instead."]}
    }
    assert BannedWord.objects.get(pk=word.pk).term == "horrible"


def test_R19_reply_with_a_banned_word_is_refused_and_nothing_is_stored(seeded, store, agent):
    conversation = make_inbound(store, text="Where is my parcel?").conversation
    before = Message.objects.filter(conversation=conversation, direction=Direction.OUTBOUND).count()
    r = api_as(agent).post(
        f"/api/v1/conversations/{conversation.pk}/replies",
        {"text": "Sorry, the e.p.i.d.e.m.i.c made delivery terrible."},
        format="json",
    )
    assert r.status_code == 400
    assert r.json() == {
        "errors": {
            "text": [
                "This text contains banned words: “e.p.i.d.e.m.i.c” (use “outbreak”), “terrible” (use “difficult”). "
                "Replace them before sending."
            ]
        },
        "banned_words": [
            {
                "term": "epidemic",
                "found": "e.p.i.d.e.m.i.c",
                "start": 11,
                "end": 26,
                "suggestion": "outbreak",
            },
            {"term": "terrible", "found": "terrible", "start": 41, "end": 49, "suggestion": "difficult"},
        ],
    }
    assert Message.objects.filter(conversation=conversation, direction=Direction.OUTBOUND).count() == before
    ok = api_as(agent).post(
        f"/api/v1/conversations/{conversation.pk}/replies",
        {"text": "Sorry, the outbreak made delivery difficult."},
        format="json",
    )
    assert ok.status_code == 201


def test_R19_banned_word_endpoints_are_in_the_api_schema(seeded, agent):
    schema = api_as(agent).get("/api/schema/", {"format": "json"}).json()
    assert {"/api/v1/text-checks", "/api/v1/banned-words", "/api/v1/banned-words/{banned_word_id}"} <= set(
        schema["paths"]
    )
    assert set(schema["paths"]["/api/v1/banned-words/{banned_word_id}"]) == {"get", "patch", "delete"}


# --- desk pages and the Django admin -----------------------------------------------------------------


def test_R19_agents_see_the_list_read_only(seeded, agent):
    html = page_as(agent).get(reverse("banned-words")).content.decode()
    assert "This list is edited by platform admins" in html
    assert "эпидемия" in html and "вспышка" in html
    assert "Add a word" not in html and reverse("banned-word-new") not in html
    r = page_as(agent).post(reverse("banned-word-new"), {"term": "plague", "match": "word"})
    assert r.status_code == 403
    word = BannedWord.objects.get(term="epidemic")
    assert page_as(agent).post(reverse("banned-word-delete", args=[word.pk])).status_code == 403
    assert page_as(agent).get(reverse("banned-word-edit", args=[word.pk])).status_code == 403


def test_R19_platform_admin_adds_a_word_inline_and_sees_field_errors(seeded, platform_admin):
    client = page_as(platform_admin)
    html = client.get(reverse("banned-words")).content.decode()
    assert "Add a word" in html and "edited by platform admins" not in html

    r = client.post(
        reverse("banned-word-new"), {"term": "  ", "match": "word", "is_active": "on"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200
    assert 'data-field="term"' in r.content.decode()
    assert "Enter the word to ban (it can&#x27;t be empty or only spaces)." in r.content.decode()

    r = client.post(
        reverse("banned-word-new"),
        {"term": "Plague", "language": "en", "match": "word", "suggestion": "illness", "is_active": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    assert "Added “plague”." in r.content.decode()
    assert BannedWord.objects.get(term="plague").updated_by == platform_admin
    assert [h.term for h in text_check("plagues")] == ["plague"]


def test_R19_platform_admin_edits_and_deletes_inline(seeded, platform_admin):
    client = page_as(platform_admin)
    word = BannedWord.objects.get(term="disaster")
    form_row = client.get(
        reverse("banned-word-edit", args=[word.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'value="disaster"' in form_row and "<form" in form_row

    bad = client.post(
        reverse("banned-word-edit", args=[word.pk]),
        {
            "term": "terrible",
            "language": "en",
            "match": "word",
            "suggestion": "difficulty",
            "is_active": "on",
        },
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "“terrible” is already on the list for English; edit that entry instead." in bad

    row = client.post(
        reverse("banned-word-edit", args=[word.pk]),
        {"term": "disaster", "language": "en", "match": "word", "suggestion": "setback"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "setback" in row and "Off" in row
    assert text_check("a disaster") == []

    assert client.post(reverse("banned-word-delete", args=[word.pk]), HTTP_HX_REQUEST="true").content == b""
    assert not BannedWord.objects.filter(pk=word.pk).exists()


def test_R19_text_check_partial_highlights_the_hits_and_escapes_the_text(seeded, agent):
    r = page_as(agent).post(reverse("text-check-partial"), {"text": "<b>Ужасная</b> эпидемия"})
    html = r.content.decode()
    assert 'data-ok="false"' in html and 'data-count="2"' in html
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert '<mark class="tc-mark" title="Banned: “ужасный” — use “сложный”">Ужасная</mark>' in html
    clean = page_as(agent).post(reverse("text-check-partial"), {"text": "Всё хорошо"}).content.decode()
    assert 'data-ok="true"' in clean and "No banned words" in clean


def test_R19_django_admin_saves_through_the_services(seeded, platform_admin):
    client = page_as(platform_admin)
    before = list_version()
    r = client.post(
        "/admin/templates_i18n/bannedword/add/",
        {"term": "Plague", "language": "en", "match": "word", "suggestion": "illness", "is_active": "on"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    word = BannedWord.objects.get(term="plague")
    assert word.updated_by == platform_admin and list_version() == before + 1

    r = client.post(
        "/admin/templates_i18n/bannedword/add/",
        {"term": "PLAGUE", "language": "en", "match": "word", "suggestion": "", "is_active": "on"},
    )
    assert r.status_code == 200
    assert "“plague” is already on the list for English; edit that entry instead." in r.content.decode()

    r = client.post(f"/admin/templates_i18n/bannedword/{word.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302
    assert not BannedWord.objects.filter(pk=word.pk).exists() and list_version() == before + 2
