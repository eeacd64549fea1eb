"""The post-crisis report drawn: one chart (mentions and the negative share per hour, on one time axis in the
brand's time zone, with the moments that mattered marked), the HTML page and the PDF. Charts are drawn by
matplotlib (Agg: no display) and the PDF written by fpdf2 with the DejaVu Sans font that matplotlib ships, so
nothing needs a system package on Lambda arm64."""

from __future__ import annotations

import base64
import io
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from sigap.statements.domain.markdown import to_html, to_text
from sigap.statements.domain.report import IncidentReport

if TYPE_CHECKING:
    from jinja2 import Environment

_MARK_COLOURS = {
    "detected": "#c62828",
    "acknowledged": "#ef6c00",
    "internal_notice": "#6a1b9a",
    "statement": "#2e7d32",
    "resolved": "#1565c0",
    "update_late": "#b71c1c",
}


def _zone(report: IncidentReport) -> ZoneInfo:
    return ZoneInfo(report.context.zone)


def local(report: IncidentReport, moment: datetime | None, with_date: bool = True) -> str:
    """A time as the brand's people read it: '04 Dec 2026 11:50 WIB'."""
    if moment is None:
        return "–"
    there = moment.astimezone(_zone(report))
    return f"{there:%d %b %Y %H:%M} {there.tzname()}" if with_date else f"{there:%H:%M} {there.tzname()}"


