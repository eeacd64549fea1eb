"""Detection logic on in-memory adapters: the statistics, baselines, rules, scope and an alert's lifecycle."""

from __future__ import annotations

import io
import json
import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigap.detection.domain.baseline import Count, Expectation, HourRecord, SignalAuthors, expectation_for, hour_key
from sigap.detection.domain.evaluation import DetectorPorts, evaluate_tenant
from sigap.detection.domain.lifecycle import ResolvedMark, ScopedFinding, fingerprint, plan
from sigap.detection.domain.models import (
    AlertStatus,
    DetectionSettings,
    Rule,
    RuleSettings,
    Scope,
    Sensitivity,
    Severity,
    TransitionKind,
)
from sigap.detection.domain.rules import findings_for
from sigap.detection.domain.scope import judge_scope
from sigap.detection.domain.stats import binomial_sf, negative_binomial_sf, smallest_significant
from sigap.detection.domain.view import DetectionView
from sigap.kernel.models import Mention, Score, ScoredMention, Sentiment, Signal
from sigap_tools.backtest.memory import (
    MemoryAggregates,
    MemoryAlerts,
    MemoryEvents,
    MemoryHistory,
    MemorySamples,
    MemoryState,
)
from sigap_tools.backtest.replay import run_backtest

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def scored(
    mention_id: str,
    author: str,
    at: datetime,
    *,
    sentiment: Sentiment = Sentiment.NEGATIVE,
    signal: str | None = None,
    story: str | None = None,
    channel: str = "social",
    reach: float = 0.3,
    country: str | None = None,
) -> ScoredMention:
    mention = Mention.model_validate(
        {
            "id": mention_id,
            "source": "test",
            "channel": channel,
            "text": "Teh Segar beracun",
            "created_at": at.isoformat(),
            "author": {"handle": author},
            "tenant_id": "brand-a",
            "received_at": at,
            **({"location": {"country": country}} if country else {}),
        }
    )
    score = Score(
        sentiment=sentiment,
        polarity=-0.8 if sentiment is Sentiment.NEGATIVE else 0.5,
        lang="id",
        risk=0.7 if signal else 0.3,
        reach=reach,
        signals=[Signal(category=signal, severity=0.9, evidence="x")] if signal else [],
        story_id=story,
        scorer="test",
    )
    return ScoredMention(mention=mention, score=score, scored_at=at)


def ports() -> DetectorPorts:
    return DetectorPorts(
        aggregates=MemoryAggregates(),
        history=MemoryHistory(),
        state=MemoryState(),
        alerts=MemoryAlerts(),
        events=MemoryEvents(),
        samples=MemorySamples(),
    )


def add(detector: DetectorPorts, mentions: list[ScoredMention]) -> None:
    assert isinstance(detector.aggregates, MemoryAggregates)
    assert isinstance(detector.samples, MemorySamples)
    for one in mentions:
        detector.aggregates.add(one)
        detector.samples.add(one)


def view_of(mentions: list[ScoredMention], history: list[HourRecord] | None = None) -> DetectionView:
    aggregates = MemoryAggregates()
    for one in mentions:
        aggregates.add(one)
    window = aggregates.window("brand-a", NOW - timedelta(minutes=59), NOW)
    return DetectionView(NOW, window.minutes, expectation_for(hour_key(NOW), history or []))


def quiet_history(hours: int = 24 * 14, negative: int = 4) -> list[HourRecord]:
    return [
        HourRecord(hour=hour_key(NOW - timedelta(hours=h)), total=20, negative=negative, negative_authors=negative)
        for h in range(1, hours + 1)
    ]


# --------------------------------------------------------------------------- statistics


def test_the_negative_binomial_tail_matches_poisson_when_dispersion_is_huge() -> None:
    # P(X >= 10 | Poisson(3)) = 0.001102...
    assert negative_binomial_sf(10, 3.0, 1e9) == pytest.approx(0.0011025, rel=1e-3)


def test_overdispersion_makes_a_count_less_surprising() -> None:
    assert negative_binomial_sf(20, 5.0, 3.0) > negative_binomial_sf(20, 5.0, 1e9)


