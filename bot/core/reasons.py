"""Why a feed could not be fetched or parsed, in the reader's language.

Fetching and parsing describe a failure in English (`FetchError`, `ParseError`); that text is
what the database keeps and what operators read in the CLI and logs. A chat shows it translated:
each known English form is matched here and said again through the catalog. Text no pattern
knows (a parser's own complaint), or a language without a translation, gets the original.
"""

from __future__ import annotations

import re
from typing import Final

from bot.core.i18n import N_, Translator

# (pattern over the whole English reason, msgid over the pattern's named groups), first match wins.
REASONS: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), msgid)
    for pattern, msgid in (
        (r"cannot resolve host (?P<host>\S+)", N_("cannot resolve host {host}")),
        (r"timed out connecting to (?P<host>\S+)", N_("timed out connecting to {host}")),
        (r"timed out waiting for (?P<host>\S+)", N_("timed out waiting for {host}")),
        (
            r"no complete response within (?P<seconds>[\d.]+) s",
            N_("no complete response within {seconds} seconds"),
        ),
        (
            r"cannot connect to (?P<host>[^\s:]+): connection refused",
            N_("cannot connect to {host}: connection refused"),
        ),
        (r"cannot connect to (?P<host>[^\s:]+)(: .*)?", N_("cannot connect to {host}")),
        (r"bad response from (?P<host>[^\s:]+)(: .*)?", N_("bad response from {host}")),
        (
            r"HTTP (?P<status>3\d\d)( [^:]*)? without a Location",
            N_("HTTP {status}: a redirect without a Location"),
        ),
        (r"HTTP (?P<status>40[13])( .*)?", N_("HTTP {status}: access denied")),
        (r"HTTP (?P<status>404|410)( .*)?", N_("HTTP {status}: the page is not there")),
        (r"HTTP (?P<status>429)( .*)?", N_("HTTP {status}: too many requests")),
        (r"HTTP (?P<status>5\d\d)( .*)?", N_("HTTP {status}: the server failed")),
        (r"HTTP (?P<status>\d{3})( .*)?", N_("HTTP {status}")),
        (r"more than (?P<count>\d+) redirects", N_("more than {count} redirects")),
        (
            r"(Content-Length \d+|body) is over the limit of (?P<limit>\d+) bytes",
            N_("larger than the limit of {limit} bytes"),
        ),
        (
            r"refused (?P<host>\S+): (?P<address>\S+) is not a public address.*",
            N_("refused {host}: {address} is not a public address"),
        ),
        (r"not an http\(s\) URL: (?P<url>.*)", N_("not an http(s) URL: {url}")),
        (r"bad redirect.*", N_("the redirect is not valid")),
        (
            r"(malformed URL|URL has no host|bad port|malformed host name|unsupported URL).*",
            N_("the URL is not valid"),
        ),
        (
            r"not an RSS or Atom feed \(the body is empty\)",
            N_("not an RSS or Atom feed: the body is empty"),
        ),
        (
            r"not an RSS or Atom feed \(it is an HTML page\)",
            N_("not an RSS or Atom feed: it is an HTML page"),
        ),
        (r"not an RSS or Atom feed \(it is JSON\)", N_("not an RSS or Atom feed: it is JSON")),
        (
            r"not an RSS or Atom feed \(it is (?P<type>[\w.+-]+/[\w.+-]+)\)",
            N_("not an RSS or Atom feed: it is {type}"),
        ),
        (
            r"not an RSS or Atom feed \(no entries found\)",
            N_("not an RSS or Atom feed: no entries found"),
        ),
        (r"not an RSS or Atom feed.*", N_("not an RSS or Atom feed")),
        (r"not a feed \(it is not valid JSON.*", N_("not a feed: it is not valid JSON")),
        (
            r"not a feed \(it is JSON, but not a JSON Feed\)",
            N_("not a feed: it is JSON, but not a JSON Feed"),
        ),
        (r"not a feed \(a JSON Feed without items\)", N_("not a feed: a JSON Feed without items")),
        (r"failed (?P<count>\d+) times in a row", N_("failed {count} times in a row")),
    )
)


def translate_reason(tr: Translator, reason: str) -> str:
    """An English fetch or parse failure said in tr's language (plain text, not escaped)."""
    for pattern, msgid in REASONS:
        if match := pattern.fullmatch(reason.strip()):
            translated = tr.gettext(msgid)
            if translated == msgid:
                # Not translated (English): the original says more ("HTTP 404 Not Found").
                return reason
            values = {k: v for k, v in match.groupdict().items() if v is not None}
            return translated.format(**values)
    return reason
