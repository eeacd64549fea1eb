"""A tenant's notification policy: the routing tree (Alertmanager's semantics: matchers, `continue`, group_by,
group_wait / group_interval / repeat_interval, mute and active time intervals), inhibition rules, escalation
policies, incident settings and the language messages are written in. The defaults work with no
configuration: warnings and criticals go to every channel, grouped by story."""

from __future__ import annotations

import re
from datetime import datetime, time
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sigap.detection.domain.models import Alert, Severity
from sigap.detection.domain.story import dominant_story
from sigap.incidents.domain.model import IncidentSettings
from sigap.kernel.language import Language
from sigap.outbound.domain.models import CHANNEL_ID_PATTERN

LABELS = ("tenant", "client", "severity", "scope", "rule", "subject", "story", "status")
LabelName = Literal["tenant", "client", "severity", "scope", "rule", "subject", "story", "status"]
NAME_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
ChannelRef = Annotated[str, Field(pattern=CHANNEL_ID_PATTERN)]


def alert_labels(alert: Alert, client: str) -> dict[str, str]:
    """What routes, silences and inhibition rules match on."""
    return {
        "tenant": alert.tenant_id,
        "client": client,
        "severity": alert.severity.value,
        "scope": alert.scope.value,
        "rule": alert.rule.value,
        "subject": alert.subject,
        "story": dominant_story(alert),
        "status": alert.status.value,
    }


class MatchOp(StrEnum):
    EQUAL = "="
    NOT_EQUAL = "!="
    REGEX = "=~"
    NOT_REGEX = "!~"


