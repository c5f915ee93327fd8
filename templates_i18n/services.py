"""Writes for the scenario library and the banned-word list."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext

from seller_desk.auth import is_platform_admin, membership_of
from seller_desk.errors import ApplicationError
from seller_desk.models import AuditKind, OrderStatus
from seller_desk.services import audit_log

from .guard import text_guard_enforce
from .languages import SUPPORTED_LANGUAGES, field_suffix, normalize_language
from .models import Scenario
from .scenario_seed import OFFICIAL_CODES, OFFICIAL_SCENARIOS

# --- scenarios ---

_UNSET = object()  # "not given" (None means "clear it")
SCENARIO_TEXT_MAX = 5000  # the longest reply conversations.reply_send accepts
SCENARIO_TITLE_MAX = 300


def _scenario_member_check(*, store, acting_user) -> None:
    membership = membership_of(acting_user)
    if membership is None or membership.store_id != store.id:
        raise PermissionDenied(gettext("Only members of this store may change its reply templates."))


def _scenario_clean_title(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise ApplicationError(
            {"title": gettext("Give the template a title agents will recognise in the list.")}
        )
    if len(title) > SCENARIO_TITLE_MAX:
        raise ApplicationError(
            {
                "title": gettext("Titles have at most %(SCENARIO_TITLE_MAX)s characters.")
                % {"SCENARIO_TITLE_MAX": SCENARIO_TITLE_MAX}
            }
        )
    return title


def _scenario_clean_texts(texts: dict | None) -> dict[str, str]:
    """Language code -> text (``""`` clears a language); every text passes the banned-word guard."""
    if not isinstance(texts, dict):
        raise ApplicationError({"texts": gettext("Give the texts as an object: language code -> text.")})
    cleaned: dict[str, str] = {}
    for key, value in texts.items():
        language = normalize_language(str(key))
        if language is None or language in cleaned:
            raise ApplicationError(
                {
                    "texts": gettext("'%(key)s' is not one of the nine reply languages (%(value)s).")
                    % {"key": key, "value": ", ".join(SUPPORTED_LANGUAGES)}
                }
            )
        text = ("" if value is None else str(value)).strip()
        field = f"body_{field_suffix(language)}"
        if len(text) > SCENARIO_TEXT_MAX:
            raise ApplicationError(
                {
                    field: gettext("A reply text has at most %(SCENARIO_TEXT_MAX)s characters.")
                    % {"SCENARIO_TEXT_MAX": SCENARIO_TEXT_MAX}
                }
            )
        if text:
            text_guard_enforce(text=text, field=field)
        cleaned[language] = text
    return cleaned


def _scenario_clean_statuses(order_statuses) -> list[str]:
    statuses = list(order_statuses or [])
    unknown = [s for s in statuses if s not in OrderStatus.values]
    if unknown:
        raise ApplicationError(
            {
                "order_statuses": gettext("Unknown order status %(value)s; use any of: %(value2)s.")
                % {"value": f"{unknown[0]!r}", "value2": ", ".join(OrderStatus.values)}
            }
        )
    return list(dict.fromkeys(statuses))


def _scenario_clean_date(value, field: str):
    """A date, an ISO ``YYYY-MM-DD`` string, or None/"" (no limit); anything else names the field."""
    import datetime

    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ApplicationError(
            {
                field: gettext("'%(value)s' is not a date; use YYYY-MM-DD, or leave it empty.")
                % {"value": value}
            }
        ) from None


def _scenario_clean_validity(scenario: Scenario, valid_from, valid_until) -> dict:
    """The validity fields to set (only those given); the period must not end before it starts."""
    fields = {}
    if valid_from is not _UNSET:
        fields["valid_from"] = _scenario_clean_date(valid_from, "valid_from")
    if valid_until is not _UNSET:
        fields["valid_until"] = _scenario_clean_date(valid_until, "valid_until")
    start = fields.get("valid_from", scenario.valid_from)
    end = fields.get("valid_until", scenario.valid_until)
    if start and end and end < start:
        raise ApplicationError(
            {
                "valid_until": gettext(
                    "The validity period ends (%(end)s) before it starts (%(start)s); swap or fix the dates."
                )
                % {"end": end, "start": start}
            }
        )
    return fields


def _scenario_apply(
    scenario: Scenario, *, title: str | None, texts: dict[str, str] | None, statuses, validity=None
) -> list[str]:
    """Set the given fields on ``scenario``; returns the changed field names (for ``update_fields``)."""
    changed: list[str] = []
    for field, value in (validity or {}).items():
        if getattr(scenario, field) != value:
            setattr(scenario, field, value)
            changed.append(field)
    if title is not None and scenario.title_en != title:
        scenario.title_en = title
        changed.append("title_en")
    if statuses is not None and scenario.order_statuses != statuses:
        scenario.order_statuses = statuses
        changed.append("order_statuses")
    for language, text in (texts or {}).items():
        field = f"body_{field_suffix(language)}"
        if (getattr(scenario, field) or "") != text:
            setattr(scenario, field, text)
            changed.append(field)
    if "title_en" in changed:
        scenario.title = scenario.title_en
        changed.append("title")
    if "body_en" in changed:
        scenario.body = scenario.body_en
        changed.append("body")
    return changed


def _scenario_require_text(scenario: Scenario) -> None:
    if not any(
        (getattr(scenario, f"body_{field_suffix(lang)}") or "").strip() for lang in SUPPORTED_LANGUAGES
    ):
        raise ApplicationError({"texts": gettext("A template needs its text in at least one language.")})


def _store_template_code(*, store, title: str) -> str:
    base = (slugify(title)[:60].strip("-_") or "template").replace("-", "_")
    taken = set(
        Scenario.objects.filter(Q(store__isnull=True) | Q(store=store)).values_list("code", flat=True)
    )
    taken.update(OFFICIAL_CODES)
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    return code


@transaction.atomic
def store_template_create(
    *,
    store,
    acting_user,
    title: str,
    texts: dict,
    order_statuses: list[str] | None = None,
    valid_from=None,
    valid_until=None,
) -> Scenario:
    """A store's own reply template; its code is made from the title, unique in the store and never official.

    ``valid_from``/``valid_until`` (dates, store-local, inclusive) limit when it is suggested."""
    _scenario_member_check(store=store, acting_user=acting_user)
    title = _scenario_clean_title(title)
    cleaned = _scenario_clean_texts(texts)
    statuses = _scenario_clean_statuses(order_statuses)
    validity = _scenario_clean_validity(Scenario(), valid_from, valid_until)
    for _attempt in range(5):
        scenario = Scenario(
            store=store, code=_store_template_code(store=store, title=title), created_by=acting_user
        )
        _scenario_apply(scenario, title=title, texts=cleaned, statuses=statuses, validity=validity)
        _scenario_require_text(scenario)
        try:
            with transaction.atomic():
                scenario.save()
            return scenario
        except IntegrityError:
            continue
    raise ApplicationError(
        {"title": gettext("Another template with this title was just created; try again.")}
    )


def _scenario_update(
    scenario: Scenario, *, title, texts, order_statuses, valid_from=_UNSET, valid_until=_UNSET
) -> Scenario:
    title = _scenario_clean_title(title) if title is not None else None
    cleaned = _scenario_clean_texts(texts) if texts is not None else None
    statuses = _scenario_clean_statuses(order_statuses) if order_statuses is not None else None
    validity = _scenario_clean_validity(scenario, valid_from, valid_until)
    changed = _scenario_apply(scenario, title=title, texts=cleaned, statuses=statuses, validity=validity)
    _scenario_require_text(scenario)
    if changed:
        scenario.save(update_fields=[*changed, "updated_at"])
    return scenario


def _official_dates_check(scenario: Scenario, texts: dict) -> None:
    """Issue 13: an official text an admin changes may not name a date that is over unless confirmed."""
    from .dates import stale_dates_errors

    changed = {
        f"body_{field_suffix(language)}": text
        for language, text in _scenario_clean_texts(texts).items()
        if text and text != (getattr(scenario, f"body_{field_suffix(language)}") or "")
    }
    errors = stale_dates_errors(
        changed, store=None, confirm_hint=gettext("Tick “The dates are right” to save it anyway.")
    )
    if errors:
        raise ApplicationError(errors)


@transaction.atomic
def scenario_update(
    *,
    store,
    acting_user,
    code: str,
    title: str | None = None,
    texts: dict | None = None,
    order_statuses: list[str] | None = None,
    valid_from=_UNSET,
    valid_until=_UNSET,
    confirm_dates: bool = False,
) -> Scenario:
    """Edit a scenario seen from ``store``: the store's own by its members, an official one by platform admins only.

    ``texts`` replaces only the languages it names; ``""`` removes a language. ``valid_from``/``valid_until``
    change the validity period when given (None clears a limit). Another store's code is a 404.
    """
    from .selectors import scenario_get

    scenario = scenario_get(store=store, code=code)
    if scenario.is_official:
        if not is_platform_admin(acting_user):
            raise PermissionDenied(
                gettext(
                    "Official scenarios are edited by platform admins only; copy it to a template of your own."
                )
            )
    else:
        _scenario_member_check(store=store, acting_user=acting_user)
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    before = {"title": scenario.title, "order_statuses": list(scenario.order_statuses or [])}
    before_texts = dict(_texts_of(scenario))
    if scenario.is_official and texts is not None and not confirm_dates:
        _official_dates_check(scenario, texts)
    scenario = _scenario_update(
        scenario,
        title=title,
        texts=texts,
        order_statuses=order_statuses,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    if scenario.is_official:
        after_texts = _texts_of(scenario)
        changes = {
            **{
                field: [before[field], value]
                for field, value in (
                    ("title", scenario.title),
                    ("order_statuses", list(scenario.order_statuses or [])),
                )
                if before[field] != value
            },
            **{
                f"text.{lang}": [before_texts.get(lang, ""), text]
                for lang, text in after_texts.items()
                if before_texts.get(lang, "") != text
            },
        }
        if changes:
            audit_log(
                kind=AuditKind.SCENARIO_EDITED,
                subject=scenario,
                actor=acting_user,
                details={"changes": changes},
            )
    return scenario


def _texts_of(scenario: Scenario) -> dict[str, str]:
    return {lang: getattr(scenario, f"body_{field_suffix(lang)}") or "" for lang in SUPPORTED_LANGUAGES}


@transaction.atomic
def store_template_update(
    *, store, acting_user, code: str, title=None, texts=None, order_statuses=None
) -> Scenario:
    """Edit one of the store's own templates; official codes are refused (403) for store members."""
    return scenario_update(
        store=store,
        acting_user=acting_user,
        code=code,
        title=title,
        texts=texts,
        order_statuses=order_statuses,
    )


