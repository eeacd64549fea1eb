"""The post-crisis report of an incident, as a board would read it: titled by what people call the incident, in
the brand's time zone, with its timeline (first mention, detection, acknowledgement, internal notice, first
statement, each update, resolution), the figures (time to detect, acknowledge, first statement and resolve;
updates on time and late; negative share before, at the peak and after; hours for sentiment to return to the
brand's baseline), the reach of the crisis and how far the correction travelled against the hoax, sample posts
at each phase, the stories (by their text), channels and sources that mattered, each statement's text and
deliveries (channels by name), and the lessons the team writes. Rendering (charts, HTML, PDF) is
report_pages.py."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from itertools import pairwise

from pydantic import BaseModel, ConfigDict, Field

from sigap.incidents.domain.model import EventKind, Incident, IncidentEvent
from sigap.kernel.minute_counts import AggregateWindow, MinuteCounts
from sigap.kernel.models import UtcDatetime
from sigap.kernel.sketch import AuthorSketch
from sigap.statements.domain.models import ChannelDelivery, Statement

BASELINE = timedelta(hours=24)  # before the first mention: the brand's ordinary negative share
AFTER = timedelta(hours=24)  # watched after resolution (or after the peak while it is still open)
RECOVERED_MARGIN = 0.05  # back to baseline: within five points of it


class Moment(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: UtcDatetime
    kind: str
    text: str


class HourPoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    hour: UtcDatetime
    mentions: int
    negative: int

    @property
    def negative_share(self) -> float:
        return self.negative / self.mentions if self.mentions else 0.0


class StatementRow(BaseModel):
    statement_id: str
    version: int
    title: str
    body: str = Field(default="", description="Markdown, in the statement's first language")
    published_at: UtcDatetime | None
    correction: bool
    deliveries: list[ChannelDelivery]


class SamplePost(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: UtcDatetime
    text: str
    channel: str
    author: str = ""
    followers: int | None = None


class Phase(BaseModel):
    """One stretch of the crisis and posts that show what was being said in it."""

    model_config = ConfigDict(frozen=True)

    name: str
    since: UtcDatetime
    until: UtcDatetime
    samples: list[SamplePost] = Field(default_factory=list)


class Reach(BaseModel):
    """How far the crisis went, and how far the correction did: the hoax story against the statements."""

    mentions: int = 0
    authors: int = 0
    negative_authors: int = 0
    story_id: str | None = Field(default=None, description="None: the incident follows a signal, not one story")
    story_mentions: int = 0
    story_authors: int = 0
    story_channels: dict[str, int] = Field(default_factory=dict)
    statements_published: int = 0
    staff_told: int = 0
    channel_posts: int = 0
    subscribers_emailed: int = 0


class ReportContext(BaseModel):
    """What the report reads besides the incident: the brand's time zone, names for ids, posts per phase."""

    zone: str = "UTC"
    phases: list[Phase] = Field(default_factory=list)
    story_names: dict[str, str] = Field(default_factory=dict, description="Story id → its first post's text")
    target_names: dict[str, str] = Field(default_factory=dict, description="'channel:<id>' → the channel's name")


class ReportFigures(BaseModel):
    time_to_detect_minutes: float | None = None
    time_to_acknowledge_minutes: float | None = None
    time_to_first_statement_minutes: float | None = None
    time_to_resolve_minutes: float | None = None
    updates_on_time: int = 0
    updates_late: int = 0
    negative_share_before: float | None = None
    negative_share_peak: float | None = None
    negative_share_after: float | None = None
    peak_hour: UtcDatetime | None = None
    hours_to_baseline: float | None = Field(default=None, description="From the peak; None while not back")


class IncidentReport(BaseModel):
    tenant_id: str
    incident: Incident
    generated_at: UtcDatetime
    timeline: list[Moment]
    figures: ReportFigures
    hours: list[HourPoint]
    stories: list[tuple[str, int]]
    channels: list[tuple[str, int]]
    sources: list[tuple[str, int]]
    statements: list[StatementRow]
    lessons: str = ""
    reach: Reach = Field(default_factory=Reach)
    context: ReportContext = Field(default_factory=ReportContext)


