"""Drawing the /stats chart (`core.chart.StatsChart`) as PNG bytes, with matplotlib's Agg.

The bot draws each chart in a short-lived process of its own (`draw_apart`, which runs this
module: the chart pickled in on stdin, the PNG out on stdout): matplotlib and its
caches take some 60 MB once imported, which would otherwise stay in the bot for good, and the
drawing takes a second or two that the event loop does not wait for. Each chart is its own
`Figure` on its own Agg canvas, never pyplot's global state, so `draw_stats_chart` may also be
called in a thread.

Every text is drawn in IPAexGothic, which covers Latin and Japanese alike. It is loaded by path
from the matplotlib-fontja wheel (without importing that package, which would change matplotlib's
global settings), so the chart looks the same on a machine without any system font.
"""

from __future__ import annotations

import asyncio
import importlib.util
import io
import pickle
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Final

from bot.core.chart import FeedState, StatsChart

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.font_manager import FontProperties

FIGURE_INCHES: Final = (12.0, 8.0)
DPI: Final = 100  # 1200 × 800 pixels: sharp in Telegram, a few tens of kilobytes
FONT_PACKAGE: Final = "matplotlib_fontja"
FONT_FILE: Final = "fonts/ipaexg.ttf"
# Colour-blind-safe (Okabe–Ito) for topics; "other" is grey.
TOPIC_COLOURS: Final = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
OTHER_COLOUR: Final = "#999999"
FAILED_COLOUR: Final = "#C0392B"
WAIT_COLOUR: Final = "#E67E22"
HEALTH_COLOURS: Final = {
    FeedState.OK: "#2E8B57",
    FeedState.FAILING: "#E69F00",
    FeedState.DISABLED: "#7F7F7F",
}
NOT_KEPT_COLOUR: Final = "#EEEEEE"
# Figures of their own are safe apart, but matplotlib's font and text caches are shared and
# not documented as thread-safe: one chart at a time (they are rare, and take a second).
_DRAWING: Final = threading.Lock()
# One drawing process at a time, however many admins ask at once.
_APART: Final = asyncio.Lock()
DRAW_TIMEOUT: Final = 60.0  # seconds; a chart takes one or two


def font_path() -> Path:
    """The IPAexGothic file the matplotlib-fontja wheel ships."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    locations = spec.submodule_search_locations if spec else None
    if not locations:
        raise FileNotFoundError(f"the {FONT_PACKAGE} package (a dependency) is not installed")
    return Path(next(iter(locations))) / FONT_FILE


async def draw_apart(chart: StatsChart) -> bytes:
    """`draw_stats_chart` in a new Python process, which ends with the chart and frees its
    memory. Raises RuntimeError with the child's last line when it fails or takes too long."""
    async with _APART:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            __name__,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            async with asyncio.timeout(DRAW_TIMEOUT):
                png, errors = await child.communicate(pickle.dumps(chart))
        finally:
            if child.returncode is None:  # timed out, or the bot is stopping
                child.kill()
                await child.wait()
        if child.returncode != 0 or not png:
            last = errors.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"the chart process exited with {child.returncode}: {last[0]}")
        return png


def draw_stats_chart(chart: StatsChart) -> bytes:
    """The chart as a PNG: stacked pushes per day, failures and 429s beneath, feed health."""
    with _DRAWING:
        return _draw(chart)


def _draw(chart: StatsChart) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    font = FontProperties(fname=font_path(), size=11)
    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    # A column of its own for the legends: its width is fixed, whatever their text.
    rows = figure.subplots(3, 2, height_ratios=(5, 2, 0.9), width_ratios=(4.2, 1.3))
    figure.suptitle(chart.title, fontproperties=_sized(font, 15))
    for (axes, key), draw in zip(rows, (_draw_pushes, _draw_problems, _draw_health), strict=True):
        draw(axes, chart, font)
        _key(key, axes, font, reverse=draw is _draw_pushes)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _draw_pushes(axes: Axes, chart: StatsChart, font: FontProperties) -> None:
    days = range(len(chart.days))
    bottom = [0] * len(chart.days)
    for i, band in enumerate(chart.bands):
        colour = OTHER_COLOUR if band.other else TOPIC_COLOURS[i % len(TOPIC_COLOURS)]
        axes.bar(days, band.counts, bottom=bottom, color=colour, label=band.label, width=0.7)
        bottom = [b + c for b, c in zip(bottom, band.counts, strict=True)]
    for day, total in enumerate(bottom):
        if total:
            axes.annotate(
                str(total), (day, total), xytext=(0, 3), textcoords="offset points",
                ha="center", va="bottom", fontproperties=_sized(font, 9),
            )  # fmt: skip
    axes.set_ylabel(chart.pushes_label, fontproperties=font)
    axes.set_ylim(0, max(max(bottom) * 1.15, 5))
    _not_kept(axes, chart, font)
    if chart.empty_note:
        axes.text(
            0.5, 0.5, chart.empty_note, transform=axes.transAxes, ha="center", va="center",
            fontproperties=_sized(font, 14), color="#555555",
        )  # fmt: skip
    _day_axis(axes, chart, font, labels=False)