@transaction.atomic
def official_scenario_update(
    *, acting_user, code: str, title=None, texts=None, order_statuses=None, confirm_dates: bool = False
) -> Scenario:
    """A platform admin edits an official scenario (all stores see the change)."""
    if not is_platform_admin(acting_user):
        raise PermissionDenied(gettext("Official scenarios are edited by platform admins only."))
    return scenario_update(
        store=None,
        acting_user=acting_user,
        code=code,
        title=title,
        texts=texts,
        order_statuses=order_statuses,
        confirm_dates=confirm_dates,
    )


@transaction.atomic
def store_template_delete(*, store, acting_user, code: str) -> None:
    """Delete one of the store's own templates. Official scenarios are never deleted here."""
    from .selectors import scenario_get

    scenario = scenario_get(store=store, code=code)
    if scenario.is_official:
        raise PermissionDenied(gettext("Official scenarios cannot be deleted by stores."))
    _scenario_member_check(store=store, acting_user=acting_user)
    scenario.delete()


@transaction.atomic
def official_scenarios_sync(*, force: bool = False) -> dict[str, list]:
    """Bring the official scenarios in line with ``scenario_seed.py``.

    Missing scenarios are created and empty fields filled. A field that differs from the seed was edited
    by a platform admin (or the seed changed): it is kept and reported, unless ``force`` overwrites it.
    """
    report: dict[str, list] = {"created": [], "filled": [], "overwritten": [], "kept": []}
    existing = {s.code: s for s in Scenario.objects.select_for_update().filter(store__isnull=True)}
    for position, item in enumerate(OFFICIAL_SCENARIOS, start=1):
        wanted: dict = {
            "title_en": item["title"],
            "order_statuses": item["order_statuses"],
            "markets": item.get("markets", []),
        }
        for language in SUPPORTED_LANGUAGES:
            wanted[f"body_{field_suffix(language)}"] = item["texts"].get(language, "")
        scenario = existing.get(item["code"])
        if scenario is None:
            scenario = Scenario(
                store=None, code=item["code"], position=position, voice=item.get("voice", "seller"), **wanted
            )
            scenario.title, scenario.body = wanted["title_en"], wanted["body_en"]
            scenario.save()
            report["created"].append(item["code"])
            continue
        changed = []
        for field, value in wanted.items():
            current = getattr(scenario, field)
            if (current or None) == (value or None):
                continue
            if not current:
                report["filled"].append((item["code"], field))
            elif force:
                report["overwritten"].append((item["code"], field))
            else:
                report["kept"].append((item["code"], field))
                continue
            setattr(scenario, field, value)
            changed.append(field)
        if scenario.position != position:
            scenario.position = position
            changed.append("position")
        if "title_en" in changed:
            scenario.title = scenario.title_en
            changed.append("title")
        if "body_en" in changed:
            scenario.body = scenario.body_en
            changed.append("body")
        if changed:
            scenario.save(update_fields=[*changed, "updated_at"])
    return report