@given(st.floats(0.1, 200), st.floats(0.5, 50), st.integers(0, 400))
@settings(max_examples=200, deadline=None)
def test_tails_fall_as_counts_rise(mean: float, dispersion: float, count: int) -> None:
    assert negative_binomial_sf(count + 1, mean, dispersion) <= negative_binomial_sf(count, mean, dispersion) + 1e-12


def test_the_binomial_tail_is_exact_on_a_small_case() -> None:
    # P(X >= 9 | n=10, p=0.5) = 11/1024
    assert binomial_sf(9, 10, 0.5) == pytest.approx(11 / 1024)


def test_the_threshold_is_the_first_significant_count() -> None:
    threshold = smallest_significant(3.0, 8.0, 1e-5, 1)
    assert negative_binomial_sf(threshold, 3.0, 8.0) < 1e-5 <= negative_binomial_sf(threshold - 1, 3.0, 8.0)


# --------------------------------------------------------------------------- baselines


def test_a_past_burst_does_not_become_the_new_normal() -> None:
    history = quiet_history()
    burst = [
        record
        if record.hour != hour_key(NOW - timedelta(days=1))
        else record.model_copy(update={"negative_authors": 400})
        for record in history
    ]
    assert expectation_for(hour_key(NOW), burst).per_hour["negative_authors"] == pytest.approx(
        expectation_for(hour_key(NOW), history).per_hour["negative_authors"], rel=0.35
    )


def test_a_busy_weekday_hour_is_judged_against_the_same_busy_hour() -> None:
    # Given two weeks where the evening around this hour carries 50 negative authors and the rest carry 2
    busy = {hour_key(NOW + timedelta(hours=shift))[11:13] for shift in (-1, 0, 1)}
    history = [
        record.model_copy(update={"negative_authors": 50 if record.hour[11:13] in busy else 2})
        for record in quiet_history()
    ]
    # Then this hour's baseline is the busy one, not the day's average
    assert expectation_for(hour_key(NOW), history).per_hour["negative_authors"] >= 30


def test_a_new_tenant_starts_on_priors() -> None:
    expectation = expectation_for(hour_key(NOW), [])
    assert expectation.on_priors
    assert "priors" in expectation.source


# --------------------------------------------------------------------------- rules


@given(st.integers(1, 200))
@settings(max_examples=30, deadline=None)
def test_one_account_posting_any_number_of_times_never_alerts(posts: int) -> None:
    # Given one angry account posting `posts` times in an hour, with crisis words, on one copied text
    rant = [
        scored(f"r{i}", "@angry", NOW - timedelta(minutes=i % 60), signal="fraud", story="s-0000000000aa")
        for i in range(posts)
    ]
    # Then no rule fires at all (a rant is one person), let alone a critical one
    assert findings_for(view_of(rant, quiet_history()), DetectionSettings()) == []


def test_many_people_claiming_poisoning_at_once_is_a_critical_signal_surge() -> None:
    crisis = [scored(f"c{i}", f"@p{i}", NOW - timedelta(minutes=i % 10), signal="safety_health") for i in range(30)]
    surges = [
        f for f in findings_for(view_of(crisis, quiet_history()), DetectionSettings()) if f.rule is Rule.SIGNAL_SURGE
    ]
    assert [(f.subject, f.severity) for f in surges] == [("safety_health", Severity.CRITICAL)]
    assert surges[0].evidence.observed == 30


def test_a_positive_campaign_copied_by_many_raises_nothing() -> None:
    campaign = [
        scored(
            f"p{i}", f"@fan{i}", NOW - timedelta(minutes=i % 50), sentiment=Sentiment.POSITIVE, story="s-00000000cafe"
        )
        for i in range(300)
    ]
    assert findings_for(view_of(campaign, quiet_history()), DetectionSettings()) == []


