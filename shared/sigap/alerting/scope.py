"""Local, national or global: the first question a crisis team asks, answered with the reason.

Judged on what the alert's window holds: where mentions come from (a source's country, region or city, and the
tenant's home country), whether news outlets carry it, how many channels and distinct places it reached, how
many people, and in how many languages.
"""

from __future__ import annotations

from sigap.aggregates import MinuteCounts
from sigap.alerting.models import Finding, Scope

NATIONAL_AUTHORS = 50
MIN_SHARE = 0.1


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
    languages = {name for name, count in window.languages.items() if window.total and count / window.total >= 0.15}
    languages.discard("other")
    if len(languages) >= 3:
        return Scope.GLOBAL, f"the talk is in {len(languages)} languages ({', '.join(sorted(languages))})"

    channels = window.channels
    if finding.story_id and finding.story_id in window.stories:
        channels = window.stories[finding.story_id].channels
        people = len(window.stories[finding.story_id].authors)
    else:
        people = len(window.authors)
    reached = sorted(name for name, count in channels.items() if count)
    reasons = []
    if channels.get("news"):
        reasons.append(f"{channels['news']} news article(s) carry it")
    entries = [entry.split("|") for entry in window.high_reach]
    if finding.story_id:
        entries = [entry for entry in entries if entry[5] == finding.story_id]
    if any(entry[4] == "news" for entry in entries):
        reasons.append("a far-reaching news outlet carries a severe claim")
    if len(window.regions) >= 3:
        reasons.append(f"it comes from {len(window.regions)} regions")
    if len(reached) >= 3:
        reasons.append(f"it crossed {len(reached)} channels ({', '.join(reached)})")
    if people >= NATIONAL_AUTHORS:
        reasons.append(f"{people} distinct people")
    if reasons:
        return Scope.NATIONAL, "; ".join(dict.fromkeys(reasons))
    place = f" from one place ({next(iter(window.regions))})" if len(window.regions) == 1 else ""
    return Scope.LOCAL, (
        f"{people} people{place} on {len(reached)} channel(s) ({', '.join(reached) or 'none'}), no news coverage"
    )
