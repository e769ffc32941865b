"""`digestbot` run as a real process, from a directory that is not the repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakes.feedserver import FeedServer

FEEDS = Path(__file__).resolve().parent / "data" / "feeds"
DIGESTBOT = str(Path(sys.executable).parent / "digestbot")


def digestbot(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIGESTBOT_")}
    environ |= {"DIGESTBOT_DATABASE": str(cwd / "db.sqlite3"), "DIGESTBOT_ALLOW_PRIVATE_URLS": "1"}
    return subprocess.run(
        [DIGESTBOT, *args],
        cwd=cwd,
        env=environ | (env or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_preview_json_of_a_japanese_feed_file(tmp_path: Path) -> None:
    done = digestbot(
        "preview", str(FEEDS / "gihyo-rss2_2020-01-25.xml"), "--json", "--limit", "2", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    digests = json.loads(done.stdout)
    assert len(digests) == 2
    for digest in digests:
        assert {"title", "url", "lang", "lede", "key_points", "sources", "pages"} <= set(digest)
        assert digest["lang"] == "ja"
        # The opening sentence is said once: as the lede, or as the first key point.
        assert digest["lede"] not in digest["key_points"]
        assert digest["sources"][0]["url"] == digest["url"]
    # The second entry is a new-year greeting and a pleasantry: no key point in it.
    assert [len(digest["key_points"]) for digest in digests] == [1, 0]


def test_preview_text_of_a_feed_url(tmp_path: Path, feed_server: FeedServer) -> None:
    url = feed_server.url("/feeds/node-feedparser__wapoasection.xml")
    done = digestbot("preview", url, "--limit", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "32 entries, en" in done.stdout
    assert "💡" in done.stdout


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        pytest.param(["run"], {}, 2, "DIGESTBOT_TOKEN is not set", id="run-without-token"),
        pytest.param(
            ["preview", str(FEEDS / "node-feedparser__notafeed.html")],
            {},
            1,
            "not an RSS or Atom feed (it is an HTML page)",
            id="preview-not-a-feed",
        ),
        pytest.param(
            ["poll"],
            {"DIGESTBOT_POLL_INTERVAL": "0"},
            2,
            "DIGESTBOT_POLL_INTERVAL must be at least 1",
            id="bad-setting",
        ),
        pytest.param(
            ["feed", "add", "nosuch", "http://127.0.0.1:9/"],
            {},
            1,
            "no topic 'nosuch'",
            id="unknown-topic",
        ),
    ],
)
def test_errors_are_one_line(
    tmp_path: Path, args: list[str], env: dict[str, str], code: int, message: str
) -> None:
    # An existing database: a command that creates one says so on a line of its own.
    assert digestbot("topic", "list", cwd=tmp_path).returncode == 0
    done = digestbot(*args, cwd=tmp_path, env=env)
    assert done.returncode == code
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_a_broken_seed_file_stops_run_with_one_line(tmp_path: Path) -> None:
    seed = tmp_path / "topics.toml"
    seed.write_text("[topics.Tech]\n", encoding="utf-8")
    env = {"DIGESTBOT_TOKEN": "123:abc", "DIGESTBOT_SEED_FILE": str(seed)}

    done = digestbot("run", cwd=tmp_path, env=env)

    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"digestbot: seed file {seed}: 'topics.Tech': a slug is a-z, 0-9, - and _ "
        "(at most 32 characters)"
    ]


def test_seed_adds_what_the_database_lacks(tmp_path: Path) -> None:
    seed = tmp_path / "topics.toml"
    seed.write_text(
        '[topics.tech]\nname = "Tech"\nfeeds = ["https://example.com/a.xml"]\n'
        '[topics.ja]\nname = "日本語"\nfeeds = ["https://gihyo.jp/feed/rss2"]\n',
        encoding="utf-8",
    )
    first = digestbot("seed", str(seed), cwd=tmp_path)
    again = digestbot("seed", str(seed), cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "added 2 topics and 2 feeds; 0 feeds were there already"
    assert again.stdout.strip() == "added 0 topics and 0 feeds; 2 feeds were there already"
    listing = digestbot("topic", "list", cwd=tmp_path).stdout
    assert "tech\tTech\t1 feed\t0 subscribers" in listing
    assert "ja\t日本語\t1 feed\t0 subscribers" in listing


def test_run_without_token_suggests_preview(tmp_path: Path) -> None:
    done = digestbot("run", cwd=tmp_path)
    assert "digestbot preview" in done.stderr


def test_topics_feeds_and_polls(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.route(
        "/cli.xml", conditional=True, body=(FEEDS / "gihyo-rss2_2020-01-25.xml").read_bytes()
    )
    url = feed_server.url("/cli.xml")
    fast = {"DIGESTBOT_POLL_INTERVAL": "1"}
    assert digestbot("topic", "add", "tech", "Tech", "news", cwd=tmp_path).returncode == 0
    assert "tech\tTech news\t0 feeds" in digestbot("topic", "list", cwd=tmp_path).stdout

    refused = digestbot("feed", "add", "tech", feed_server.url("/missing.xml"), cwd=tmp_path)
    assert refused.returncode == 1
    assert "HTTP 404" in refused.stderr

    added = digestbot("feed", "add", "tech", url, cwd=tmp_path, env=fast)
    assert added.returncode == 0, added.stderr
    assert "(20 entries)" in added.stdout
    duplicate = digestbot("feed", "add", "tech", url, cwd=tmp_path)
    assert "already in topic tech" in duplicate.stderr
    listing = digestbot("feed", "list", cwd=tmp_path)
    assert url in listing.stdout
    assert "\tok\t" in listing.stdout

    # `feed add` was the first poll; once the feed is due again, the next poll is a 304.
    time.sleep(1.1)
    polled = digestbot("poll", cwd=tmp_path)
    assert polled.returncode == 0, polled.stderr
    assert polled.stdout.strip().endswith(f"{url}: not modified")
    assert feed_server.requests("/cli.xml")[-1].headers["if-none-match"]
    assert digestbot("poll", "--due", cwd=tmp_path).stdout.strip() == "no feeds are due"
    # `poll` without --due polls every feed now, due or not.
    again = digestbot("poll", cwd=tmp_path)
    assert again.stdout.strip().endswith(f"{url}: not modified")

    typo = digestbot("topic", "remove", "tehc", cwd=tmp_path)
    assert "no topic 'tehc': did you mean 'tech'?" in typo.stderr
    assert digestbot("feed", "remove", url, cwd=tmp_path).returncode == 0
    assert digestbot("topic", "remove", "tech", cwd=tmp_path).returncode == 0
    assert "no topics yet" in digestbot("topic", "list", cwd=tmp_path).stdout


def test_slugs_are_lower_cased_and_an_ambiguous_url_is_refused(tmp_path: Path) -> None:
    assert digestbot("topic", "add", "Tech", "Tech", cwd=tmp_path).returncode == 0
    assert "tech\tTech\t0 feeds" in digestbot("topic", "list", cwd=tmp_path).stdout
    renamed = digestbot("topic", "rename", "TECH", "Technology", cwd=tmp_path)
    assert renamed.stdout.strip() == "renamed topic tech: Tech -> Technology"

    missing = digestbot("feed", "remove", "https://example.com/feed.xml", cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "digestbot: no feed https://example.com/feed.xml"
    enable = digestbot("feed", "enable", "12", cwd=tmp_path)
    assert enable.stderr.strip() == "digestbot: no feed 12"


def test_feed_add_with_a_home_page(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.route(
        "/cli-site/feed.xml", body=(FEEDS / "gihyo-rss2_2020-01-25.xml").read_bytes()
    )
    link = '<link rel="alternate" type="application/{}+xml" title="{}" href="{}">'
    one = link.format("rss", "Posts", "feed.xml")
    two = one + link.format("atom", "Posts", "atom.xml")
    html = "<!DOCTYPE html><html><head>{}</head><body></body></html>"
    feed_server.route("/cli-site/", body=html.format(one).encode())
    feed_server.route("/cli-multi/", body=html.format(two).encode())
    assert digestbot("topic", "add", "tech", "Tech", cwd=tmp_path).returncode == 0

    added = digestbot("feed", "add", "tech", feed_server.url("/cli-site/"), cwd=tmp_path)
    several = digestbot("feed", "add", "tech", feed_server.url("/cli-multi/"), cwd=tmp_path)

    assert added.returncode == 0, added.stderr
    feed = feed_server.url("/cli-site/feed.xml")
    assert f"(20 entries, the feed {feed} named by that page)" in added.stdout
    assert several.returncode == 2
    assert several.stdout.splitlines() == [
        f"{feed_server.url('/cli-multi/')} is a web page that names 2 feeds; add one of them:",
        f"  digestbot feed add tech {feed_server.url('/cli-multi/feed.xml')}  # Posts (RSS)",
        f"  digestbot feed add tech {feed_server.url('/cli-multi/atom.xml')}  # Posts (Atom)",
    ]


def test_preview_shows_the_lead_image(tmp_path: Path) -> None:
    path = str(FEEDS / "node-feedparser__mediacontent-dupes.xml")
    image = "http://i.mol.im/i/pix/2013/02/03/article-2272640-174FCEE2000005DC-697_154x115.jpg"
    as_json = digestbot("preview", path, "--json", cwd=tmp_path)
    as_text = digestbot("preview", path, cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)[0]["image"] == image
    assert f"🖼 {image}" in as_text.stdout.splitlines()


def test_operator_niceties(tmp_path: Path, feed_server: FeedServer) -> None:
    version = digestbot("--version", cwd=tmp_path)
    assert version.stdout.strip() == "digestbot 0.1.0"

    typo = digestbot("topic", "list", cwd=tmp_path, env={"DIGESTBOT_POLL_INTERVALL": "60"})
    assert typo.stderr.splitlines()[0] == (
        "digestbot: warning: DIGESTBOT_POLL_INTERVALL is not a digestbot setting and is "
        "ignored; did you mean DIGESTBOT_POLL_INTERVAL?"
    )
    # The first command created the database, and said where.
    assert f"digestbot: created a new database at {tmp_path / 'db.sqlite3'}" in typo.stderr
    assert "created a new database" not in digestbot("topic", "list", cwd=tmp_path).stderr

    missing = digestbot("preview", "nosuch.xml", cwd=tmp_path)
    assert (missing.returncode, missing.stderr.strip()) == (
        2,
        "digestbot: no such file: nosuch.xml (give a feed file or an http(s) URL)",
    )


def test_feed_list_has_a_header_and_polls_name_feeds(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.route("/list.xml", body=(FEEDS / "gihyo-rss2_2020-01-25.xml").read_bytes())
    url = feed_server.url("/list.xml")
    digestbot("topic", "add", "tech", "Tech", cwd=tmp_path)
    assert digestbot("feed", "add", "tech", url, cwd=tmp_path).returncode == 0

    listing = digestbot("feed", "list", cwd=tmp_path).stdout.splitlines()
    polled = digestbot("poll", "1", cwd=tmp_path)

    assert listing[0] == "id\ttopic\tstate\tlast poll\tnext poll\turl\ttitle\tlast error"
    row = listing[1].split("\t")
    assert (row[0], row[1], row[2], row[5], row[6]) == ("1", "tech", "ok", url, "gihyo.jp：総合")
    assert polled.returncode == 0, polled.stderr
    assert polled.stdout.startswith(f"feed 1 {url}: ")
    # httpx's per-request INFO lines stay out of an operator's terminal.
    assert "httpx" not in polled.stderr


def test_preview_json_gives_plain_titles_and_web_links(tmp_path: Path) -> None:
    feed = tmp_path / "typed.atom"
    feed.write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Typed</title>'
        '<entry><title type="html">&lt;p&gt;Item Title&lt;/p&gt;</title>'
        "<id>urn:uuid:1</id><updated>2026-01-01T00:00:00Z</updated>"
        "<summary>One line of text here.</summary></entry>"
        '<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Entry '
        "Title</p></div></title><id>tag:blogger.com,1999:blog-1.post-2</id>"
        "<updated>2026-01-02T00:00:00Z</updated><summary>Another line.</summary></entry>"
        '<entry><title type="text">&lt;p&gt;Kept&lt;/p&gt;</title>'
        '<link href="HTTPS://Example.COM/a?x=1&amp;amp;y=2"/>'
        "<id>https://example.com/a</id><updated>2026-01-03T00:00:00Z</updated>"
        "<summary>Third line.</summary></entry></feed>",
        encoding="utf-8",
    )
    done = digestbot("preview", str(feed), "--json", "--no-fetch", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    shown = [(d["title"], d["url"]) for d in json.loads(done.stdout)]
    assert shown == [
        ("Item Title", ""),
        ("Entry Title", ""),
        ("<p>Kept</p>", "https://example.com/a?x=1&y=2"),
    ]