def test_a_negative_story_spreading_to_many_people_fires_story_spread() -> None:
    hoax = [
        scored(f"h{i}", f"@fw{i}", NOW - timedelta(minutes=i), story="s-000000000bad", channel="email")
        for i in range(20)
    ]
    spread = [
        f for f in findings_for(view_of(hoax, quiet_history()), DetectionSettings()) if f.rule is Rule.STORY_SPREAD
    ]
    assert [f.subject for f in spread] == ["s-000000000bad"]


def test_a_far_reaching_news_outlet_with_a_severe_claim_alerts_without_volume() -> None:
    article = [scored("n1", "@kompas", NOW, signal="safety_health", channel="news", reach=0.95)]
    found = findings_for(view_of(article, quiet_history()), DetectionSettings())
    assert [(f.rule, f.severity) for f in found] == [(Rule.HIGH_REACH, Severity.CRITICAL)]


def test_a_disabled_rule_and_a_higher_floor_are_respected() -> None:
    crisis = [scored(f"c{i}", f"@p{i}", NOW - timedelta(minutes=i % 10), signal="safety_health") for i in range(30)]
    quiet = DetectionSettings(
        rules={rule: RuleSettings(enabled=False) for rule in Rule if rule is not Rule.SIGNAL_SURGE}
        | {Rule.SIGNAL_SURGE: RuleSettings(min_authors=31)}
    )
    assert findings_for(view_of(crisis, quiet_history()), quiet) == []


def test_high_sensitivity_fires_on_less_than_normal() -> None:
    small = [scored(f"c{i}", f"@p{i}", NOW - timedelta(minutes=i), signal="legal") for i in range(3)]
    assert findings_for(view_of(small, quiet_history()), DetectionSettings()) == []
    high = findings_for(view_of(small, quiet_history()), DetectionSettings(sensitivity=Sensitivity.HIGH))
    assert [f.rule for f in high] == [Rule.SIGNAL_SURGE]


# --------------------------------------------------------------------------- scope


def _scope(mentions: list[ScoredMention], home: str | None = None) -> tuple[Scope, str]:
    view = view_of(mentions, quiet_history())
    [finding] = [f for f in findings_for(view, DetectionSettings()) if f.rule is Rule.SIGNAL_SURGE]
    return judge_scope(finding, view.total(60), home)


def test_a_few_people_on_one_channel_are_a_local_fire() -> None:
    scope, reason = _scope([scored(f"c{i}", f"@p{i}", NOW, signal="fraud") for i in range(6)])
    assert scope is Scope.LOCAL
    assert "no news coverage" in reason


def test_news_coverage_makes_it_national_and_says_so() -> None:
    mentions = [scored(f"c{i}", f"@p{i}", NOW, signal="fraud") for i in range(6)]
    mentions.append(scored("n", "@news", NOW, signal="fraud", channel="news", reach=0.5))
    scope, reason = _scope(mentions)
    assert scope is Scope.NATIONAL
    assert "news" in reason


def test_talk_from_abroad_makes_it_global() -> None:
    mentions = [scored(f"c{i}", f"@p{i}", NOW, signal="fraud", country=("SG", "MY", "ID")[i % 3]) for i in range(9)]
    scope, reason = _scope(mentions, home="ID")
    assert scope is Scope.GLOBAL
    assert "outside ID" in reason


# --------------------------------------------------------------------------- lifecycle


def test_one_alert_per_condition_escalated_in_place_then_resolved_after_quiet() -> None:
    detector = ports()
    settings = DetectionSettings(resolve_after_minutes=30)
    add(detector, [scored(f"a{i}", f"@p{i}", NOW, signal="safety_health") for i in range(5)])
    first = evaluate_tenant("brand-a", NOW, settings, detector)
    assert [t.kind for t in first.transitions] == [TransitionKind.FIRED]
    again = evaluate_tenant("brand-a", NOW, settings, detector)
    assert again.transitions == []  # the same minute twice: nothing new
    later = NOW + timedelta(minutes=1)
    add(detector, [scored(f"b{i}", f"@q{i}", later, signal="safety_health") for i in range(20)])
    grown = evaluate_tenant("brand-a", later, settings, detector)
    surge = [t for t in grown.transitions if t.alert.rule is Rule.SIGNAL_SURGE]
    assert [t.kind for t in surge] == [TransitionKind.ESCALATED]
    assert surge[0].alert.alert_id == first.transitions[0].alert.alert_id
    cleared = [
        t
        for minute in range(2, 70)
        for t in evaluate_tenant("brand-a", NOW + timedelta(minutes=minute), settings, detector).transitions
    ]
    resolved = [t for t in cleared if t.alert.rule is Rule.SIGNAL_SURGE]
    assert [t.kind for t in resolved] == [TransitionKind.RESOLVED]
    assert resolved[0].alert.status is AlertStatus.RESOLVED


