"""The limits of the routes anyone can call, and of a channel's test message: generous for a person, tight for a
script. A status page is read by many people behind one address (an office, a mobile carrier's NAT), so reads
allow the most; subscribing, which sends an e-mail to someone, the least."""

from __future__ import annotations

from sigap.platform.rate_limits import Per, RateLimit

STATUS_READS = RateLimit(requests=120, seconds=60)
SUBSCRIBES = RateLimit(requests=10, seconds=60)  # a form filled in by hand; 60 strangers' addresses took 12 s
LINKS = RateLimit(requests=30, seconds=60)  # acknowledgement, confirmation and unsubscribe links, forged or real
SIGN_INS = RateLimit(requests=10, seconds=60)  # a person types a password a few times; a script guessing, many
CHANNEL_TESTS = RateLimit(requests=10, seconds=600, per=Per.TENANT)  # each one posts to Slack, Teams or a webhook
