from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core import outcomes
from bot.core.models import LinkPreview, Topic
from bot.core.opml import Refused
from bot.core.render import Rendered
from bot.core.render_admin import (
    render_add_topic,
    render_cannot_post,
    render_channel_bound,
    render_channel_unbound,
    render_channel_unseen,
    render_delete_question,
    render_document_problem,
    render_export_caption,
    render_filter_limits,
    render_filters,
    render_filters_saved,
    render_import,
    render_import_progress,
    render_not_a_channel,
    render_reading,
    render_rename_topic,
    render_topic_deleted,
    render_topic_removed,
    render_topic_settings,
)
from bot.locales import load_translators

TRANSLATORS = load_translators()
EN, JA = TRANSLATORS["en"], TRANSLATORS["ja"]
TECH = Topic(1, "tech", "Tech & <Science>")
LABEL = "<b>Tech &amp; &lt;Science&gt;</b> (<code>tech</code>)"


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        pytest.param(
            outcomes.TopicAdded(TECH),
            f"✅ Added the topic {LABEL}. Now add feeds: <code>/addfeed tech &lt;url&gt;</code>",
            id="added",
        ),
        pytest.param(
            outcomes.TopicExists("tech"),
            "There is already a topic <code>tech</code>. Rename it with /renametopic.",
            id="exists",
        ),
        pytest.param(
            outcomes.BadSlug("<" + "x" * 50),
            f"“&lt;{'x' * 38}…” cannot be a slug: use up to 32 lower-case letters, digits, "
            "- and _, starting with a letter or digit.",
            id="bad-slug-escaped-and-cut",
        ),
        pytest.param(outcomes.BadName(), "A topic name has 1 to 64 characters.", id="bad-name"),
    ],
)
def test_add_topic(outcome: outcomes.TopicAdded, expected: str) -> None:
    assert render_add_topic(EN, outcome) == expected


def test_rename_topic() -> None:
    renamed = outcomes.TopicRenamed(Topic(1, "tech", "<Old>"), TECH)
    assert render_rename_topic(EN, renamed) == f"✏️ Renamed &lt;Old&gt; to {LABEL}."
    missing = outcomes.NoSuchTopic("tehc", "tech", True)
    assert render_rename_topic(EN, missing) == (
        "There is no topic “tehc”. Did you mean <code>tech</code>?"
    )


def test_delete_question_deleted_and_removed() -> None:
    question = render_delete_question(EN, TECH, 1)
    assert question.html == (
        f"🗑 Delete the topic {LABEL}? Its feeds and articles go with it.\n"
        "1 subscribed chat will be told."
    )
    assert [(b.text, b.data) for b in question.buttons[0]] == [
        ("🗑 Delete", "dt:1"),
        ("Cancel", "x"),
    ]
    assert render_topic_deleted(EN, TECH, 2, 3) == (
        f"🗑 Deleted the topic {LABEL}.\nTold 2 of 3 subscribed chats."
    )
    assert render_topic_removed(EN, TECH) == (
        "The topic <b>Tech &amp; &lt;Science&gt;</b> was removed: "
        "no more digests will come from it."
    )


def test_filters() -> None:
    assert render_filters(EN, TECH) == f"{LABEL} has no filters: every article passes."
    topic = Topic(1, "tech", "Tech & <Science>", include=("Rust", "半導体"), exclude=("<ads>",))
    assert render_filters_saved(EN, topic) == (
        "Saved.\n"
        f"Filters of {LABEL}:\n"
        "➕ Only articles that mention: Rust, 半導体\n"
        "➖ Never articles that mention: &lt;ads&gt;\n"
        "To change them: <code>/filter tech +Rust +半導体 -&lt;ads&gt;</code>"
    )
    assert render_filter_limits(EN) == "At most 30 keywords, each at most 40 characters long."


def test_a_keyword_of_astral_characters_is_cut_to_forty_units() -> None:
    topic = Topic(1, "tech", "Tech", exclude=("😀" * 40,))
    cut = "😀" * 19 + "…"
    assert render_filters(EN, topic).splitlines()[1:] == [
        f"➖ Never articles that mention: {cut}",
        f"To change them: <code>/filter tech -{cut}</code>",
    ]


def test_channels() -> None:
    name = "News <daily> " + "x" * 40
    shown = "<b>News &lt;daily&gt; " + "x" * 26 + "…</b>"
    assert render_channel_bound(EN, "News", TECH, new=True) == (
        f"📣 <b>News</b> now receives {LABEL}."
    )
    assert render_channel_bound(EN, name, TECH, new=False) == (
        f"{shown} receives {LABEL} already."
    )
    assert render_channel_unbound(EN, "@news", TECH, was_bound=True) == (
        f"<b>@news</b> no longer receives {LABEL}."
    )
    assert render_channel_unbound(EN, "-1001", TECH, was_bound=False) == (
        f"<b>-1001</b> was not receiving {LABEL}."
    )
    assert render_channel_unseen(EN, "@nobody") == (
        "I can't see the channel <b>@nobody</b>. Add me to it as an admin first."
    )
    assert render_not_a_channel(EN, "Chat -100999") == "<b>Chat -100999</b> is not a channel."
    assert render_cannot_post(EN, name) == (
        f"I am not an admin of {shown} who may post. Make me one, then retry."
    )