def test_a_condition_returning_soon_after_it_cleared_is_not_a_new_alert() -> None:
    crisis = [scored(f"c{i}", f"@p{i}", NOW, signal="fraud") for i in range(6)]
    view = view_of(crisis, quiet_history())
    findings = findings_for(view, DetectionSettings())
    scoped = [ScopedFinding(f, Scope.LOCAL, "test") for f in findings]
    marks = {
        fingerprint("brand-a", f.rule, f.subject): ResolvedMark(
            resolved_at=NOW - timedelta(minutes=5), severity=f.severity
        )
        for f in findings
    }
    assert plan("brand-a", NOW, scoped, {}, marks, DetectionSettings()) == []
    assert plan("brand-a", NOW, scoped, {}, {}, DetectionSettings())


# --------------------------------------------------------------------------- the backtest's input


def test_the_backtest_takes_what_external_tools_send_and_reports_what_it_cannot() -> None:
    lines = [
        json.dumps(
            {
                "tenant": "brand-a",
                "text": "Teh Segar beracun!",
                "author": "@x",
                "reach": 0.9,
                "created_at": "2026-11-22T10:00:00+07:00",
                "label": "negative",
            }
        ),
        json.dumps({"tenant": "brand-a", "text": "enak", "created_at": "2026-11-22T10:01:00+07:00", "reach": 5000}),
        "not json",
        json.dumps({"text": "no tenant", "created_at": "2026-11-22T10:00:00Z"}),
        json.dumps({"tenant": "brand-a", "text": "x"}),
    ]
    output = io.StringIO()
    report = run_backtest(lines, output, progress=False, tail_minutes=5)
    assert (report.mentions, report.rejected) == (2, 3)
    assert any("tenant" in problem for problem in report.problems)
    assert any("created_at" in problem for problem in report.problems)


def test_every_backtest_line_has_the_promised_fields() -> None:
    start = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    lines = [
        json.dumps(
            {
                "tenant": "brand-a",
                "id": f"m{i}",
                "author": f"@p{i}",
                "channel": "social",
                "source": "t",
                "text": "Teh Segar beracun, anak saya keracunan setelah minum",
                "created_at": (start + timedelta(seconds=10 * i)).isoformat(),
            }
        )
        for i in range(40)
    ]
    output = io.StringIO()
    run_backtest(lines, output, progress=False)
    records = [json.loads(line) for line in output.getvalue().splitlines()]
    assert records
    for record in records:
        assert {"tenant", "fired_at", "status", "severity", "scope", "rule", "fingerprint", "summary"} <= set(record)
        assert datetime.fromisoformat(record["fired_at"]).utcoffset() is not None
    assert not math.isnan(sum(record["observed"] for record in records))