_TIMELINE_KINDS = {
    EventKind.FIRST_MENTION: "first_mention",
    EventKind.OPENED: "opened",
    EventKind.ALERT_FIRED: "detected",
    EventKind.ACKNOWLEDGED: "acknowledged",
    EventKind.INTERNAL_NOTICE: "internal_notice",
    EventKind.STATEMENT_PUBLISHED: "statement",
    EventKind.UPDATE_OVERDUE: "update_late",
    EventKind.STATE_CHANGED: "state",
    EventKind.RESOLVED: "resolved",
}


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else round(max(0.0, (end - start).total_seconds() / 60), 1)


def _hours(window: AggregateWindow) -> list[HourPoint]:
    buckets: dict[datetime, list[MinuteCounts]] = {}
    for minute in window.minutes:
        at = datetime.fromisoformat(minute.minute).replace(tzinfo=window.since.tzinfo)
        buckets.setdefault(at.replace(minute=0, second=0, microsecond=0), []).append(minute)
    start = window.since.replace(minute=0, second=0, microsecond=0)
    points = []
    hour = start
    while hour <= window.until:
        minutes = buckets.get(hour, [])
        points.append(
            HourPoint(hour=hour, mentions=sum(m.total for m in minutes), negative=sum(m.negative for m in minutes))
        )
        hour += timedelta(hours=1)
    return points


def _share(points: list[HourPoint]) -> float | None:
    mentions = sum(p.mentions for p in points)
    return None if not mentions else sum(p.negative for p in points) / mentions


def report_window(incident: Incident, now: datetime) -> tuple[datetime, datetime]:
    start = (incident.first_mention_at or incident.opened_at) - BASELINE
    end = min(now, (incident.resolved_at or now) + AFTER)
    return start, max(end, start + timedelta(hours=1))


def story_of(incident: Incident) -> str | None:
    """The story an incident is about, when it was opened for one."""
    return incident.key.removeprefix("story:") if incident.key.startswith("story:") else None


def phase_windows(incident: Incident, first_statement_at: datetime | None, now: datetime) -> list[Phase]:
    """The crisis in three stretches: before it was detected, until the first statement, and after it."""
    start = incident.first_mention_at or incident.opened_at
    detected = max(start, incident.detected_at or incident.opened_at)
    answered = max(detected, first_statement_at or incident.resolved_at or now)
    end = max(answered, min(now, (incident.resolved_at or now) + AFTER))
    stretches = [
        ("Before detection", start, detected),
        ("Detection to the first statement", detected, answered),
        ("After the first statement", answered, end),
    ]
    return [Phase(name=name, since=since, until=until) for name, since, until in stretches if until > since]


def first_published(statements: list[Statement]) -> datetime | None:
    times = [v.published_at for s in statements for v in s.published() if v.published_at is not None]
    return min(times, default=None)


def crisis_minutes(window: AggregateWindow, incident: Incident) -> list[MinuteCounts]:
    """The window's minutes from the incident's first mention on (the rest is the baseline before it)."""
    since = (incident.first_mention_at or incident.opened_at).strftime("%Y-%m-%dT%H:%M")
    return [minute for minute in window.minutes if minute.minute >= since]


def top_stories(crisis: list[MinuteCounts], count: int = 8) -> list[tuple[str, int]]:
    """The stories with the most mentions during the crisis: the report's list, and the ones it names."""
    stories: Counter[str] = Counter()
    for minute in crisis:
        for story_id, story in minute.stories.items():
            stories[story_id] += story.mentions
    return stories.most_common(count)


def _reach(crisis: list[MinuteCounts], story: str | None, rows: list[StatementRow]) -> Reach:
    story_authors: list[AuthorSketch] = []
    story_channels: Counter[str] = Counter()
    story_mentions = 0
    for minute in crisis:
        if story and story in minute.stories:
            told = minute.stories[story]
            story_mentions += told.mentions
            story_authors.append(told.authors)
            story_channels.update(told.channels)
    authors = AuthorSketch.union(minute.authors for minute in crisis)
    negative_authors = AuthorSketch.union(minute.negative_authors for minute in crisis)
    sent = Counter[str]()
    for row in rows:
        for delivery in row.deliveries:
            kind = delivery.target.split(":", 1)[0]
            sent[kind] += delivery.sent
    return Reach(
        mentions=sum(m.total for m in crisis),
        authors=len(authors),
        negative_authors=len(negative_authors),
        story_id=story,
        story_mentions=story_mentions,
        story_authors=len(AuthorSketch.union(story_authors)),
        story_channels=dict(story_channels.most_common()),
        statements_published=len(rows),
        staff_told=sent["staff"],
        channel_posts=sent["channel"],
        subscribers_emailed=sent["subscribers"],
    )