# --- banned words ---

BANNED_TERM_MAX = 100
# Characters a banned word may contain besides letters (inside the word): out-break, don't.
_TERM_JOINERS = frozenset("-'’")


def _banned_word_admin_check(acting_user) -> None:
    if not is_platform_admin(acting_user):
        raise PermissionDenied(gettext("Only platform admins may change the banned-word list."))


def _banned_word_clean_term(term) -> str:
    from .matcher import canonical_letters

    term = ("" if term is None else str(term)).strip()
    if not term:
        raise ApplicationError({"term": gettext("Enter the word to ban (it can't be empty or only spaces).")})
    if any(c.isspace() for c in term):
        raise ApplicationError(
            {"term": gettext("Ban one word at a time: “%(term)s” contains a space.") % {"term": term}}
        )
    if len(term) > BANNED_TERM_MAX:
        raise ApplicationError(
            {
                "term": gettext("A banned word has at most %(BANNED_TERM_MAX)s characters.")
                % {"BANNED_TERM_MAX": BANNED_TERM_MAX}
            }
        )
    if not all(c.isalpha() or c in _TERM_JOINERS for c in term) or not (
        term[0].isalpha() and term[-1].isalpha()
    ):
        raise ApplicationError(
            {
                "term": gettext(
                    "“%(term)s” must be a word of letters (a hyphen or apostrophe inside it is fine); no digits or symbols."
                )
                % {"term": term}
            }
        )
    if len(canonical_letters(term)) < 2:
        raise ApplicationError({"term": gettext("A banned word needs at least two letters.")})
    return term.lower()


