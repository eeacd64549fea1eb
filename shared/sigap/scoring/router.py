"""`POST /v1/tenants/{tenant}/score`: score up to 100 texts now and answer each one's score in the same response.

For a tool that needs the judgment before it acts (a contact centre routing a call, a CRM tagging a ticket). The
texts are not stored: they join a story already running for the tenant, and each other, but leave no trace.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, ConfigDict, Field

from sigap.kernel.kinds import SourceChannel
from sigap.kernel.models import MAX_TEXT_CHARS, Author, Engagement, Score
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


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    texts: list[TextToScore] = Field(min_length=1, max_length=MAX_TEXTS)


class ScoredText(BaseModel):
    id: str | None
    score: Score


class ScoreAnswer(BaseModel):
    results: list[ScoredText] = Field(description="One per text, in the order sent")


@lru_cache(maxsize=1)
def _model() -> SentimentModel:
    return shipped_model()


@lru_cache(maxsize=1)
def _adapters(settings: ScoreApiSettings) -> tuple[TenantStore, DynamoBandIndex]:
    return TenantStore(settings.tenants_table), DynamoBandIndex(settings.stories_table, settings.story_window_days)


@routes.post("/v1/tenants/{tenant}/score", answer="Each text's score")
def post_score(tenant: str, body: Annotated[ScoreRequest, Body(description="Up to 100 texts")]) -> ScoreAnswer:
    """Score up to 100 texts now: sentiment, polarity, confidence, language, signals, reach, risk, story, factors.

    Nothing is stored: the texts join a story already running for the tenant (and each other), but later mentions
    never join theirs. To keep them, post them to /mentions as well."""
    _, stories = _adapters(settings_in(app, ScoreApiSettings))
    tenant_id = caller(app).tenant_id
    scorer = SigapScorer(_model(), PeekingBandIndex(stories))
    inputs = [input_for(tenant_id, item.id or f"score-{index}", item) for index, item in enumerate(body.texts)]
    scores = scorer.scores(inputs)
    metrics.add_metric(name="TextsScoredOnRequest", unit="Count", value=len(scores))
    return ScoreAnswer(
        results=[ScoredText(id=item.id, score=score) for item, score in zip(body.texts, scores, strict=True)]
    )


app = new_resolver()
app.include_router(router)


def handle(event: dict[str, Any], context: Any, settings: ScoreApiSettings) -> dict[str, Any]:
    tenants, _ = _adapters(settings)
    return serve(app, event, context, tenants=tenants, max_body_bytes=settings.max_body_bytes, settings=settings)
