"""`POST /v1/tenants/{tenant}/score`: score up to 100 texts now and answer each one's score in the same response.

For a tool that needs the judgment before it acts (a contact centre routing a call, a CRM tagging a ticket). By
default the texts are not stored: they join a story already running for the tenant, and each other, but leave no
trace. With `"store": true` they are also ingested as mentions, through the same claims and queue as POST
/mentions (a text sent again is a duplicate, whatever the door).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sigap.ingest.domain import IngestResult, accept_mentions
from sigap.ingest.mapping.model import content_id
from sigap.ingest.queue import ScoringQueue
from sigap.kernel.errors import UnprocessableError
from sigap.kernel.identity import Permission
from sigap.kernel.kinds import SourceChannel
from sigap.kernel.models import MAX_TEXT_CHARS, Author, Engagement, MentionIn, PublishedAt, Score, utc_now
from sigap.mentions.claim_store import ClaimStore
from sigap.platform.http.gateway import Routes
from sigap.platform.http.resolver import caller, new_resolver, serve, settings_in
from sigap.platform.observability import metrics
from sigap.scoring.domain.engine import SigapScorer, input_for
from sigap.scoring.domain.sentiment import SentimentModel, shipped_model
from sigap.scoring.domain.stories import PeekingBandIndex
from sigap.scoring.settings import ScoreApiSettings
from sigap.scoring.story_index import DynamoBandIndex
from sigap.tenants.store import TenantStore

MAX_TEXTS = 100

router = APIGatewayHttpRouter()
routes = Routes(router, "scoring")


class TextToScore(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=128, description="Your id for this text, given back with it")
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    channel: SourceChannel = SourceChannel.OTHER
    author: Author = Field(default_factory=Author, description="Followers and verification weigh in reach")
    engagement: Engagement = Field(default_factory=Engagement)
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$", description="ISO 639 code, if known")
    created_at: PublishedAt | None = Field(
        default=None, description="When it was written, if stored (default: now): ISO 8601 with a UTC offset"
    )
    url: str | None = Field(default=None, max_length=2048, description="Where it was written, if stored")


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    texts: list[TextToScore] = Field(min_length=1, max_length=MAX_TEXTS)
    store: bool = Field(
        default=False,
        description="Also ingest the texts as mentions (scored again and stored, counted in summaries and "
        "detection); each needs an `id` that is a valid mention id, or is named by a hash of its text",
    )
    source: str = Field(default="score-api", min_length=1, max_length=100, description="Stored mentions' source")


class ScoredText(BaseModel):
    id: str | None
    score: Score


class ScoreAnswer(BaseModel):
    results: list[ScoredText] = Field(description="One per text, in the order sent")
    stored: IngestResult | None = Field(default=None, description="With store: the ids accepted and duplicates")


@lru_cache(maxsize=1)
def _model() -> SentimentModel:
    return shipped_model()


@lru_cache(maxsize=1)
def _adapters(settings: ScoreApiSettings) -> tuple[TenantStore, DynamoBandIndex]:
    return TenantStore(settings.tenants_table), DynamoBandIndex(settings.stories_table, settings.story_window_days)


@lru_cache(maxsize=1)
def _ingestion(settings: ScoreApiSettings) -> tuple[ClaimStore, ScoringQueue]:
    return ClaimStore(settings.mentions_table), ScoringQueue(settings.scoring_queue_url)


def _as_mentions(request: ScoreRequest) -> list[MentionIn]:
    """The texts as mentions to store: an id as sent (or a hash of the text), now as the time unless given."""
    now = utc_now()
    mentions, problems = [], []
    for index, item in enumerate(request.texts):
        fields = item.model_dump(exclude_none=True) | {"source": request.source}
        fields.setdefault("id", content_id({"text": item.text}))
        fields.setdefault("created_at", now)
        try:
            mentions.append(MentionIn.model_validate(fields))
        except ValidationError as exc:
            problems += [(f"texts[{index}].{'.'.join(map(str, e['loc']))}", str(e["msg"])) for e in exc.errors()]
    if problems:
        raise UnprocessableError("invalid_request", "texts cannot be stored: " + problems[0][0], problems)
    return mentions


def _store(request: ScoreRequest, tenant_id: str, settings: ScoreApiSettings) -> IngestResult:
    ledger, queue = _ingestion(settings)
    return accept_mentions(
        tenant_id,
        _as_mentions(request),
        ledger=ledger,
        sink=queue,
        now=utc_now(),
        correlation_id=app.current_event.request_context.request_id,
    )


@routes.post("/v1/tenants/{tenant}/score", permission=Permission.INGEST, answer="Each text's score")
def post_score(tenant: str, body: Annotated[ScoreRequest, Body(description="Up to 100 texts")]) -> ScoreAnswer:
    """Score up to 100 texts now: sentiment, polarity, confidence, language, signals, reach, risk, story, factors.

    Unless `store` is true nothing is stored: the texts join a story already running for the tenant (and each
    other), but later mentions never join theirs. With `store` they are also ingested as mentions, once per id
    whatever the door, and answered in `stored` (accepted and duplicate ids)."""
    settings = settings_in(app, ScoreApiSettings)
    _, stories = _adapters(settings)
    tenant_id = caller(app).tenant_id
    stored = _store(body, tenant_id, settings) if body.store else None
    scorer = SigapScorer(_model(), PeekingBandIndex(stories))
    inputs = [input_for(tenant_id, item.id or f"score-{index}", item) for index, item in enumerate(body.texts)]
    scores = scorer.scores(inputs)
    metrics.add_metric(name="TextsScoredOnRequest", unit="Count", value=len(scores))
    return ScoreAnswer(
        results=[ScoredText(id=item.id, score=score) for item, score in zip(body.texts, scores, strict=True)],
        stored=stored,
    )


app = new_resolver()
app.include_router(router)


def handle(event: dict[str, Any], context: Any, settings: ScoreApiSettings) -> dict[str, Any]:
    tenants, _ = _adapters(settings)
    return serve(app, event, context, tenants=tenants, max_body_bytes=settings.max_body_bytes, settings=settings)