@pytest.mark.parametrize(
    ("name", "size", "expected"),
    [
        pytest.param("feeds.OPML", 10, None, id="opml"),
        pytest.param("feeds.xml", 1024 * 1024, None, id="xml-at-the-limit"),
        pytest.param("feeds.txt", 10, "❌ Send an .opml or .xml file.", id="not-opml"),
        pytest.param(
            "feeds.opml", 1024 * 1024 + 1, "❌ The file is too large: at most 1024 KiB.", id="big"
        ),
    ],
)
def test_document_problem(name: str, size: int, expected: str | None) -> None:
    assert render_document_problem(EN, name, size) == expected


def test_import_progress() -> None:
    assert render_reading(EN, "<feeds>.opml") == "⏳ Reading &lt;feeds&gt;.opml…"
    assert render_import_progress(EN, 3, 12) == "⏳ Checked 3 of 12 feeds…"
    assert render_import_progress(EN, 0, 1) == "⏳ Checked 0 of 1 feed…"


def test_import_summary_cuts_urls_and_reasons_to_the_shared_limits() -> None:
    refused = (
        Refused("https://example.com/" + "u" * 200, "HTTP <404> " + "r" * 200),
        Refused("javascript:alert(1)", "not an http(s) URL"),
    )
    text = render_import(EN, outcomes.Imported(TECH, 3, 1, refused))
    assert text.splitlines() == [
        f"📥 Import into {LABEL}:",
        "✅ 3 feeds added",
        "↩️ 1 feed was there already",
        "❌ 2 feeds refused",
        f"• <code>https://example.com/{'u' * 99}…</code>: HTTP &lt;404&gt; {'r' * 148}…",
        "• <code>javascript:alert(1)</code>: not an http(s) URL",
    ]


def test_import_refusals() -> None:
    assert render_import(EN, outcomes.NotOpml("the root element is <html>")) == (
        "❌ This is not an OPML file I can read: the root element is &lt;html&gt;"
    )
    assert render_import(EN, outcomes.TooManyFeeds(201)) == (
        "❌ The file lists 201 new feeds: at most 200 per import."
    )


def test_export_caption() -> None:
    caption = render_export_caption(EN, outcomes.Exported(b"", topics=1, feeds=3))
    assert caption == "📤 1 topic · 3 feeds"
    assert render_export_caption(JA, outcomes.Exported(b"", topics=1, feeds=3)) == (
        "📤 トピック1件 · フィード3件"
    )


def labels(rendered: Rendered) -> list[tuple[str, str]]:
    return [(b.text, b.data or "") for row in rendered.buttons for b in row]


def test_topic_settings_follow_the_default_until_the_topic_has_its_own() -> None:
    rendered = render_topic_settings(EN, TECH, LinkPreview.IMAGE)
    assert rendered.html == (
        f"⚙️ Settings of {LABEL}\nLink preview above each push: the lead image (the default)"
    )
    assert labels(rendered) == [
        ("🖼 Lead image", "lp:1:image"),
        ("📰 Article page", "lp:1:article"),
        ("🚫 No preview", "lp:1:off"),
        ("✓ ↩️ Default", "lp:1:default"),
    ]
    own = render_topic_settings(EN, replace(TECH, link_preview=LinkPreview.OFF), LinkPreview.IMAGE)
    assert own.html == f"⚙️ Settings of {LABEL}\nLink preview above each push: none"
    assert [text for text, _ in labels(own)] == [
        "🖼 Lead image",
        "📰 Article page",
        "✓ 🚫 No preview",
        "↩️ Default",
    ]


def test_topic_settings_in_japanese() -> None:
    rendered = render_topic_settings(
        JA, replace(TECH, link_preview=LinkPreview.ARTICLE), LinkPreview.OFF
    )
    assert rendered.html == (f"⚙️ {LABEL} の設定\n各プッシュの上のリンクプレビュー:記事のページ")
    assert [text for text, _ in labels(rendered)] == [
        "🖼 記事の画像",
        "✓ 📰 記事のページ",
        "🚫 プレビューなし",
        "↩️ 既定に戻す",
    ]
    default = render_topic_settings(JA, TECH, LinkPreview.OFF)
    assert default.html.endswith("各プッシュの上のリンクプレビュー:なし(既定)")