def _banned_word_clean_language(language) -> str:
    raw = ("" if language is None else str(language)).strip()
    if not raw:
        return ""
    normalized = normalize_language(raw)
    if normalized is None:
        raise ApplicationError(
            {
                "language": gettext(
                    "'%(raw)s' is not one of the nine languages (%(value)s); leave it blank to ban the word whatever the language."
                )
                % {"raw": raw, "value": ", ".join(SUPPORTED_LANGUAGES)}
            }
        )
    return normalized


def _banned_word_clean_match(match) -> str:
    from .models import MatchMode

    value = ("" if match is None else str(match)).strip() or MatchMode.WORD
    if value not in MatchMode.values:
        raise ApplicationError(
            {
                "match": gettext("'%(value)s' is not a match mode; use one of: %(value2)s.")
                % {"value": value, "value2": ", ".join(MatchMode.values)}
            }
        )
    return value


def _banned_word_clean_suggestion(suggestion, *, term: str, language: str, match: str) -> str:
    from .guard import text_check
    from .matcher import Matcher, TermSpec

    suggestion = ("" if suggestion is None else str(suggestion)).strip()
    if len(suggestion) > BANNED_TERM_MAX:
        raise ApplicationError(
            {
                "suggestion": gettext("A suggestion has at most %(BANNED_TERM_MAX)s characters.")
                % {"BANNED_TERM_MAX": BANNED_TERM_MAX}
            }
        )
    if suggestion and (
        Matcher([TermSpec(term, language, "", match)]).find(suggestion) or text_check(suggestion)
    ):
        raise ApplicationError(
            {
                "suggestion": gettext(
                    "“%(suggestion)s” would itself be caught by the guard; suggest a word agents may send."
                )
                % {"suggestion": suggestion}
            }
        )
    return suggestion