def _draw_problems(axes: Axes, chart: StatsChart, font: FontProperties) -> None:
    days = range(len(chart.days))
    left = [d - 0.18 for d in days]
    right = [d + 0.18 for d in days]
    axes.bar(left, chart.failures, width=0.36, color=FAILED_COLOUR, label=chart.failures_label)
    axes.bar(right, chart.waits, width=0.36, color=WAIT_COLOUR, label=chart.waits_label)
    for xs, counts in ((left, chart.failures), (right, chart.waits)):
        for x, count in zip(xs, counts, strict=True):
            if count:
                axes.annotate(
                    str(count), (x, count), xytext=(0, 2), textcoords="offset points",
                    ha="center", va="bottom", fontproperties=_sized(font, 8),
                )  # fmt: skip
    top = max([*chart.failures, *chart.waits, 0])
    axes.set_ylim(0, max(top * 1.3, 3))
    axes.set_title(chart.problems_label, fontproperties=_sized(font, 11), loc="left")
    _not_kept(axes, chart, font, note=False)
    _day_axis(axes, chart, font, labels=True)


def _draw_health(axes: Axes, chart: StatsChart, font: FontProperties) -> None:
    total = sum(part.count for part in chart.health) or 1
    left = 0
    # Every state in the legend, a zero (a bar of no width) included: "Disabled: 0" is news too.
    for part in chart.health:
        colour = HEALTH_COLOURS[part.state]
        axes.barh(0, part.count, left=left, color=colour, height=0.6, label=part.label)
        if part.count and part.count / total >= 0.08:  # wide enough to hold its number
            axes.text(
                left + part.count / 2, 0, str(part.count), ha="center", va="center",
                color="white", fontproperties=_sized(font, 11),
            )  # fmt: skip
        left += part.count
    axes.set_xlim(0, total)
    axes.set_ylim(-0.5, 0.5)
    axes.set_yticks([0], [chart.health_label])
    axes.set_xticks([])
    for label in axes.get_yticklabels():
        label.set_fontproperties(font)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)


def _key(key: Axes, axes: Axes, font: FontProperties, *, reverse: bool) -> None:
    """The legend of `axes` in the axes `key` beside it."""
    key.axis("off")
    handles, labels = axes.get_legend_handles_labels()
    if labels:
        # The pushes' legend lists the bands top to bottom, as they stack.
        key.legend(
            handles, labels, loc="upper left", prop=font, frameon=False, reverse=reverse,
            borderaxespad=0,
        )  # fmt: skip


def _day_axis(axes: Axes, chart: StatsChart, font: FontProperties, *, labels: bool) -> None:
    from matplotlib.ticker import MaxNLocator

    axes.set_xlim(-0.6, len(chart.days) - 0.4)
    axes.set_xticks(range(len(chart.days)), chart.days if labels else [""] * len(chart.days))
    # Nine points: fourteen "11月30日" side by side leave a gap between each.
    for label in [*axes.get_xticklabels(), *axes.get_yticklabels()]:
        label.set_fontproperties(_sized(font, 9))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", color="#DDDDDD", linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _not_kept(axes: Axes, chart: StatsChart, font: FontProperties, *, note: bool = True) -> None:
    """Grey out the days the database no longer holds, saying why once."""
    if not chart.kept_from:
        return
    axes.axvspan(-0.6, chart.kept_from - 0.5, color=NOT_KEPT_COLOUR, zorder=0)
    if note and chart.kept_note:
        note_font = _sized(font, 10)
        axes.set_title(chart.kept_note, fontproperties=note_font, loc="left", color="#555555")


def _sized(font: FontProperties, size: float) -> FontProperties:
    sized = font.copy()
    sized.set_size(size)
    return sized


if __name__ == "__main__":
    # The chart comes from the bot itself (draw_apart), never from outside.
    sys.stdout.buffer.write(draw_stats_chart(pickle.load(sys.stdin.buffer)))
