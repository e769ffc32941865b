"""Fetch and parse failures, stored in English, shown in the reader's language."""

from __future__ import annotations

import pytest

from bot.core.i18n import Translator
from bot.core.reasons import translate_reason
from bot.locales import load_translators

EN: Translator = load_translators()["en"]
JA: Translator = load_translators()["ja"]


@pytest.mark.parametrize(
    ("reason", "japanese"),
    [
        ("cannot resolve host gihyo.jp", "ホスト gihyo.jp が見つかりません"),
        ("HTTP 404 Not Found", "HTTP 404：ページが見つかりません"),
        ("HTTP 503 Service Unavailable", "HTTP 503：サーバーでエラーが起きました"),
        ("HTTP 418 I'm a teapot", "HTTP 418 エラー"),
        (
            "not an RSS or Atom feed (it is an HTML page)",
            "RSS や Atom のフィードではありません（HTML のページです）",
        ),
        (
            "cannot connect to example.com: connection refused",
            "example.com に接続できません（接続を拒否されました）",
        ),
        ("timed out waiting for example.com", "example.com からの応答がタイムアウトしました"),
        (
            "refused localhost: 127.0.0.1 is not a public address",
            "localhost は取得しません（127.0.0.1 は公開アドレスではありません）",
        ),
        ("failed 100 times in a row", "100回続けて失敗しました"),
    ],
)
def test_known_reasons_are_translated(reason: str, japanese: str) -> None:
    assert translate_reason(JA, reason) == japanese
    # English keeps the stored text, which says the most.
    assert translate_reason(EN, reason) == reason


def test_an_unknown_reason_is_shown_as_it_is() -> None:
    assert translate_reason(JA, "mismatched tag: line 3") == "mismatched tag: line 3"