class Matcher(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: LabelName
    op: MatchOp = MatchOp.EQUAL
    value: str = Field(max_length=256)

    @model_validator(mode="after")
    def _valid_regex(self) -> Matcher:
        if self.op in (MatchOp.REGEX, MatchOp.NOT_REGEX):
            try:
                re.compile(self.value)
            except re.error as exc:
                raise ValueError(f"value is not a valid regular expression: {exc}") from exc
        return self

    def matches(self, labels: dict[str, str]) -> bool:
        actual = labels.get(self.label, "")
        if self.op is MatchOp.EQUAL:
            return actual == self.value
        if self.op is MatchOp.NOT_EQUAL:
            return actual != self.value
        found = re.fullmatch(self.value, actual) is not None
        return found if self.op is MatchOp.REGEX else not found


def all_match(matchers: list[Matcher], labels: dict[str, str]) -> bool:
    return all(matcher.matches(labels) for matcher in matchers)


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class TimeRange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start: time = Field(description="HH:MM, inclusive")
    end: time = Field(description="HH:MM, exclusive; 00:00 means midnight at the end of the day")


class TimeInterval(BaseModel):
    """Alertmanager's time interval: weekdays and times of day in a time zone (all days / all day if empty)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weekdays: list[Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]] = Field(
        default_factory=list
    )
    times: list[TimeRange] = Field(default_factory=list)
    location: str = Field(default="Asia/Jakarta", description="IANA time zone, e.g. Asia/Jakarta")

    @field_validator("location")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.location))
        if self.weekdays and _WEEKDAYS[local.weekday()] not in self.weekdays:
            return False
        if not self.times:
            return True
        now = local.time().replace(tzinfo=None)
        return any(span.start <= now < span.end if span.end != time(0) else span.start <= now for span in self.times)


class RouteNode(BaseModel):
    """One node of the routing tree. Unset timings and group_by are inherited from the parent."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True)

    name: str = Field(default="", max_length=64)
    matchers: list[Matcher] = Field(default_factory=list)
    receivers: list[ChannelRef] | None = Field(
        default=None, description="Channel ids; unset on the root = every enabled channel of the tenant"
    )
    continue_: bool = Field(default=False, alias="continue", description="Keep matching later siblings")
    group_by: list[LabelName] | None = None
    group_wait_seconds: int | None = Field(default=None, ge=0, le=3600)
    group_interval_seconds: int | None = Field(default=None, ge=1, le=86400)
    repeat_interval_seconds: int | None = Field(default=None, ge=60, le=7 * 86400)
    mute_time_intervals: list[str] = Field(default_factory=list)
    active_time_intervals: list[str] = Field(default_factory=list)
    escalation_policy: str | None = Field(default=None, pattern=NAME_PATTERN)
    routes: list[RouteNode] = Field(default_factory=list, max_length=50)


class InhibitRule(BaseModel):
    """While an alert matching `source` fires, alerts matching `target` with the same `equal` labels are muted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: list[Matcher]
    target: list[Matcher]
    equal: list[LabelName] = Field(default_factory=lambda: list[LabelName](["tenant", "story"]))


class EscalationStep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    after_minutes: int = Field(ge=1, le=1440, description="Minutes without an acknowledgement before this step")
    receivers: list[ChannelRef] = Field(min_length=1)


class EscalationPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    steps: list[EscalationStep] = Field(min_length=1, max_length=10)
    loops: int = Field(default=0, ge=0, le=9, description="Times to start again from the first step")
    min_severity: Severity = Severity.CRITICAL


def _default_inhibition() -> list[InhibitRule]:
    return [
        InhibitRule(
            source=[Matcher(label="severity", value="critical")],
            target=[Matcher(label="severity", op=MatchOp.REGEX, value="warning|info")],
            equal=["tenant", "story"],
        )
    ]


def _default_root() -> RouteNode:
    """What works with no configuration: warnings and critical alerts to every enabled channel, grouped per
    story, with Alertmanager's timings written out so a tenant sees what is in force."""
    return RouteNode(
        name="root",
        matchers=[Matcher(label="severity", op=MatchOp.NOT_EQUAL, value="info")],
        group_by=list(DEFAULT_GROUP_BY),
        group_wait_seconds=DEFAULT_GROUP_WAIT,
        group_interval_seconds=DEFAULT_GROUP_INTERVAL,
        repeat_interval_seconds=DEFAULT_REPEAT_INTERVAL,
    )


class NotificationPolicy(BaseModel):
    """`PUT /v1/tenants/{tenant}/notification-policy`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: Language = Language.ENGLISH
    route: RouteNode = Field(default_factory=_default_root)
    time_intervals: dict[Annotated[str, Field(pattern=NAME_PATTERN)], list[TimeInterval]] = Field(default_factory=dict)
    inhibit_rules: list[InhibitRule] = Field(default_factory=_default_inhibition)
    escalation_policies: dict[Annotated[str, Field(pattern=NAME_PATTERN)], EscalationPolicy] = Field(
        default_factory=dict
    )
    incidents: IncidentSettings = Field(default_factory=IncidentSettings)
    ack_expires_after_minutes: int | None = Field(
        default=None, ge=5, le=7 * 1440, description="An acknowledgement lapses after this long (None: never)"
    )

    @model_validator(mode="after")
    def _references_exist(self) -> NotificationPolicy:
        def walk(node: RouteNode, path: str) -> None:
            for name in (*node.mute_time_intervals, *node.active_time_intervals):
                if name not in self.time_intervals:
                    raise ValueError(f"{path}: time interval {name!r} is not defined in time_intervals")
            if node.escalation_policy and node.escalation_policy not in self.escalation_policies:
                raise ValueError(f"{path}: escalation policy {node.escalation_policy!r} is not defined")
            for index, child in enumerate(node.routes):
                walk(child, f"{path}.routes[{index}]")

        walk(self.route, "route")
        return self

    def channel_ids(self) -> set[str]:
        found: set[str] = set()

        def walk(node: RouteNode) -> None:
            found.update(node.receivers or [])
            for child in node.routes:
                walk(child)

        walk(self.route)
        for policy in self.escalation_policies.values():
            for step in policy.steps:
                found.update(step.receivers)
        return found


DEFAULT_GROUP_BY: tuple[str, ...] = ("tenant", "story")
DEFAULT_GROUP_WAIT = 30
DEFAULT_GROUP_INTERVAL = 300
DEFAULT_REPEAT_INTERVAL = 4 * 3600


class MatchedRoute(BaseModel):
    """A leaf of the walk, with every inherited setting resolved."""

    model_config = ConfigDict(frozen=True)

    path: str = Field(description="Stable id of the node: its position in the tree, e.g. 'root/0/2'")
    receivers: list[str] | None
    group_by: tuple[str, ...]
    group_wait: int
    group_interval: int
    repeat_interval: int
    mute_time_intervals: tuple[str, ...]
    active_time_intervals: tuple[str, ...]
    escalation_policy: str | None


def matching_routes(policy: NotificationPolicy, labels: dict[str, str]) -> list[MatchedRoute]:
    """Alertmanager's walk: the root matches if its matchers do; a node's children are tried in order, the
    first match ends the search unless it says `continue`; a node no child matched is itself the result."""

    def resolved(node: RouteNode, parent: MatchedRoute | None, path: str) -> MatchedRoute:
        return MatchedRoute(
            path=path,
            receivers=node.receivers if node.receivers is not None else (parent.receivers if parent else None),
            group_by=tuple(node.group_by)
            if node.group_by is not None
            else (parent.group_by if parent else DEFAULT_GROUP_BY),
            group_wait=_pick(node.group_wait_seconds, parent.group_wait if parent else DEFAULT_GROUP_WAIT),
            group_interval=_pick(
                node.group_interval_seconds, parent.group_interval if parent else DEFAULT_GROUP_INTERVAL
            ),
            repeat_interval=_pick(
                node.repeat_interval_seconds, parent.repeat_interval if parent else DEFAULT_REPEAT_INTERVAL
            ),
            mute_time_intervals=tuple(node.mute_time_intervals) or (parent.mute_time_intervals if parent else ()),
            active_time_intervals=tuple(node.active_time_intervals) or (parent.active_time_intervals if parent else ()),
            escalation_policy=node.escalation_policy or (parent.escalation_policy if parent else None),
        )

    def walk(node: RouteNode, parent: MatchedRoute | None, path: str) -> list[MatchedRoute]:
        here = resolved(node, parent, path)
        found: list[MatchedRoute] = []
        for index, child in enumerate(node.routes):
            if not all_match(child.matchers, labels):
                continue
            found.extend(walk(child, here, f"{path}/{index}"))
            if not child.continue_:
                break
        return found or [here]

    if not all_match(policy.route.matchers, labels):
        return []
    return walk(policy.route, None, "root")


def _pick(value: int | None, inherited: int) -> int:
    return inherited if value is None else value


def in_intervals(policy: NotificationPolicy, names: tuple[str, ...], moment: datetime) -> bool:
    return any(interval.contains(moment) for name in names for interval in policy.time_intervals.get(name, []))


def sending_allowed(policy: NotificationPolicy, route: MatchedRoute, moment: datetime) -> bool:
    """Quiet hours: no sending inside a mute interval, nor outside the active intervals when some are set."""
    if route.mute_time_intervals and in_intervals(policy, route.mute_time_intervals, moment):
        return False
    return not route.active_time_intervals or in_intervals(policy, route.active_time_intervals, moment)


def inhibited(labels: dict[str, str], firing: list[dict[str, str]], rules: list[InhibitRule]) -> bool:
    """Whether another firing alert (by its labels) mutes this one under any rule."""
    for rule in rules:
        if not all_match(rule.target, labels):
            continue
        for source in firing:
            if source is labels or source == labels:
                continue
            if all_match(rule.source, source) and all(source.get(name) == labels.get(name) for name in rule.equal):
                return True
    return False
