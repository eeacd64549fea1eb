"""Local, national or global: the first question a crisis team asks, answered with the reason.

Judged on the alert's own population, not on the brand's ordinary chatter (a busy brand is always talked about
on every channel): for a negative spike or shift, the negative mentions; for a signal surge, the mentions
raising that kind of crisis; for a story, its copies together with the talk about the same claims (the
forwarded hoax and the blog posts and news about it are one fire). On that population: whether news outlets
carry it, how many channels and people it reached; on the window: where mentions come from (a source's
country, region or city, against the tenant's home country) and in how many languages.
"""

from __future__ import annotations

from dataclasses import dataclass

from sigap.detection.domain.models import Finding, Rule, Scope
from sigap.kernel.language import INDONESIAN_REGIONAL
from sigap.kernel.minute_counts import MinuteCounts

NATIONAL_AUTHORS = 25  # a local fire is a handful of people (one store, one town); this many is not
NATIONAL_CHANNELS = 3
MIN_SHARE = 0.1


@dataclass(frozen=True)
class _Population:
    channels: dict[str, int]
    people: int
    far_reaching_news: bool


def _merged(*parts: dict[str, int]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for part in parts:
        for name, count in part.items():
            merged[name] = merged.get(name, 0) + count
    return merged


def _population(finding: Finding, window: MinuteCounts) -> _Population:
    entries = [entry.split("|") for entry in window.high_reach]
    if finding.rule is Rule.SIGNAL_SURGE:
        category = finding.subject
        return _Population(
            channels=window.signal_channels.get(category, {}),
            people=len(window.signal_authors.get(category, ())),
            far_reaching_news=any(entry[4] == "news" for entry in entries),
        )
    if finding.story_id and finding.story_id in window.stories:
        story = window.stories[finding.story_id]
        claims = [category for category, count in story.signals.items() if count]
        return _Population(
            channels=_merged(story.channels, *(window.signal_channels.get(c, {}) for c in claims)),
            people=max([len(story.authors), *(len(window.signal_authors.get(c, ())) for c in claims)]),
            far_reaching_news=any(entry[4] == "news" and entry[5] == finding.story_id for entry in entries),
        )
    return _Population(
        channels=window.negative_channels,
        people=len(window.negative_authors),
        far_reaching_news=any(entry[4] == "news" and entry[3] == "negative" for entry in entries),
    )


def judge_scope(finding: Finding, window: MinuteCounts, home_country: str | None) -> tuple[Scope, str]:
    located = sum(window.countries.values())
    countries = {code: count for code, count in window.countries.items() if located and count / located >= MIN_SHARE}
    if home_country and located:
        abroad = {code: count for code, count in countries.items() if code != home_country}
        abroad_share = sum(window.countries[code] for code in window.countries if code != home_country) / located
        if abroad_share >= 0.3 and len(abroad) >= 2:
            return Scope.GLOBAL, (
                f"{abroad_share:.0%} of located mentions come from outside {home_country} ({', '.join(sorted(abroad))})"
            )
    elif len(countries) >= 3:
        return Scope.GLOBAL, f"mentions come from {len(countries)} countries ({', '.join(sorted(countries))})"
    # Javanese and Sundanese are spoken inside Indonesia: talk in them has not crossed a border.
    spoken: dict[str, int] = {}
    for name, count in window.languages.items():
        nation = "id" if name in INDONESIAN_REGIONAL else name
        spoken[nation] = spoken.get(nation, 0) + count
    languages = {name for name, count in spoken.items() if window.total and count / window.total >= 0.15}
    languages.discard("other")
    if len(languages) >= 3:
        return Scope.GLOBAL, f"the talk is in {len(languages)} languages ({', '.join(sorted(languages))})"

    population = _population(finding, window)
    reached = sorted(name for name, count in population.channels.items() if count)
    reasons = []
    if population.channels.get("news"):
        reasons.append(f"{population.channels['news']} news article(s) carry it")
    if population.far_reaching_news:
        reasons.append("a far-reaching news outlet carries a severe claim")
    if len(window.regions) >= 3:
        reasons.append(f"it comes from {len(window.regions)} regions")
    if len(reached) >= NATIONAL_CHANNELS:
        reasons.append(f"it crossed {len(reached)} channels ({', '.join(reached)})")
    if population.people >= NATIONAL_AUTHORS:
        reasons.append(f"{population.people} distinct people")
    if reasons:
        return Scope.NATIONAL, "; ".join(reasons)
    place = f" from one place ({next(iter(window.regions))})" if len(window.regions) == 1 else ""
    return Scope.LOCAL, (
        f"{population.people} people{place} on {len(reached)} channel(s) ({', '.join(reached) or 'none'}), "
        "no news coverage"
    )