def _banned_word_check_duplicate(*, term: str, language: str, exclude_id: int | None) -> None:
    """No two entries for the same word and language, also when one is typed with look-alike letters."""
    from .languages import LANGUAGE_NAMES
    from .matcher import canonical_letters
    from .models import BannedWord

    canonical = canonical_letters(term)
    others = (
        BannedWord.objects.filter(language=language).exclude(pk=exclude_id).values_list("term", flat=True)
    )
    if any(canonical_letters(other) == canonical for other in others):
        scope = f"for {LANGUAGE_NAMES[language]}" if language else "for every language"
        raise ApplicationError(
            {
                "term": gettext("“%(term)s” is already on the list %(scope)s; edit that entry instead.")
                % {"term": term, "scope": scope}
            }
        )


@transaction.atomic
def banned_words_seed_ensure() -> int:
    """Put back any seed word missing from the list (after a test flush or a fresh database); returns how many."""
    from .banned_seed import SEED
    from .models import BannedWord, BannedWordListVersion

    existing = set(BannedWord.objects.values_list("term", "language"))
    missing = [
        BannedWord(term=term, language=language, suggestion=suggestion, match=match)
        for term, language, suggestion, match in SEED
        if (term, language) not in existing
    ]
    if missing:
        BannedWord.objects.bulk_create(missing)
    if missing or not BannedWordListVersion.objects.exists():
        banned_word_list_changed()
    return len(missing)


def banned_word_list_changed() -> None:
    """Bump the list's version (inside the caller's transaction) so every process recompiles its matcher."""
    from django.db.models import F

    from . import matcher
    from .models import BannedWordListVersion

    if not BannedWordListVersion.objects.update(version=F("version") + 1):
        BannedWordListVersion.objects.create(version=1)
    matcher.invalidate()
    transaction.on_commit(matcher.invalidate)


def banned_word_clean(*, term, language="", suggestion="", match="word", banned_word=None) -> dict:
    """A banned word's fields validated and normalised; raises one ApplicationError naming every bad field.

    ``banned_word`` is the entry being edited (it does not count as its own duplicate).
    """
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    for field, clean, value in (
        ("term", _banned_word_clean_term, term),
        ("language", _banned_word_clean_language, language),
        ("match", _banned_word_clean_match, match),
    ):
        try:
            cleaned[field] = clean(value)
        except ApplicationError as exc:
            errors.update(exc.errors)
    if not errors:
        key = (cleaned["term"], cleaned["language"])
        try:
            if banned_word is None or key != (banned_word.term, banned_word.language):
                _banned_word_check_duplicate(
                    term=key[0], language=key[1], exclude_id=banned_word.pk if banned_word else None
                )
            cleaned["suggestion"] = _banned_word_clean_suggestion(
                suggestion, term=key[0], language=key[1], match=cleaned["match"]
            )
        except ApplicationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ApplicationError(errors)
    return cleaned