def build_report(
    incident: Incident,
    events: list[IncidentEvent],
    statements: list[Statement],
    deliveries: dict[str, dict[int, list[ChannelDelivery]]],
    window: AggregateWindow,
    lessons: str,
    now: datetime,
    context: ReportContext | None = None,
) -> IncidentReport:
    timeline = [Moment(at=e.at, kind=_TIMELINE_KINDS[e.kind], text=e.text) for e in events if e.kind in _TIMELINE_KINDS]
    timeline.sort(key=lambda moment: moment.at)
    published = sorted(
        ((s, v) for s in statements for v in s.published()),
        key=lambda pair: pair[1].published_at or pair[1].created_at,
    )
    on_time = late = 0
    for (_, earlier), (_, later) in pairwise(published):
        promise = earlier.content.next_update_at
        if promise is not None and later.published_at is not None:
            on_time, late = (on_time + 1, late) if later.published_at <= promise else (on_time, late + 1)
    if published and incident.resolved_at is None:
        promise = published[-1][1].content.next_update_at
        if promise is not None and now > promise:
            late += 1  # the promise that is passing right now
    first_mention = incident.first_mention_at or incident.opened_at
    hours = _hours(window)
    before = [p for p in hours if p.hour < first_mention.replace(minute=0, second=0, microsecond=0)]
    during = [p for p in hours if p not in before]
    peak = max(during, key=lambda p: p.mentions, default=None)
    baseline = _share(before)
    after_start = incident.resolved_at or (peak.hour + timedelta(hours=1) if peak else now)
    after = [p for p in hours if p.hour >= after_start]
    hours_to_baseline = None
    if peak is not None and baseline is not None:
        for point in during:
            if point.hour > peak.hour and point.mentions and point.negative_share <= baseline + RECOVERED_MARGIN:
                hours_to_baseline = (point.hour - peak.hour).total_seconds() / 3600
                break
    detected = incident.detected_at or incident.opened_at
    figures = ReportFigures(
        time_to_detect_minutes=_minutes(incident.first_mention_at, incident.detected_at),
        time_to_acknowledge_minutes=_minutes(detected, incident.acknowledged_at),
        time_to_first_statement_minutes=_minutes(detected, published[0][1].published_at) if published else None,
        time_to_resolve_minutes=_minutes(detected, incident.resolved_at),
        updates_on_time=on_time,
        updates_late=late,
        negative_share_before=baseline,
        negative_share_peak=peak.negative_share if peak and peak.mentions else None,
        negative_share_after=_share(after),
        peak_hour=peak.hour if peak and peak.mentions else None,
        hours_to_baseline=hours_to_baseline,
    )
    crisis = crisis_minutes(window, incident)
    channels: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    for minute in crisis:
        channels.update(minute.channels)
        sources.update(minute.sources)
    rows = []
    for s, v in published:
        text = v.content.text(v.content.first)
        rows.append(
            StatementRow(
                statement_id=s.statement_id,
                version=v.number,
                title=text.title if text else s.statement_id,
                body=text.body if text else "",
                published_at=v.published_at,
                correction=v.content.correction,
                deliveries=deliveries.get(s.statement_id, {}).get(v.number, []),
            )
        )
    return IncidentReport(
        tenant_id=incident.tenant_id,
        incident=incident,
        generated_at=now,
        timeline=timeline,
        figures=figures,
        hours=hours,
        stories=top_stories(crisis),
        channels=channels.most_common(8),
        sources=sources.most_common(8),
        statements=rows,
        lessons=lessons,
        reach=_reach(crisis, story_of(incident), rows),
        context=context or ReportContext(),
    )
