"""The post-crisis report of an incident: its timeline (first mention, detection, acknowledgement, internal
notice, first statement, each update, resolution), the figures (time to detect, acknowledge, first statement and
resolve; updates on time and late; negative share before, at the peak and after; hours for sentiment to return
to the brand's baseline), hourly charts of volume and sentiment with those moments marked, the stories, channels
and sources that mattered, each statement's deliveries, and the lessons the team writes.

Charts are drawn by matplotlib (Agg: no display) and the PDF written by fpdf2 with the DejaVu Sans font that
matplotlib ships, so nothing needs a system package on Lambda arm64."""

from __future__ import annotations

import base64
import io
from collections import Counter
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from jinja2 import Environment, FunctionLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field

from sigap.incidents.domain.model import EventKind, Incident, IncidentEvent
from sigap.kernel.minute_counts import AggregateWindow, MinuteCounts
from sigap.kernel.models import UtcDatetime
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
    published_at: UtcDatetime | None
    correction: bool
    deliveries: list[ChannelDelivery]


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


def build_report(
    incident: Incident,
    events: list[IncidentEvent],
    statements: list[Statement],
    deliveries: dict[str, dict[int, list[ChannelDelivery]]],
    window: AggregateWindow,
    lessons: str,
    now: datetime,
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
    crisis = [m for m in window.minutes if m.minute >= first_mention.strftime("%Y-%m-%dT%H:%M")]
    stories: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    for minute in crisis:
        for story_id, story in minute.stories.items():
            stories[story_id] += story.mentions
        channels.update(minute.channels)
        sources.update(minute.sources)
    rows = [
        StatementRow(
            statement_id=s.statement_id,
            version=v.number,
            title=(v.content.text(v.content.first).title if v.content.text(v.content.first) else s.statement_id),  # type: ignore[union-attr]
            published_at=v.published_at,
            correction=v.content.correction,
            deliveries=deliveries.get(s.statement_id, {}).get(v.number, []),
        )
        for s, v in published
    ]
    return IncidentReport(
        tenant_id=incident.tenant_id,
        incident=incident,
        generated_at=now,
        timeline=timeline,
        figures=figures,
        hours=hours,
        stories=stories.most_common(8),
        channels=channels.most_common(8),
        sources=sources.most_common(8),
        statements=rows,
        lessons=lessons,
    )


# -- charts ------------------------------------------------------------------------------------------------------

_MARK_COLOURS = {
    "detected": "#c62828",
    "acknowledged": "#ef6c00",
    "internal_notice": "#6a1b9a",
    "statement": "#2e7d32",
    "resolved": "#1565c0",
    "update_late": "#b71c1c",
}


def _day_number(moment: datetime) -> float:
    """matplotlib's date number: days since 1970-01-01 UTC (its default epoch)."""
    return moment.timestamp() / 86400


def charts(report: IncidentReport) -> tuple[bytes, bytes]:
    """(volume PNG, sentiment PNG): mentions per hour and the negative share per hour, moments marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    hours = [_day_number(p.hour) for p in report.hours]
    zone = report.hours[0].hour.tzinfo if report.hours else None
    images = []
    for kind in ("volume", "sentiment"):
        figure, axis = plt.subplots(figsize=(8, 2.6), dpi=110)
        if kind == "volume":
            axis.bar(hours, [p.mentions for p in report.hours], width=1 / 24 * 0.9, color="#607d8b", align="edge")
            axis.set_ylabel("mentions / hour")
            axis.set_ylim(bottom=0, top=max([p.mentions for p in report.hours] + [1]) * 1.1)
        else:
            # An hour with no mention has no share: a gap in the line, not a drop to zero.
            shares = [p.negative_share * 100 if p.mentions else float("nan") for p in report.hours]
            axis.plot(hours, shares, color="#c62828", linewidth=1.6, marker=".", markersize=3)
            if report.figures.negative_share_before is not None:
                axis.axhline(report.figures.negative_share_before * 100, color="#999", linestyle=":", linewidth=1)
            axis.set_ylabel("negative %")
            axis.set_ylim(0, 100)
        seen: set[str] = set()
        for moment in report.timeline:
            colour = _MARK_COLOURS.get(moment.kind)
            if colour is None:
                continue
            label = moment.kind.replace("_", " ") if moment.kind not in seen else None
            seen.add(moment.kind)
            axis.axvline(_day_number(moment.at), color=colour, linewidth=1.2, label=label)
        axis.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %H:%M", tz=zone))  # type: ignore[no-untyped-call]
        axis.tick_params(labelsize=7)
        if seen:
            axis.legend(fontsize=6, loc="upper left", ncol=3, frameon=False)
        axis.grid(axis="y", alpha=0.3)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        plt.close(figure)
        images.append(buffer.getvalue())
    return images[0], images[1]


# -- HTML and PDF ------------------------------------------------------------------------------------------------


def _source(name: str) -> str:
    return resources.files("sigap.statements.domain").joinpath("pages", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(loader=FunctionLoader(_source), autoescape=select_autoescape(default=True))
    environment.filters["pct"] = lambda v: "–" if v is None else f"{v * 100:.0f} %"
    environment.filters["mins"] = _duration
    environment.filters["utc"] = lambda v: "–" if v is None else v.strftime("%d %b %Y %H:%M UTC")
    return environment


def _duration(minutes: float | None) -> str:
    if minutes is None:
        return "–"
    if minutes < 120:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.1f} h"


def figure_rows(report: IncidentReport) -> list[tuple[str, str]]:
    f = report.figures
    pct = _environment().filters["pct"]
    return [
        ("Time to detect (first mention → alert)", _duration(f.time_to_detect_minutes)),
        ("Time to acknowledge", _duration(f.time_to_acknowledge_minutes)),
        ("Time to first statement", _duration(f.time_to_first_statement_minutes)),
        ("Time to resolve", _duration(f.time_to_resolve_minutes)),
        ("Updates on time / late", f"{f.updates_on_time} / {f.updates_late}"),
        (
            "Negative share: before / peak / after",
            f"{pct(f.negative_share_before)} / {pct(f.negative_share_peak)} / {pct(f.negative_share_after)}",
        ),
        (
            "Hours from peak back to baseline",
            "not yet" if f.hours_to_baseline is None else f"{f.hours_to_baseline:.0f} h",
        ),
    ]


def report_html(report: IncidentReport) -> str:
    volume, sentiment = charts(report)
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            r=report,
            figures=figure_rows(report),
            volume=base64.b64encode(volume).decode(),
            sentiment=base64.b64encode(sentiment).decode(),
        )
    )


def _font() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def report_pdf(report: IncidentReport) -> bytes:
    from fpdf import FPDF

    volume, sentiment = charts(report)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(_font()))
    pdf.add_font("DejaVu", "B", str(_font().with_name("DejaVuSans-Bold.ttf")))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    _line(pdf, 8, f"Post-crisis report: {report.incident.title}")
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        0,
        5,
        f"{report.tenant_id} · {report.incident.incident_id} · {report.incident.severity.value}, "
        f"{report.incident.scope.value} · state {report.incident.state.value} · "
        f"generated {report.generated_at:%d %b %Y %H:%M UTC}",
    )
    _heading(pdf, "Figures")
    for name, value in figure_rows(report):
        pdf.cell(95, 6, name)
        pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "Volume and sentiment per hour")
    pdf.image(io.BytesIO(volume), w=180)
    pdf.image(io.BytesIO(sentiment), w=180)
    _heading(pdf, "Timeline")
    for moment in report.timeline:
        _line(pdf, 5, f"{moment.at:%d %b %H:%M} UTC  {moment.kind.replace('_', ' ')}: {moment.text}"[:400])
    _heading(pdf, "Statements and deliveries")
    for row in report.statements:
        delivered = ", ".join(f"{d.target} {d.state.value} ({d.sent} sent, {d.failed} failed)" for d in row.deliveries)
        when = f"{row.published_at:%d %b %H:%M} UTC" if row.published_at else "-"
        _line(pdf, 5, f"v{row.version} {when}{' (correction)' if row.correction else ''}: {row.title}")
        _line(pdf, 5, f"    {delivered or 'no delivery recorded'}")
    _heading(pdf, "What mattered")
    for label, rows in (("Stories", report.stories), ("Channels", report.channels), ("Sources", report.sources)):
        _line(pdf, 5, f"{label}: " + (", ".join(f"{name} ({count})" for name, count in rows) or "-"))
    _heading(pdf, "Lessons learned")
    _line(pdf, 5, report.lessons or "Not written yet: PUT .../incidents/{id}/report/lessons")
    return bytes(pdf.output())


def _line(pdf: Any, height: int, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: Any, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