@transaction.atomic
def banned_word_create(
    *,
    acting_user,
    term: str,
    language: str = "",
    suggestion: str = "",
    match: str = "word",
    is_active: bool = True,
):
    """Add a word to the banned-word list (platform admins only)."""
    from .models import BannedWord

    _banned_word_admin_check(acting_user)
    fields = banned_word_clean(term=term, language=language, suggestion=suggestion, match=match)
    try:
        with transaction.atomic():
            banned_word = BannedWord.objects.create(
                **fields, is_active=bool(is_active), updated_by=acting_user
            )
    except IntegrityError as exc:
        raise ApplicationError(
            {
                "term": gettext("“%(value)s” is already on the list for this language.")
                % {"value": fields["term"]}
            }
        ) from exc
    audit_log(
        kind=AuditKind.BANNED_WORD_ADDED,
        subject=banned_word,
        actor=acting_user,
        details={**fields, "is_active": bool(is_active)},
    )
    banned_word_list_changed()
    return banned_word


@transaction.atomic
def banned_word_update(
    *,
    acting_user,
    banned_word,
    term=_UNSET,
    language=_UNSET,
    suggestion=_UNSET,
    match=_UNSET,
    is_active=_UNSET,
):
    """Change the given fields of a banned word (platform admins only); nothing changes → nothing saved."""
    _banned_word_admin_check(acting_user)
    given = {"term": term, "language": language, "suggestion": suggestion, "match": match}
    new = banned_word_clean(
        **{
            field: getattr(banned_word, field) if value is _UNSET else value for field, value in given.items()
        },
        banned_word=banned_word,
    )
    new["is_active"] = banned_word.is_active if is_active is _UNSET else bool(is_active)
    changed = [field for field, value in new.items() if getattr(banned_word, field) != value]
    if not changed:
        return banned_word
    changes = {field: [getattr(banned_word, field), new[field]] for field in changed}
    for field in changed:
        setattr(banned_word, field, new[field])
    banned_word.updated_by = acting_user
    try:
        with transaction.atomic():
            banned_word.save(update_fields=[*changed, "updated_by", "updated_at"])
    except IntegrityError as exc:
        raise ApplicationError(
            {
                "term": gettext("“%(term)s” is already on the list for this language.")
                % {"term": banned_word.term}
            }
        ) from exc
    audit_log(
        kind=AuditKind.BANNED_WORD_EDITED,
        subject=banned_word,
        actor=acting_user,
        details={"changes": changes},
    )
    banned_word_list_changed()
    return banned_word


@transaction.atomic
def banned_word_delete(*, acting_user, banned_word) -> None:
    """Remove a word from the banned-word list (platform admins only)."""
    _banned_word_admin_check(acting_user)
    audit_log(
        kind=AuditKind.BANNED_WORD_REMOVED,
        subject=banned_word,
        actor=acting_user,
        details={
            "term": banned_word.term,
            "language": banned_word.language,
            "suggestion": banned_word.suggestion,
        },
    )
    banned_word.delete()
    banned_word_list_changed()


# --- picks (issue 13, point 5) ---


def scenario_pick_record(
    *, store, acting_user, buyer_text: str, language: str, picked_code: str, suggested_code: str = ""
):
    """Record that a reply built from ``picked_code`` was sent, against what the reply box offered first.

    Returns the ScenarioPick, or None when there is nothing to learn from (no buyer text, or a code the
    store cannot use — another store's template is never recorded). Never raises for the caller's send.
    """
    from .models import ScenarioPick
    from .suggest import embed_query

    picked_code = (picked_code or "").strip()[:80]
    suggested_code = (suggested_code or "").strip()[:80]
    buyer_text = (buyer_text or "").strip()
    if not picked_code or not buyer_text:
        return None
    usable = set(
        Scenario.objects.filter(Q(store__isnull=True) | Q(store=store)).values_list("code", flat=True)
    )
    if picked_code not in usable:
        return None
    if suggested_code not in usable:
        suggested_code = ""
    return ScenarioPick.objects.create(
        store=store,
        language=(normalize_language(language) or language or "")[:8],
        suggested_code=suggested_code,
        picked_code=picked_code,
        vector=embed_query(buyer_text).tobytes(),
        picked_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
