"""An idle brand stack's minute emits no CloudWatch metric. A custom metric costs $0.30 a month once it is emitted
in every hour, so a metric sent every idle minute is paid for whatever happens; the idle floor `make bench`
prints counts none. The metrics that say something happened (alerts, feed reads, publications) stay."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sigap.platform.observability import metrics
from sigap_tools.capacity import cost
from sigap_tools.local.event_sources import scheduled_event
from tests.conftest import FakeContext, load_handler, sqs_event
from tests.integration.conftest import AwsStack

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def test_an_idle_minute_of_the_scheduled_functions_and_the_evaluator_emits_no_metric(
    aws: AwsStack, lambda_context: Any, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # Given a tenant with nothing new: no mentions, no feeds, no incident to remind anyone of
    aws.new_tenant("brand-a")
    now = datetime.now(UTC)
    capsys.readouterr()
    # When a minute's schedules run (the detector, the feed scheduler, the reminders) and the tenant's minute is
    # evaluated
    aws.use_function_environment("DetectorFunction")
    assert load_handler("detector").lambda_handler(scheduled_event(now), lambda_context)["tenants"] == 1
    requests = aws.queued_bodies("EvaluationQueue")
    aws.use_function_environment("EvaluatorFunction")
    assert load_handler("evaluator").lambda_handler(sqs_event(requests), lambda_context) == {"batchItemFailures": []}
    aws.use_function_environment("FeedSchedulerFunction")
    assert load_handler("feed_scheduler").lambda_handler(scheduled_event(now), lambda_context)["queued"] == 0
    aws.use_function_environment("RemindersFunction")
    load_handler("reminders").lambda_handler(scheduled_event(now), lambda_context)
    # Then their log lines say what they did, and none of them emitted a metric (an embedded-metric document)
    assert "evaluations requested" in caplog.text
    metric_documents = [line for line in capsys.readouterr().out.splitlines() if '"CloudWatchMetrics"' in line]
    assert metric_documents == []
    # (a metric flushed now is seen: the emptiness above is not the capture missing them)
    metrics.add_metric(name="CaptureCheck", unit="Count", value=1)
    metrics.flush_metrics()
    assert '"CaptureCheck"' in capsys.readouterr().out
    # And the idle floor `make bench` prints pays for none
    priced = [line for line in cost.idle_floor(TEMPLATE, 1.0) if line.item == "CloudWatch custom metrics"]
    assert [line.usd for line in priced] == [0]


class _SecondsLeft(FakeContext):
    def get_remaining_time_in_millis(self) -> int:
        return 5_000


def test_a_reminders_run_cut_short_by_its_deadline_publishes_how_many_tenants_wait(
    aws: AwsStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a tenant whose promises need a look (a new stack wakes every tenant once)
    aws.new_tenant("brand-a")
    capsys.readouterr()
    # When the reminders run has less time left than one tenant's look needs
    aws.use_function_environment("RemindersFunction")
    assert load_handler("reminders").lambda_handler(scheduled_event(datetime.now(UTC)), _SecondsLeft())["tenants"] == 0
    # Then the tenant waits for the next minute, and the run says so as a metric (before, the reminders function
    # added it but never published it)
    printed = capsys.readouterr().out
    [document] = [json.loads(line) for line in printed.splitlines() if '"CloudWatchMetrics"' in line]
    assert document["RemindersDeferred"] == [1.0]