def chart(report: IncidentReport) -> bytes:
    """Mentions per hour above, the negative share per hour below, one time axis, the moments marked on both."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    zone = _zone(report)
    hours = [point.hour.astimezone(zone) for point in report.hours]
    figure, (volume, sentiment) = plt.subplots(2, 1, figsize=(8, 4.4), dpi=110, sharex=True)
    volume.bar(hours, [p.mentions for p in report.hours], width=1 / 24 * 0.9, color="#607d8b", align="edge")
    volume.set_ylabel("mentions / hour")
    volume.set_ylim(bottom=0, top=max([p.mentions for p in report.hours] + [1]) * 1.15)
    # An hour with no mention has no share: a gap in the line, not a drop to zero.
    shares = [p.negative_share * 100 if p.mentions else float("nan") for p in report.hours]
    sentiment.plot(hours, shares, color="#c62828", linewidth=1.6, marker=".", markersize=3)
    if report.figures.negative_share_before is not None:
        sentiment.axhline(report.figures.negative_share_before * 100, color="#999", linestyle=":", linewidth=1)
    sentiment.set_ylabel("negative %")
    sentiment.set_ylim(0, 100)
    seen: set[str] = set()
    for moment in report.timeline:
        colour = _MARK_COLOURS.get(moment.kind)
        if colour is None:
            continue
        label = moment.kind.replace("_", " ") if moment.kind not in seen else None
        seen.add(moment.kind)
        for axis in (volume, sentiment):
            axis.axvline(
                moment.at.astimezone(zone), color=colour, linewidth=1.2, label=label if axis is volume else None
            )
    locator = mdates.AutoDateLocator(tz=zone, minticks=4, maxticks=9)  # type: ignore[no-untyped-call]
    sentiment.xaxis.set_major_locator(locator)
    sentiment.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=zone))  # type: ignore[no-untyped-call]
    sentiment.set_xlabel(f"time ({hours[0].tzname() if hours else report.context.zone})")
    for axis in (volume, sentiment):
        axis.tick_params(labelsize=7)
        axis.grid(axis="y", alpha=0.3)
    if seen:
        volume.legend(fontsize=6, loc="upper left", ncol=3, frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def _source(name: str) -> str:
    return resources.files("sigap.statements.domain").joinpath("pages", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from jinja2 import Environment, FunctionLoader, select_autoescape  # on the first report, not every request

    environment = Environment(loader=FunctionLoader(_source), autoescape=select_autoescape(default=True))
    environment.filters["pct"] = lambda v: "–" if v is None else f"{v * 100:.0f} %"
    environment.filters["markdown"] = lambda text: Markup(to_html(text))  # noqa: S704 - sanitised by to_html
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


def reach_rows(report: IncidentReport) -> list[tuple[str, str]]:
    """The crisis's reach beside the correction's: what a board asks first."""
    r = report.reach
    channels = ", ".join(f"{name} {count}" for name, count in r.story_channels.items()) or "–"
    return [
        ("Mentions during the crisis", f"{r.mentions:,}"),
        ("People who posted (distinct authors)", f"{r.authors:,}, of whom {r.negative_authors:,} negative"),
        (
            "The story itself",
            f"{r.story_mentions:,} mentions by {r.story_authors:,} people ({channels})"
            if r.story_id
            else "– (the incident follows a signal, not one story; the samples below are negative posts)",
        ),
        ("Statements published (versions)", f"{r.statements_published}"),
        (
            "The correction sent to",
            f"{r.staff_told:,} staff, {r.channel_posts:,} channel posts, {r.subscribers_emailed:,} subscribers, "
            "and the public status page (its views are not counted: it is a static site)",
        ),
    ]


def _named(report: IncidentReport, pairs: list[tuple[str, int]], names: dict[str, str]) -> list[tuple[str, int]]:
    return [(names.get(name, name), count) for name, count in pairs]


def report_html(report: IncidentReport) -> str:
    picture = base64.b64encode(chart(report)).decode()
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            r=report,
            title=report.incident.title,
            when=lambda moment, with_date=True: local(report, moment, with_date),
            figures=figure_rows(report),
            reach=reach_rows(report),
            stories=_named(report, report.stories, report.context.story_names),
            target=lambda name: report.context.target_names.get(name, name),
            chart=picture,
        )
    )


def _font() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def report_pdf(report: IncidentReport) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(_font()))
    pdf.add_font("DejaVu", "B", str(_font().with_name("DejaVuSans-Bold.ttf")))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    _line(pdf, 8, f"Post-crisis report: {report.incident.title}")
    pdf.set_font("DejaVu", "", 9)
    _line(
        pdf,
        5,
        f"{report.tenant_id} · {report.incident.severity.value}, {report.incident.scope.value} · "
        f"{report.incident.state.value} · generated {local(report, report.generated_at)}",
    )
    for heading, rows in (
        ("Figures", figure_rows(report)),
        ("Reach, and how far the correction travelled", reach_rows(report)),
    ):
        _heading(pdf, heading)
        for name, value in rows:
            pdf.cell(70, 6, name)
            pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "Volume and sentiment per hour")
    pdf.image(io.BytesIO(chart(report)), w=180)
    _heading(pdf, "Timeline")
    for moment in report.timeline:
        _line(pdf, 5, f"{local(report, moment.at)}  {moment.kind.replace('_', ' ')}: {moment.text}"[:400])
    _heading(pdf, "Statements")
    for row in report.statements:
        names = report.context.target_names
        delivered = ", ".join(
            f"{names.get(d.target, d.target)} {d.state.value} ({d.sent} sent, {d.failed} failed)"
            for d in row.deliveries
        )
        correction = " (correction)" if row.correction else ""
        _line(pdf, 5, f"v{row.version} {local(report, row.published_at)}{correction}: {row.title}")
        _line(pdf, 5, to_text(row.body)[:3000])
        _line(pdf, 5, f"    {delivered or 'no delivery recorded'}")
    _heading(pdf, "What was being said")
    for phase in report.context.phases:
        _line(pdf, 5, f"{phase.name} ({local(report, phase.since)} – {local(report, phase.until, False)})")
        for post in phase.samples:
            _line(pdf, 5, f"    {post.channel} {post.author}: {post.text}"[:500])
    _heading(pdf, "What mattered")
    stories = _named(report, report.stories, report.context.story_names)
    for label, counted in (("Stories", stories), ("Channels", report.channels), ("Sources", report.sources)):
        _line(pdf, 5, f"{label}: " + ("; ".join(f"{name} ({count})" for name, count in counted) or "-"))
    _heading(pdf, "Lessons learned")
    _line(pdf, 5, to_text(report.lessons) if report.lessons else "Not written yet")
    return bytes(pdf.output())


def _line(pdf: Any, height: int, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: Any, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
