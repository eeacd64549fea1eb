"""How far a mention can spread, in 0..1, from its author's audience, its engagement and its channel.

A news article reaches more people than a blog post, which reaches more than a forum reply; a verified account
more than an anonymous one. When the source tells us nothing, the channel's typical audience stands in.
"""

from __future__ import annotations

import math

from sigap.kernel.kinds import SourceChannel

# Typical audience of one item on each kind of channel, used when the source gives no follower count.
TYPICAL_AUDIENCE: dict[SourceChannel, int] = {
    SourceChannel.NEWS: 200_000,
    SourceChannel.BLOG: 5_000,
    SourceChannel.SOCIAL: 500,
    SourceChannel.FORUM: 1_000,
    SourceChannel.REVIEW: 800,
    SourceChannel.EMAIL: 300,  # a forward to a mailing list
    SourceChannel.TICKET: 1,  # a private complaint, until it goes public
    SourceChannel.OTHER: 200,
}
CHANNEL_WEIGHT: dict[SourceChannel, float] = {
    SourceChannel.NEWS: 1.0,
    SourceChannel.BLOG: 0.8,
    SourceChannel.SOCIAL: 0.75,
    SourceChannel.FORUM: 0.65,
    SourceChannel.REVIEW: 0.6,
    SourceChannel.EMAIL: 0.6,
    SourceChannel.TICKET: 0.4,
    SourceChannel.OTHER: 0.5,
}
SATURATION = math.log10(10_000_000)  # ten million: a national TV or top news audience


def reach_of(
    channel: SourceChannel,
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