@pytest.mark.parametrize(
    ("line", "check"),
    [
        ({"created_at": "2015-02-24 11:35:52 -0800"}, lambda m: m.created_at.hour == 19),
        ({"created_at": "Wed Feb 24 11:35:52 +0000 2015"}, lambda m: m.created_at.day == 24),
        ({"timestamp": "2015-02-24T11:35:52Z"}, lambda m: m.created_at.minute == 35),
        ({"channel": "twitter"}, lambda m: m.channel.value == "social"),
        ({"channel": "NEWS"}, lambda m: m.channel.value == "news"),
        ({"author": {"screen_name": "@rina", "followers_count": 50}}, lambda m: m.author.followers == 50),
        ({"id": 570306133677760513}, lambda m: m.id == "570306133677760513"),
        ({"id": "has spaces in it"}, lambda m: m.id.startswith("h-")),
        ({"location": "Jakarta"}, lambda m: m.location is not None and m.location.region == "Jakarta"),
        ({"language": "en-US"}, lambda m: m.language == "en"),
        ({"engagement": {"retweet_count": 4}}, lambda m: m.engagement.shares == 4),
    ],
)
def test_the_backtest_reads_what_dataset_exports_carry(line: dict[str, object], check: object) -> None:
    from sigap_tools.backtest.replay import mention_of

    payload = {"tenant": "brand-a", "text": "Teh Segar enak", "created_at": "2015-02-24T11:35:52+07:00"} | line
    mention = mention_of(json.dumps(payload), 1, NOW)
    assert callable(check)
    assert check(mention)


def test_a_time_without_an_offset_is_refused_by_the_backtest_too() -> None:
    from sigap_tools.backtest.replay import BadLineError, mention_of

    with pytest.raises(BadLineError, match="created_at"):
        mention_of(json.dumps({"tenant": "brand-a", "text": "x", "created_at": "2015-02-24 11:35:52"}), 1, NOW)


def test_a_repeated_id_is_kept_once_as_the_api_keeps_it() -> None:
    line = json.dumps({"tenant": "brand-a", "id": "a", "text": "x", "created_at": "2026-11-22T10:00:00Z"})
    report = run_backtest([line, line], io.StringIO(), progress=False, tail_minutes=1)
    assert (report.mentions, report.duplicates) == (1, 1)


def test_a_backlash_that_doubles_negative_talk_for_hours_fires_without_any_single_spike() -> None:
    # Given a steady brand (4 negative people an hour) whose last two hours each had 11, and 9 more this hour
    history = quiet_history()
    recent = [
        HourRecord(hour=hour_key(NOW - timedelta(hours=h)), total=30, negative=11, negative_authors=11) for h in (1, 2)
    ]
    now = NOW + timedelta(minutes=59)
    this_hour = [scored(f"b{i}", f"@b{i}", NOW + timedelta(minutes=6 * i)) for i in range(9)]
    aggregates = MemoryAggregates()
    for one in this_hour:
        aggregates.add(one)
    window = aggregates.window("brand-a", now - timedelta(minutes=59), now)
    view = DetectionView(now, window.minutes, expectation_for(hour_key(NOW), history), recent)
    # Then the slow test fires on the three hours together (no 10, 30 or 60-minute window would)
    [finding] = findings_for(view, DetectionSettings())
    assert finding.rule is Rule.NEGATIVE_SPIKE
    assert finding.evidence.window_minutes == 180
    assert finding.evidence.observed == 31


def test_a_tenant_given_as_a_name_is_read_and_named_as_given_in_the_output() -> None:
    start = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    lines = [
        json.dumps(
            {
                "tenant": "US Airways",
                "id": f"m{i}",
                "author": f"@p{i}",
                "text": "my flight got cancelled and the airline poisoned my dog, lawsuit coming, fraud",
                "created_at": (start + timedelta(seconds=10 * i)).isoformat(),
            }
        )
        for i in range(30)
    ]
    output = io.StringIO()
    report = run_backtest(lines, output, progress=False)
    records = [json.loads(line) for line in output.getvalue().splitlines()]
    assert report.rejected == 0
    assert records
    assert {record["tenant"] for record in records} == {"US Airways"}


