"""Mappings for the shapes real tools send, each with a sample payload (tests map every sample; the README
shows them). Expressions try each name a tool is known to use (`a || b`), so versions that differ still map;
a tool that sends something else is mapped with a custom `Mapping`.

The vendors' own documents are the reference for each shape; where a vendor publishes no schema for every
field (Meltwater's and Sprinklr's webhook bodies are configured per account), the expressions cover the
field names their documentation and exports use, and the preset says so.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from sigap.ingest.mapping.model import Mapping
from sigap.kernel.kinds import SourceChannel

# Sigap's own field names, with the aliases dataset exports and automation tools use.
_SIGAP_FIELDS: dict[str, str] = {
    "id": "id || id_str || tweet_id || external_id || uuid",
    "text": "text || full_text || content || body || message || description",
    "title": "title || subject",
    "created_at": "created_at || published_at || published || timestamp || time || date || tweet_created",
    "channel": "channel || platform || network || source_type",
    "url": "url || link || permalink",
    "language": "language || lang",
    "author": "author || user || from || sender",
    "author.handle": "screen_name || username || author_handle || author_name || name",
    "author.followers": "followers_count || followers || author_followers",
    "author.verified": "verified",
    "engagement": "engagement",
    "likes": "likes || favorite_count || like_count",
    "shares": "shares || retweet_count || retweets",
    "comments": "comments || reply_count || replies",
    "location": "location || user_location",
    "country": "country || country_code",
    "region": "region",
    "city": "city",
}


PresetName = Literal["sigap", "flat", "meltwater", "youscan", "sprinklr", "helpdesk", "x-export"]


class Preset(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    name: PresetName
    tool: str = Field(description="Which tools send this shape")
    channel: SourceChannel = Field(description="The channel its mentions come from unless a record says")
    mapping: Mapping
    sample: Any = Field(description="A payload in this shape")


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            name="sigap",
            tool="Sigap's own mention shape (as POST /mentions takes it), read leniently: one object, an array, "
            "or {'mentions': [...]}",
            channel=SourceChannel.OTHER,
            mapping=Mapping(records="mentions || @", fields=_SIGAP_FIELDS),
            sample={
                "id": "post-1",
                "text": "Teh Segar bikin sakit perut?",
                "created_at": "2026-11-22T10:00:00+07:00",
                "channel": "twitter",
                "author": {"screen_name": "rina", "followers_count": 1200},
            },
        ),
        Preset(
            name="flat",
            tool="Zapier, Make and n8n HTTP steps: a flat object per request, field names as above; a record "
            "without a time is taken as published when received",
            channel=SourceChannel.OTHER,
            mapping=Mapping(
                records="mentions || records || items || @",
                fields=_SIGAP_FIELDS,
                received_time_if_missing=True,
            ),
            sample={
                "id": "zap-77",
                "text": "Paket saya rusak dan CS tidak menjawab",
                "author": "budi@example.com",
                "channel": "email",
            },
        ),
        Preset(
            name="meltwater",
            tool="Meltwater data streams (a search's results pushed to a URL): {'request': {...}, 'documents': "
            "[...]}. Meltwater signs nothing: use url_secret verification",
            channel=SourceChannel.NEWS,
            mapping=Mapping(
                records="documents",
                fields={
                    "id": "id || document_id || url",
                    "text": "content || opening_text || body || hit_sentence || summary",
                    "title": "title",
                    "created_at": "published_date || published || document_publish_date || indexed_date",
                    "channel": "source.type || content_type || media_type || source_type",
                    "url": "url || document_url",
                    "language": "language || lang",
                    "author.handle": "author.name || author_name || author.handle || source.name",
                    "author.followers": "author.followers || source.reach || reach",
                    "country": "location.country_code || country_code || source.country",
                    "region": "location.region || location.state",
                    "city": "location.city",
                    "likes": "metrics.likes || engagement.likes",
                    "shares": "metrics.shares || engagement.shares",
                    "comments": "metrics.comments || engagement.comments",
                },
                id_prefix="meltwater:",
            ),
            sample={
                "request": {"search_id": 12345, "type": "realtime"},
                "documents": [
                    {
                        "id": "mw-9a1f",
                        "title": "Warga keluhkan Teh Segar beracun",
                        "content": "Beredar pesan berantai bahwa Teh Segar beracun; BPOM belum berkomentar.",
                        "url": "https://news.example.id/teh-segar-beracun",
                        "published_date": "2026-11-22T09:15:00Z",
                        "source": {"type": "news", "name": "news.example.id", "reach": 250000},
                        "language": "id",
                        "location": {"country_code": "ID", "city": "Surabaya"},
                    }
                ],
            },
        ),
        Preset(
            name="youscan",
            tool="YouScan's mention webhook (one mention per request, or a list). YouScan signs nothing: use "
            "url_secret verification",
            channel=SourceChannel.SOCIAL,
            mapping=Mapping(
                fields={
                    "id": "postId || join('-', [to_string(topicId), to_string(mentionId)])",
                    "text": "fullText || text",
                    "title": "title",
                    "created_at": "published || publishedAt || date",
                    "channel": "resourceType || sourceName || channel.name",
                    "url": "url",
                    "language": "language || lang",
                    "author.handle": "author.nickname || author.name || author.profileId",
                    "author.followers": "author.subscribers || channel.subscribers",
                    "country": "country",
                    "region": "region",
                    "city": "city",
                    "likes": "engagement.likes || likes",
                    "shares": "engagement.reposts || reposts || engagement.shares",
                    "comments": "engagement.comments || comments",
                },
                id_prefix="youscan:",
            ),
            sample={
                "topicId": 501,
                "mentionId": 88231,
                "sourceName": "instagram.com",
                "fullText": "Jangan minum Teh Segar, katanya ada racunnya!!",
                "published": "2026-11-22T10:02:11+07:00",
                "url": "https://instagram.example/p/abc",
                "author": {"name": "Sari", "nickname": "sari.w", "subscribers": 5400},
                "country": "Indonesia",
                "city": "Surabaya",
                "engagement": {"likes": 120, "comments": 33, "reposts": 14},
            },
        ),
        Preset(
            name="sprinklr",
            tool="Sprinklr webhooks: the {id, type, payload, eventTime} envelope around a social message",
            channel=SourceChannel.SOCIAL,
            mapping=Mapping(
                fields={
                    "id": "payload.id || payload.messageId || id",
                    "text": "payload.content.text || payload.message || payload.text || payload.content",
                    "title": "payload.title || payload.subject",
                    "created_at": "payload.createdTime || payload.createdAt || eventTime",
                    "channel": "payload.snType || payload.sourceType || payload.channelType",
                    "url": "payload.permalink || payload.url",
                    "language": "payload.language",
                    "author.handle": "payload.senderProfile.username || payload.senderProfile.name",
                    "author.followers": "payload.senderProfile.followers || payload.senderProfile.followersCount",
                    "likes": "payload.likes || payload.stats.likes",
                    "shares": "payload.shares || payload.stats.shares",
                    "comments": "payload.comments || payload.stats.comments",
                },
                id_prefix="sprinklr:",
            ),
            sample={
                "id": "evt-5521",
                "type": "message.created",
                "eventTime": 1795837200000,
                "payload": {
                    "id": "msg-31337",
                    "snType": "TWITTER",
                    "content": {"text": "@TehSegar anak saya muntah setelah minum produk kalian"},
                    "senderProfile": {"username": "ibu_ani", "followers": 830},
                    "permalink": "https://x.example/ibu_ani/status/1",
                },
            },
        ),
        Preset(
            name="helpdesk",
            tool="Help-desk tickets: Zendesk webhooks ({'ticket': {...}}, with the placeholders you choose) and "
            "Freshdesk automations ({'freshdesk_webhook': {...}}). Times: use Zendesk's "
            "{{ticket.created_at_with_timestamp}}; a ticket without a time is taken as created when received",
            channel=SourceChannel.TICKET,
            mapping=Mapping(
                records="ticket || freshdesk_webhook || tickets || @",
                fields={
                    "id": "id || ticket_id || ticket.id",
                    "title": "subject || ticket_subject",
                    "text": "description || ticket_description || latest_comment || comment.body",
                    "created_at": "created_at || ticket_created_at || created",
                    "url": "url || ticket_url",
                    "author": "requester || ticket_contact_email || ticket_contact_name",
                    "language": "requester.locale || locale",
                },
                id_prefix="ticket:",
                received_time_if_missing=True,
            ),
            sample={
                "ticket": {
                    "id": 48213,
                    "subject": "Botol Teh Segar bocor dan berbau",
                    "description": "Saya beli 2 botol di Indomaret, keduanya bau aneh. Apakah aman?",
                    "created_at": "2026-11-22T03:40:00Z",
                    "requester": {"name": "Dewi", "email": "dewi@example.com"},
                    "url": "https://brand.zendesk.example/agent/tickets/48213",
                }
            },
        ),
        Preset(
            name="x-export",
            tool="Twitter/X exports: API v1.1 tweet objects and the CSV columns datasets use (tweet_id, text, "
            "tweet_created, name, retweet_count, user_timezone)",
            channel=SourceChannel.SOCIAL,
            mapping=Mapping(
                records="data || statuses || @",
                fields={
                    "id": "id_str || tweet_id || id",
                    "text": "full_text || text",
                    "created_at": "created_at || tweet_created",
                    "author.handle": "user.screen_name || screen_name || username || name",
                    "author.followers": "user.followers_count || followers_count || public_metrics.followers_count",
                    "author.verified": "user.verified",
                    "language": "lang",
                    "location": "user.location || tweet_location",
                    "likes": "favorite_count || public_metrics.like_count",
                    "shares": "retweet_count || public_metrics.retweet_count",
                    "comments": "reply_count || public_metrics.reply_count",
                },
                id_prefix="x:",
            ),
            sample={
                "id_str": "570306133677760513",
                "text": "@united thanks for nothing, lost my bag again",
                "created_at": "Tue Feb 24 11:35:52 +0000 2015",
                "user": {"screen_name": "cairdin", "followers_count": 153},
                "retweet_count": 0,
                "favorite_count": 2,
            },
        ),
    )
}
if set(PRESETS) != set(get_args(PresetName)):  # the names a source may ask for are exactly the presets defined
    raise RuntimeError(f"presets {sorted(PRESETS)} differ from PresetName {sorted(get_args(PresetName))}")
