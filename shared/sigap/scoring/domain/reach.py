"""How far a mention can spread, in 0..1, from its author's audience, its engagement and its channel.

A news article reaches more people than a blog post, which reaches more than a forum reply; a verified account
more than an anonymous one. When the source tells us nothing, the channel's typical audience stands in.
"""

from __future__ import annotations

import math

from sigap.kernel.kinds import ChannelKind

# Typical audience of one item on each kind of channel, used when the source gives no follower count.
TYPICAL_AUDIENCE: dict[ChannelKind, int] = {
    ChannelKind.NEWS: 200_000,
    ChannelKind.BLOG: 5_000,
    ChannelKind.SOCIAL: 500,
    ChannelKind.FORUM: 1_000,
    ChannelKind.REVIEW: 800,
    ChannelKind.EMAIL: 300,  # a forward to a mailing list
    ChannelKind.TICKET: 1,  # a private complaint, until it goes public
    ChannelKind.OTHER: 200,
}
CHANNEL_WEIGHT: dict[ChannelKind, float] = {
    ChannelKind.NEWS: 1.0,
    ChannelKind.BLOG: 0.8,
    ChannelKind.SOCIAL: 0.75,
    ChannelKind.FORUM: 0.65,
    ChannelKind.REVIEW: 0.6,
    ChannelKind.EMAIL: 0.6,
    ChannelKind.TICKET: 0.4,
    ChannelKind.OTHER: 0.5,
}
SATURATION = math.log10(10_000_000)  # ten million: a national TV or top news audience


def reach_of(
    channel: ChannelKind,
    followers: int | None = None,
    verified: bool = False,
    likes: int = 0,
    shares: int = 0,
    comments: int = 0,
) -> float:
    audience = followers if followers is not None else TYPICAL_AUDIENCE[channel]
    # A share puts the post in front of a new audience; a comment or like mostly keeps it visible.
    amplified = audience + 50 * shares + 5 * comments + likes
    if verified:
        amplified *= 3
    base = min(1.0, math.log10(1 + amplified) / SATURATION)
    return round(base * math.sqrt(CHANNEL_WEIGHT[channel]), 4)