def test_a_baseline_saved_with_signals_in_per_hour_reads_as_the_same_typed_expectation() -> None:
    # Given detector state written before signals had a field of their own ('signal:<category>' in per_hour)
    legacy = {
        "hour": "2026-11-22T03",
        "per_hour": {
            "total": 30.0,
            "negative": 6.0,
            "negative_authors": 5.0,
            "max_story_authors": 2.0,
            "signal:boycott": 0.4,
            "signal:hoax": 1.2,
            "signal_any": 1.2,
        },
        "negative_share": 0.2,
        "history_hours": 400,
        "source": "seasonal baseline from 17 days of history",
    }
    # When it is read
    expectation = Expectation.model_validate(legacy)
    # Then the counts and the signals are apart, and every measure expects what it expected before
    assert expectation.per_hour == {
        Count.TOTAL: 30.0,
        Count.NEGATIVE: 6.0,
        Count.NEGATIVE_AUTHORS: 5.0,
        Count.MAX_STORY_AUTHORS: 2.0,
    }
    assert expectation.signals_per_hour == {"boycott": 0.4, "hoax": 1.2}
    assert expectation.per_minute(SignalAuthors("hoax")) == 1.2 / 60
    assert expectation.per_minute(SignalAuthors("fraud")) == 1.2 / 60 / 4  # never raised: a quarter of the busiest
    assert expectation.per_minute(Count.NEGATIVE_AUTHORS) == 5.0 / 60
    # And written again it keeps the new shape (read back unchanged)
    assert Expectation.model_validate_json(expectation.model_dump_json()) == expectation


def _crisis_then_quiet_stream() -> list[str]:
    """Chatter every few hours, a poisoning claim spreading through 40 people, quiet hours, a second wave."""
    start = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    lines = []
    for minute in range(0, 6 * 60, 150):
        lines.append({"text": "Teh Segar enak", "author": f"@fan{minute}", "at": start + timedelta(minutes=minute)})
    for wave, offset in enumerate((6 * 60, 13 * 60)):
        for person in range(40):
            at = start + timedelta(minutes=offset + person // 2)
            lines.append({"text": "Teh Segar beracun, anak saya keracunan", "author": f"@w{wave}p{person}", "at": at})
    return [
        json.dumps(
            {
                "tenant": "brand-a",
                "text": line["text"],
                "author": line["author"],
                "created_at": line["at"].isoformat(),
                "label": "negative" if "racun" in line["text"] else "positive",
            }
        )
        for line in lines
    ]


def test_quiet_minutes_write_nothing_and_catching_up_over_them_fires_and_resolves_as_minute_by_minute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sigap.detection.domain import evaluation
    from sigap_tools.backtest import replay

    # Given the same stream replayed minute by minute, then through the evaluator's entry point (which skips quiet
    # minutes and catches up over them), counting the detector-state writes
    stream = _crisis_then_quiet_stream()
    by_minute = io.StringIO()
    run_backtest(stream, by_minute, progress=False, tail_minutes=180)
    writes: list[str] = []  # the minutes whose evaluation wrote the detector's state
    asked = {"minute": ""}
    put = MemoryState.put

    def counted(self: MemoryState, state: evaluation.DetectorState, expected_version: int) -> bool:
        writes.append(asked["minute"])
        return put(self, state, expected_version)

    def through(tenant_id: str, moment: datetime, settings: DetectionSettings, ports: DetectorPorts) -> object:
        asked["minute"] = f"{moment:%Y-%m-%dT%H:%M}"
        done = evaluation.evaluate_through(tenant_id, moment, lambda: settings, ports)
        merged = evaluation.Evaluation(tenant_id, moment)
        for one in done:
            merged.transitions.extend(one.transitions)
        return merged

    monkeypatch.setattr(MemoryState, "put", counted)
    monkeypatch.setattr(replay, "evaluate_tenant", through)
    caught_up = io.StringIO()
    report = run_backtest(stream, caught_up, progress=False, tail_minutes=180)
    # Then the same alerts fire and resolve at the same minutes
    kinds = [json.loads(line)["transition"] for line in by_minute.getvalue().splitlines()]
    assert kinds.count("fired") >= 2, kinds
    assert "resolved" in kinds
    assert caught_up.getvalue() == by_minute.getvalue()
    # And between the first wave's last resolution (10:40) and the second wave (14:00), only the hours' roll-ups
    # wrote anything
    between = [minute for minute in writes if "2026-11-20T10:41" <= minute <= "2026-11-20T13:59"]
    assert between == ["2026-11-20T11:00", "2026-11-20T12:00", "2026-11-20T13:00"], between
    assert len(writes) < report.minutes
