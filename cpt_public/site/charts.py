"""Findings as charts: protected table -> chart, text alternative, table view and facts.

Pure functions (no Streamlit), and no table of any release named: the chart follows from the
manifest's dimension roles (``layout``) — time: a line with its uncertainty band; a system,
category or band: bars; people by two or more Yes/No flags: an UpSet-style list of
combinations; what followed an event: a flow; group x window x outcome: rates with intervals;
contacts with unit costs: cost bars with ranges; a group beside its Total: each group's make-up.
A finding in content may ask for another shape that fits the table.

Each build returns a ``View``: the chart (Altair; Plotly for the flow), an Altair twin for
PNG/SVG downloads, a text alternative that a screen reader announces with the chart, the numbers
as a table, the facts a takeaway may cite (``facts.Fact``: a number, a range the release
supports, or why there is none), and whether small numbers call for care. Rules everywhere:
- a suppressed cell is labelled "suppressed", never drawn or counted as 0, never dropped;
- a DP count shows its 90% margin of error; a large margin flags "interpret with care";
- rates and costs are computed from protected counts, never protected afresh.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import re
import textwrap
from collections.abc import Callable
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..release.bounds import Bounds
from ..release.catalog import Release, Table
from ..release.terms import TOTAL
from ..release.vocabulary import YES_NO, Dimension
from . import facts as F
from .facts import Fact, careful
from .i18n import Translator, fmt_compact_usd, fmt_short_usd

# Okabe-Ito: distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
MUTED = "#595959"  # suppressed labels: 7:1 contrast on white
Z90 = 1.6448536269514722
ES_TIME = {  # d3 time-format locale, so Vega-Lite writes Spanish month names
    "dateTime": "%A, %e de %B de %Y, %X",
    "date": "%d/%m/%Y",
    "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
    "shortDays": ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"],
    "months": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    "shortMonths": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"],
}


@dataclasses.dataclass
class View:
    chart: Any
    figure: alt.Chart  # the download twin: fixed size, titled
    alt_text: str
    table: pd.DataFrame
    facts: dict[str, Fact]
    care: bool
    tables: list[str]
    panels: int = 1  # small multiples in the images (one per series), else 1

    @property
    def is_plotly(self) -> bool:
        return isinstance(self.chart, go.Figure)

    @functools.cached_property
    def screen_spec(self) -> dict:
        """The on-screen chart as a Vega-Lite spec, made once per (shared, cached) view.
        st.altair_chart would convert and validate the Altair chart on every rerun, under a lock
        that Streamlit holds process-wide (Altair's settings are global): under load that lock,
        not the data, was the bottleneck (docs/performance.md)."""
        spec = self.chart.to_dict()
        view = spec.get("config", {}).get("view", {})
        for key in ("continuousWidth", "continuousHeight"):  # Altair's default theme, which Streamlit turns off
            view.pop(key, None)
        return spec

    @functools.cached_property
    def figure_json(self) -> str:
        """The download twin's spec, for the PNG/SVG renderer."""
        return self.figure.to_json()

    @functools.cached_property
    def ranged(self) -> bool:
        """Does the chart draw ranges (whiskers or bands) that need a key?"""
        return has_ranges(self.figure)

    def image_spec(
        self, width: int, height: int | None = None, *, title: bool = True, fit: bool = False, wrap: int | None = None
    ) -> dict:
        """The download twin at another size (a poster, the briefing, a phone, a kiosk): ``width``
        and ``height`` of the plot — or of everything, axes and legend included, with ``fit``.
        Small multiples share the height out among their panels. ``title=False`` leaves the
        title and credits to the page around the image; ``wrap`` re-wraps long category names
        at that many characters (a wide screen needs fewer lines)."""
        spec = self.figure.to_dict()
        spec["background"] = "white"  # printed and pasted on any page: never transparent
        if not title:
            spec.pop("title", None)
        if wrap:
            _rewrap(spec, wrap)
        if "facet" in spec:  # a facet has no overall size: each panel gets its share
            spec["spec"]["width"] = width - 70
            if height:
                spec["spec"]["height"] = max(40, height // self.panels - 30)
            spec["autosize"] = {"type": "pad"}
            return spec
        spec["width"] = width
        if height:
            spec["height"] = height
        if fit:
            spec["autosize"] = {"type": "fit", "contains": "padding"}
        return spec


# ----------------------------------------------------------------------------- helpers


def _value(count) -> float | None:
    return None if pd.isna(count) else float(count)


def value_text(count, tr: Translator, moe=None) -> str:
    if pd.isna(count):
        return tr("suppressed")
    text = tr.num(count)
    return f"{text} ± {tr.num(moe)}" if moe is not None and not pd.isna(moe) else text


def wilson(num: float, den: float, z: float = Z90) -> tuple[float, float]:
    """Wilson score interval for a proportion (90% by default)."""
    if den <= 0:
        return (math.nan, math.nan)
    p = num / den
    centre = (p + z * z / (2 * den)) / (1 + z * z / den)
    half = z * math.sqrt(p * (1 - p) / den + z * z / (4 * den * den)) / (1 + z * z / den)
    return max(0.0, centre - half), min(1.0, centre + half)


def _config(chart: alt.Chart, tr: Translator) -> alt.Chart:
    # One font family, metric-compatible with Arial and Helvetica: labels are placed by the
    # widths measured where the chart is drawn (vl-convert for images), so they must be the
    # widths a phone's browser draws (.ci/run installs Debian's fonts-liberation for Chromium).
    # configure() first: it replaces the whole config, the configure_* calls add to it.
    return (
        chart.configure(font=CHART_FONT, **({"locale": {"time": ES_TIME}} if tr.lang == "es" else {}))
        .configure_axis(labelFontSize=13, titleFontSize=13, labelColor="#222", titleColor="#222", labelLimit=220)
        .configure_legend(
            labelFontSize=13, titleFontSize=13, orient="bottom", labelLimit=320, labelColor="#222", titleColor="#222"
        )
        .configure_view(stroke=None)
    )


CHART_FONT = "Liberation Sans, Arial, Helvetica, sans-serif"


def _finish(
    chart: alt.Chart,
    description: str,
    title: str,
    tr: Translator,
    height: int = 320,
    figure: alt.FacetChart | None = None,
    key: str | None = None,
) -> tuple[alt.Chart, alt.Chart]:
    """The on-page chart (fits its container) and its download twin (fixed size, titled). A chart
    that asks for more height (horizontal bars, one row per bar) gets it. ``figure``: small
    multiples for the images; ``key``: a line above the on-page chart saying what its whiskers
    or bands are."""
    # On the page the text alternative is given as st.altair_chart(alt=...), Streamlit's accessible name.
    asked = chart.to_dict(validate=False).get("height")
    height = max(height, asked) if isinstance(asked, int) else height
    page = chart.properties(width="container", height=height)
    if key:
        # On lines of a phone's width: a chart title is cut, not wrapped, where it does not fit.
        lines = textwrap.wrap(key, 46)
        page = page.properties(title=alt.Title(lines, anchor="start", fontSize=12, fontWeight="normal", color="#333"))
    page = _config(page, tr)
    if figure is not None:
        figure.spec.width = FIGURE_WIDTH - 70  # the panels' own width: a facet has no overall one
        twin = _config(figure.properties(description=description), tr)
        return page, twin
    twin = _config(
        chart.properties(width=FIGURE_WIDTH, height=max(360, height), description=description),
        tr,
    )
    return page, twin


FIGURE_WIDTH = 640


def _bars(
    df: pd.DataFrame,
    tr: Translator,
    *,
    cat: str,
    cat_title: str,
    value_title: str,
    order: list[str],
    series: str | None = None,
    series_order: list[str] | None = None,
    fmt: str = ",.0f",
    horizontal: bool = False,
) -> alt.Chart:
    """Bars with a text label on each (the number or "suppressed"), optional groups and error bars.
    ``df``: columns cat, [series], value (NaN when suppressed), label, [short: a shorter label
    for beside the bar], [lo, hi].

    Category names that would not fit side by side on a phone turn the bars horizontal (one row
    per bar, the chart as tall as it needs), and long names wrap onto lines — never overlapping,
    never cut off. Whiskers are thin, and a bar's number sits past its whisker."""
    names = [str(c) for c in order]
    horizontal = horizontal or sum(len(c) for c in names) > CROWDED_CHARS or max(map(len, names), default=0) > 14
    pos, other = (alt.Y, alt.X) if horizontal else (alt.X, alt.Y)
    enc_cat = pos(
        f"{cat}:N",
        sort=order,
        title=None if horizontal else cat_title,  # long labels speak for themselves
        axis=alt.Axis(
            labelAngle=0,
            labelLimit=0,  # no cut: long names are wrapped instead
            labelOverlap=False,
            labelPadding=6,
            **({"labelExpr": expr} if (expr := wrapped_labels(names, WRAP_CHARS)) else {}),
        ),
    )
    # Room past the longest bar for its number, so no label is cut off at the chart's edge.
    top = pd.concat([df["value"], df["hi"] if "hi" in df else df["value"]]).max()
    room = (
        {"scale": alt.Scale(domainMax=float(top) * (1.3 if horizontal else 1.12))} if pd.notna(top) and top > 0 else {}
    )
    value_axis = other("value:Q", title=value_title, axis=alt.Axis(format=fmt), **room)
    colour = (
        alt.Color(
            f"{series}:N",
            sort=series_order,
            title=None,
            legend=_legend(series_order or []),
            scale=alt.Scale(range=PALETTE),
        )
        if series
        else alt.value(PALETTE[0])
    )
    offset_channel = alt.YOffset if horizontal else alt.XOffset
    offset = (
        {"yOffset" if horizontal else "xOffset": offset_channel(f"{series}:N", sort=series_order)} if series else {}
    )
    base = alt.Chart(df)
    bars = base.mark_bar().encode(
        enc_cat,
        value_axis,
        color=colour,
        tooltip=[f"{cat}:N", *([f"{series}:N"] if series else []), alt.Tooltip("label:N", title=value_title)],
        **offset,
    )
    # The number sits past the whisker, where there is one.
    shown = df.assign(at=(df["hi"].fillna(df["value"]) if "hi" in df else df["value"]).fillna(0))
    text = (
        alt.Chart(shown[shown["value"].notna()])
        .mark_text(
            align="left" if horizontal else "center",
            baseline="middle" if horizontal else "bottom",
            dx=4 if horizontal else 0,
            dy=0 if horizontal else -3,
            fontSize=12,
            color="#222",
        )
        .encode(enc_cat, other("at:Q"), alt.Text("short:N" if "short" in df else "label:N"), **offset)
    )
    # "suppressed" where a bar would be: along the bar's direction, so neighbours never run together.
    hidden = (
        alt.Chart(shown[shown["value"].isna()])
        .mark_text(
            align="left",
            baseline="middle",
            angle=0 if horizontal else 270,
            dx=4,
            fontSize=12,
            fontStyle="italic",
            color=MUTED,
        )
        .encode(enc_cat, other("at:Q"), alt.Text("label:N"), **offset)
    )
    layers = [bars, text, hidden]
    if "lo" in df:
        layers.insert(
            1,
            base.mark_errorbar(ticks={"size": 7, "thickness": 1.5}, thickness=1.5, color="#222").encode(
                enc_cat, other("lo:Q", title=value_title), **{("x2" if horizontal else "y2"): "hi:Q"}, **offset
            ),
        )
    chart = alt.layer(*layers)
    if horizontal:
        rows = len(df)
        lines = max((len(textwrap.wrap(c, WRAP_CHARS)) for c in names), default=1)
        chart = chart.properties(height=max(140, rows * max(24, 15 * lines) + 8 * len(names)))
    return chart


def _legend(labels: list[str]) -> alt.Legend:
    """A legend under the chart, one entry per line, long names wrapped rather than cut."""
    expr = wrapped_labels([str(s) for s in labels], LEGEND_WRAP_CHARS)
    return alt.Legend(orient="bottom", direction="vertical", labelLimit=0, **({"labelExpr": expr} if expr else {}))


LEGEND_WRAP_CHARS = 36
CROWDED_CHARS = 40  # category names longer than this in all do not fit under vertical bars on a phone
WRAP_CHARS = 18  # a category name longer than this wraps onto lines


_WRAPPED = re.compile(r"^\((\{.*\})\)\[datum\.label\] \|\| datum\.label$", re.S)


def _rewrap(node, width: int) -> None:
    """Re-wrap, in place, every label expression wrapped_labels made in a spec."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "labelExpr" and isinstance(value, str) and (m := _WRAPPED.match(value)):
                node[key] = wrapped_labels(list(json.loads(m.group(1))), width) or "datum.label"
            else:
                _rewrap(value, width)
    elif isinstance(node, list):
        for item in node:
            _rewrap(item, width)


def wrapped_labels(labels: list[str], width: int) -> str | None:
    """A Vega expression that shows each long label on lines of at most ``width`` characters
    (split at spaces by textwrap): an axis label given as an array is drawn one line per item."""
    lines = {c: textwrap.wrap(c, width) for c in labels if len(c) > width}
    if not lines:
        return None
    return f"({json.dumps(lines, ensure_ascii=False)})[datum.label] || datum.label"


# ----------------------------------------------------------------------------- what a finding shows


@dataclasses.dataclass(frozen=True)
class Filters:
    """What a visitor chose: a span of years, some series, one of a finding's tables, an outcome."""

    years: tuple[int, int] | None = None
    series: tuple[str, ...] | None = None
    table: str | None = None
    outcome: str | None = None


@dataclasses.dataclass(frozen=True)
class Control:
    """A filter a view offers: ``kind`` is span (two ends of ``options``), many or one."""

    name: str  # the Filters field it sets
    param: str  # its key in the URL
    kind: str
    title: str
    options: tuple
    labels: dict
    default: Any
    values: dict = dataclasses.field(default_factory=dict)  # option -> the Filters value, when they differ


class LayoutError(ValueError):
    """A table that the chart asked for cannot show."""


SHAPES = ("line", "bars", "composition", "overlap", "flow", "rates", "cost")


@dataclasses.dataclass(frozen=True)
class Layout:
    shape: str
    main: Dimension | None = None  # the category (or time, or window) axis
    series: Dimension | None = None  # colours
    flags: tuple[Dimension, ...] = ()  # overlap and flow: the Yes/No flags combined
    outcome: Dimension | None = None  # rates: numerators beside their denominator
    fixed: tuple[str, ...] = ()  # dimensions held at their Total


def _natural(table: Table) -> str:
    dims, roles = table.dimensions, [d.role for d in table.dimensions]
    flags = [d for d in dims if d.role == "flag"]
    if "time" in roles:
        return "line"
    if "outcome" in roles:
        return "rates"
    if table.resource.kind == "transitions" and flags:
        return "flow"
    if table.resource.measure == "contacts" and table.resource.unit_costs and "system" in roles:
        return "cost"
    if len(flags) >= 2 and len(flags) == len(dims):
        return "overlap"
    groups = [d for d in dims if d.role == "group" and d.partition]
    if groups and len(dims) >= 2:
        return "composition"
    return "bars"


def layout(table: Table, chart: str | None = None) -> Layout:
    """Which dimension goes where, for the chart asked for (or the one the roles call for)."""
    shape = chart or _natural(table)
    dims = list(table.dimensions)
    by_role = lambda role: [d for d in dims if d.role == role]  # noqa: E731
    first = lambda ds: ds[0] if ds else None  # noqa: E731
    if shape == "line":
        main = first(by_role("time"))
        if main is None:
            raise LayoutError("a line chart needs a time dimension (months)")
        rest = [d for d in dims if d is not main]
        out = Layout(shape, main=main, series=first(rest))
    elif shape == "rates":
        outcome = first([d for d in by_role("outcome") if _denominator(d)])
        if outcome is None:
            raise LayoutError("a rates chart needs an outcome dimension with its denominator")
        out = Layout(shape, main=first(by_role("window")), series=first(by_role("group")), outcome=outcome)
    elif shape in ("flow", "overlap"):
        flags = tuple(by_role("flag"))
        if len(flags) < (1 if shape == "flow" else 2):
            raise LayoutError(f"a {shape} chart needs {'a' if shape == 'flow' else 'two or more'} Yes/No flags")
        out = Layout(shape, flags=flags)
    elif shape == "cost":
        main = first(by_role("system"))
        if main is None or not table.resource.unit_costs:
            raise LayoutError("a cost chart needs contacts by system with unit costs")
        rest = [d for d in dims if d is not main and d.partition]
        out = Layout(shape, main=main, series=first([d for d in rest if d.role == "group"]) or first(rest))
    elif shape == "composition":
        group = first([d for d in by_role("group") if d.partition])
        main = first([d for d in dims if d is not group])
        if group is None or main is None:
            raise LayoutError("a composition chart needs a group dimension with a Total and a category to compare")
        out = Layout(shape, main=main, series=group)
    elif shape == "bars":
        # Categories along the axis; a flag or a group (Yes/No, Program/Comparison) as colours.
        main = first([d for d in dims if d.role not in ("flag", "group")]) or dims[0]
        rest = [d for d in dims if d is not main]
        out = Layout(shape, main=main, series=first(rest))
    else:
        raise LayoutError(f"unknown chart {shape!r} (known: {', '.join(SHAPES)})")
    shown = {d.name for d in (out.main, out.series, out.outcome, *out.flags) if d is not None}
    fixed = tuple(d.name for d in dims if d.name not in shown)
    no_total = [d for d in fixed if TOTAL not in table.categories(d)]
    if no_total:
        raise LayoutError(
            f"dimension {no_total[0]!r} has no Total, and a {shape} chart shows only "
            f"{', '.join(sorted(shown))}: choose another chart or a table without it"
        )
    return dataclasses.replace(out, fixed=fixed)


def _denominator(outcome: Dimension) -> str | None:
    return next((c for c, attr in (outcome.rule.select or ()) if attr is None), None)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "x"


class Names:
    """Dimension and category names in one language: the team's words first (content's
    ``[dimensions]`` and ``[categories]``, where ``"dim=category"`` names one dimension's category),
    then the release's own system labels, then numbers and months."""

    def __init__(self, release: Release, tr: Translator):
        self.tr = tr
        self.systems = {s.label.en: s.label for s in release.package.systems}
        self.system_ids = {s.id: s.label for s in release.package.systems}

    def dim(self, d: Dimension) -> str:
        if self.tr.has_dim(d.name):
            return self.tr.dim(d.name)
        if d.role == "flag" and d.rule.attrs[0] in self.system_ids:
            return getattr(self.system_ids[d.rule.attrs[0]], self.tr.lang)
        raise KeyError(d.name)

    def cat(self, d: Dimension | str, c: str) -> str:
        name = d if isinstance(d, str) else d.name
        if self.tr.has_cat(f"{name}={c}"):
            return self.tr.cat(f"{name}={c}")
        if c in self.systems and not self.tr.has_cat(c):
            return getattr(self.systems[c], self.tr.lang)
        return self.tr.cat(c)

    def member(self, d: Dimension, c: str) -> str:
        """A group's name as a series: "Everyone" for its Total, "Veteran: Yes" for a bare Yes/No."""
        if self.tr.has_cat(f"{d.name}={c}"):
            return self.tr.cat(f"{d.name}={c}")
        if c == TOTAL:
            return self.tr("everyone_label")
        if c in YES_NO:
            return f"{self.dim(d)}: {self.tr.cat(c)}"
        return self.cat(d, c)

    def known(self, d: Dimension, c: str) -> bool:
        try:
            self.cat(d, c)
            return True
        except KeyError:
            return False


@dataclasses.dataclass
class Context:
    release: Release
    table: Table
    lay: Layout
    tr: Translator
    names: Names
    filters: Filters
    bounds: Bounds
    title: str

    @property
    def threshold(self) -> int:
        return self.release.package.privacy.threshold

    @property
    def frame(self) -> pd.DataFrame:
        """The table with its fixed dimensions at their Total."""
        fr = self.table.frame
        for d in self.lay.fixed:
            fr = fr[fr[d] == TOTAL]
        return fr

    def inner(self, d: Dimension | None) -> list[str]:
        return [] if d is None else [c for c in self.table.categories(d.name) if c != TOTAL]

    def count(self, **where) -> Fact:
        return F.count_fact(self.amount(**where), self.tr, self.threshold)

    def amount(self, **where) -> F.Amount:
        return F.amount(self.table, F.rows(self.table, where), self.bounds)

    def share(self, num: dict, den: dict) -> Fact:
        return F.share_fact(self.amount(**num), self.amount(**den), self.tr)

    def total_where(self, d: Dimension | None) -> dict:
        """The whole population along ``d``: its Total, or all its categories when they partition it."""
        if d is None or TOTAL in self.table.categories(d.name):
            return {}
        return {d.name: self.inner(d)} if d.partition else {}


Facts = dict[str, Callable[[], Fact]]  # computed only when cited: the names alone are cheap


def _cells(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "value": frame["count"].map(_value).to_numpy(),
            "moe": frame["moe90"].to_numpy() if "moe90" in frame else [None] * len(frame),
            "label": [
                value_text(c, ctx.tr, m)
                for c, m in zip(frame["count"], frame["moe90"] if "moe90" in frame else [None] * len(frame))
            ],
        }
    )


def _largest(ctx: Context, d: Dimension, at: dict) -> tuple[str | None, bool]:
    """The category of ``d`` with the largest count (others at ``at``): (category, uncertain).
    Uncertain when a hidden cell could be larger than the largest shown one."""
    best, best_n, hidden = None, -1.0, []
    for c in ctx.inner(d):
        a = ctx.amount(**at, **{d.name: c})
        if a.value is None:
            hidden.append(a.hi)
        elif a.value > best_n:
            best, best_n = c, a.value
    if best_n <= 0 and not hidden:
        return None, False
    return best, any(h >= best_n for h in hidden) or best_n <= 0


# ----------------------------------------------------------------------------- shapes


def _bar_view(ctx: Context) -> View:
    lay, tr, names = ctx.lay, ctx.tr, ctx.names
    fr = ctx.frame
    main, series = lay.main, lay.series
    fr = fr[fr[main.name] != TOTAL]
    if series is not None:
        fr = fr[fr[series.name] != TOTAL]
    df = _cells(ctx, fr).assign(cat=[names.cat(main, c) for c in fr[main.name]])
    order = [names.cat(main, c) for c in ctx.inner(main)]
    extra = {}
    series_order = None
    if series is not None:
        df["series"] = [names.member(series, c) for c in fr[series.name]]
        series_order = [names.member(series, c) for c in ctx.inner(series)]
        extra = dict(series="series", series_order=series_order)
    chart = _bars(df, tr, cat="cat", cat_title=names.dim(main), value_title=_measure(ctx), order=order, **extra)
    if series is None:
        desc = f"{names.dim(main)}: " + "; ".join(f"{c}: {lbl}" for c, lbl in zip(df["cat"], df["label"]))
        table = pd.DataFrame({names.dim(main): df["cat"], _measure(ctx): df["label"]})
    else:
        desc = f"{names.dim(main)}: " + "; ".join(
            f"{c}, {s}: {lbl}" for c, s, lbl in zip(df["cat"], df["series"], df["label"])
        )
        table = (
            df.pivot(index="cat", columns="series", values="label")
            .reindex(order)[series_order]
            .reset_index()
            .rename(columns={"cat": names.dim(main)})
        )
    return _view(ctx, chart, desc, table, _plain_facts(ctx), care=_care(fr))


def _measure(ctx: Context) -> str:
    return ctx.tr("people") if ctx.table.resource.measure == "people" else ctx.tr("contacts")


def _care(fr: pd.DataFrame) -> bool:
    return "moe90" in fr and any(careful(c, m) for c, m in zip(fr["count"], fr["moe90"]))


def _plain_facts(ctx: Context) -> Facts:
    main, series = ctx.lay.main, ctx.lay.series
    out: Facts = {}
    if series is not None and TOTAL not in ctx.table.categories(series.name) and not series.partition:
        return out  # overlapping series and no Total: no one figure sums them
    at = ctx.total_where(series)
    whole = {**at, **ctx.total_where(main)}
    has_total = main.partition
    if has_total:
        out["total"] = lambda: ctx.count(**whole)

    def largest() -> tuple[str | None, bool]:
        return _largest(ctx, main, at)

    out["largest"] = lambda: F.label_fact(
        None if largest()[0] is None else ctx.names.member(main, largest()[0]), ctx.tr, largest()[1]
    )
    out["largest_count"] = lambda: (
        ctx.count(**at, **{main.name: largest()[0]}) if largest()[0] and not largest()[1] else _no_fact(ctx, largest())
    )
    if has_total:
        out["largest_share"] = lambda: (
            ctx.share({**at, main.name: largest()[0]}, whole)
            if largest()[0] and not largest()[1]
            else _no_fact(ctx, largest())
        )
    return out


def _no_fact(ctx: Context, found: tuple[str | None, bool]) -> Fact:
    return F.label_fact(None, ctx.tr, hidden=found[1])


def _composition_view(ctx: Context) -> View:
    lay, tr, names = ctx.lay, ctx.tr, ctx.names
    main, group = lay.main, lay.series
    fr = ctx.frame
    groups = ctx.inner(group)
    shown_groups = ([groups[0]] if set(groups) == set(YES_NO) else groups) + [TOTAL]
    rows = []
    for g in shown_groups:
        den = ctx.amount(**{group.name: g, **ctx.total_where(main)})
        for c in ctx.inner(main):
            r = fr[(fr[group.name] == g) & (fr[main.name] == c)].iloc[0]
            known = not pd.isna(r["count"]) and den.value is not None and den.value > 0
            share = float(r["count"]) / den.value if known else None
            rows.append(
                {
                    "cat": names.cat(main, c),
                    "series": names.member(group, g),
                    "value": share,
                    "label": tr.pct(share) if known else (tr("no_one") if den.value == 0 else tr("suppressed")),
                }
            )
    df = pd.DataFrame(rows)
    order = [names.cat(main, c) for c in ctx.inner(main)]
    series_order = [names.member(group, g) for g in shown_groups]
    desc = f"{names.dim(main)}: " + "; ".join(
        f"{c}: " + ", ".join(f"{s} {lbl}" for s, lbl in zip(sub["series"], sub["label"]))
        for c, sub in df.groupby("cat", sort=False)
    )
    chart = _bars(
        df,
        tr,
        cat="cat",
        cat_title=names.dim(main),
        value_title=tr("share_of_group"),
        order=order,
        series="series",
        series_order=series_order,
        fmt=".0%",
    )
    wide = df.pivot(index="cat", columns="series", values="label").reindex(order)[series_order]
    table = wide.reset_index().rename(columns={"cat": names.dim(main)})
    first = groups[0]
    whole = ctx.total_where(main)
    in_group = {group.name: first, **whole}

    def largest() -> tuple[str | None, bool]:
        return _largest(ctx, main, {group.name: first})

    facts: Facts = {
        "group": lambda: Fact(names.member(group, first)),
        "group_total": lambda: ctx.count(**in_group),
        "everyone": lambda: ctx.count(**whole),
        "group_share": lambda: ctx.share(in_group, whole),
        "largest": lambda: F.label_fact(
            None if largest()[0] is None else names.member(main, largest()[0]), tr, largest()[1]
        ),
        "largest_share": lambda: (
            ctx.share({group.name: first, main.name: largest()[0]}, in_group)
            if largest()[0] and not largest()[1]
            else _no_fact(ctx, largest())
        ),
    }
    return _view(ctx, chart, desc, table, facts, care=_care(fr))


def _combos(ctx: Context) -> pd.DataFrame:
    """One row per combination of the flags (no Totals), with its name and how many are Yes."""
    fr = ctx.frame
    flags = ctx.lay.flags
    for d in flags:
        fr = fr[fr[d.name] != TOTAL]
    fr = fr.copy()
    fr["n_yes"] = (fr[[d.name for d in flags]] == "Yes").sum(axis=1)
    fr["cat"] = [_combo_name(ctx, r) for _, r in fr.iterrows()]
    return fr


def _combo_name(ctx: Context, row) -> str:
    used = [ctx.names.dim(d) for d in ctx.lay.flags if row[d.name] == "Yes"]
    if not used:
        return ctx.tr("none")
    return f"{used[0]} ({ctx.tr('only')})" if len(used) == 1 else " + ".join(used)


def _flag_where(ctx: Context, **chosen) -> dict:
    """Flags not chosen: all (their Total, or both Yes and No)."""
    return {
        d.name: chosen.get(d.name, TOTAL if TOTAL in ctx.table.categories(d.name) else list(YES_NO))
        for d in ctx.lay.flags
    }


def _overlap_view(ctx: Context) -> View:
    tr = ctx.tr
    fr = _combos(ctx).sort_values(["count"], ascending=False, na_position="last")
    df = _cells(ctx, fr).assign(cat=list(fr["cat"]))
    desc = f"{tr('combination')}: " + "; ".join(f"{c}: {lbl}" for c, lbl in zip(df["cat"], df["label"]))
    chart = _bars(
        df,
        tr,
        cat="cat",
        cat_title=tr("combination"),
        value_title=_measure(ctx),
        order=list(df["cat"]),
        horizontal=True,
    )
    table = pd.DataFrame({tr("combination"): df["cat"], _measure(ctx): df["label"]})
    return _view(ctx, chart, desc, table, _combo_facts(ctx, fr), care=_care(fr), height=max(160, 26 * len(df)))


def _combo_facts(ctx: Context, fr: pd.DataFrame) -> Facts:
    flags = [d.name for d in ctx.lay.flags]
    whole = _flag_where(ctx)

    def positions(min_yes: int) -> list[int]:
        return list(np.flatnonzero(ctx.table.frame.index.isin(fr[fr["n_yes"] >= min_yes].index)))

    def amount(min_yes: int) -> F.Amount:
        return F.amount(ctx.table, positions(min_yes), ctx.bounds)

    def top() -> tuple[pd.Series | None, bool]:
        multi = fr[fr["n_yes"] >= 2]
        shown = multi[multi["count"].notna()].sort_values("count", ascending=False)
        best = shown.iloc[0] if len(shown) and shown["count"].iloc[0] > 0 else None
        best_n = float(best["count"]) if best is not None else 0.0
        hidden = [
            F.amount(ctx.table, [ctx.table.frame.index.get_loc(i)], ctx.bounds).hi
            for i in multi[multi["count"].isna()].index
        ]
        return best, any(h >= max(best_n, 1) for h in hidden)

    total = lambda: F.count_fact(F.amount(ctx.table, F.rows(ctx.table, whole), ctx.bounds), ctx.tr, ctx.threshold)  # noqa: E731
    facts: Facts = {
        "total": total,
        "multi": lambda: F.count_fact(amount(2), ctx.tr, ctx.threshold),
        "multi_share": lambda: F.share_fact(
            amount(2), F.amount(ctx.table, F.rows(ctx.table, whole), ctx.bounds), ctx.tr
        ),
        "any": lambda: F.count_fact(amount(1), ctx.tr, ctx.threshold),
        "any_share": lambda: F.share_fact(amount(1), F.amount(ctx.table, F.rows(ctx.table, whole), ctx.bounds), ctx.tr),
        "top_combo": lambda: F.label_fact(None if top()[0] is None else top()[0]["cat"], ctx.tr, top()[1]),
        "top_count": lambda: (
            ctx.count(**{f: top()[0][f] for f in flags})
            if top()[0] is not None and not top()[1]
            else F.label_fact(None, ctx.tr, top()[1])
        ),
    }
    for d in ctx.lay.flags:
        yes = _flag_where(ctx, **{d.name: "Yes"})
        facts[f"share_{slug(d.name)}"] = lambda yes=yes: ctx.share(yes, whole)
        facts[f"count_{slug(d.name)}"] = lambda yes=yes: ctx.count(**yes)
    return facts


def _flow_view(ctx: Context) -> View:
    tr = ctx.tr
    fr = _combos(ctx).sort_values(["n_yes", "count"], ascending=[False, False], na_position="last")
    df = _cells(ctx, fr).assign(cat=list(fr["cat"]))
    whole = _flag_where(ctx)
    total = ctx.count(**whole)
    desc = f"{tr('in_population')}: {total.text}. " + "; ".join(f"{c}: {lbl}" for c, lbl in zip(df["cat"], df["label"]))
    shown = df[df["value"].notna() & (df["value"] > 0)]
    sankey = go.Figure(
        go.Sankey(
            node=dict(
                label=[tr("in_population"), *shown["cat"]],
                color=["#595959", *[PALETTE[i % len(PALETTE)] for i in range(len(shown))]],
                pad=18,
                thickness=18,
            ),
            link=dict(
                source=[0] * len(shown),
                target=list(range(1, len(shown) + 1)),
                value=list(shown["value"]),
                color=["rgba(0,114,178,0.35)"] * len(shown),
            ),
        )
    )
    sankey.update_layout(height=340, margin=dict(l=8, r=8, t=8, b=8), font=dict(size=13, color="#222"))
    df = df.assign(
        lo=[None if v is None or pd.isna(v) else max(0.0, v - (m or 0)) for v, m in zip(df["value"], df["moe"])],
        hi=[None if v is None or pd.isna(v) else v + (m or 0) for v, m in zip(df["value"], df["moe"])],
    )
    if "moe90" not in fr:
        df = df.drop(columns=["lo", "hi"])
    chart = _bars(
        df,
        tr,
        cat="cat",
        cat_title=tr("outcome_after"),
        value_title=_measure(ctx),
        order=list(df["cat"]),
        horizontal=True,
    )
    view = _view(
        ctx,
        chart,
        desc,
        pd.DataFrame({tr("outcome_after"): df["cat"], _measure(ctx): df["label"]}),
        _combo_facts(ctx, fr),
        care=_care(fr),
    )
    view.chart = sankey
    return view


def _rates_view(ctx: Context) -> View:
    lay, tr, names = ctx.lay, ctx.tr, ctx.names
    out_dim, window, group = lay.outcome, lay.main, lay.series
    den_cat = _denominator(out_dim)
    outcomes = [c for c in ctx.inner(out_dim) if c != den_cat]
    chosen = ctx.filters.outcome if ctx.filters.outcome in outcomes else outcomes[0]
    windows = ctx.inner(window) or [None]
    groups = ctx.inner(group) or [None]
    fr = ctx.frame
    rows = []

    def where(w, g, o) -> dict:
        sel = {out_dim.name: o}
        if window is not None:
            sel[window.name] = w
        if group is not None:
            sel[group.name] = g
        return sel

    for w in windows:
        for g in groups:
            num, den = ctx.amount(**where(w, g, chosen)), ctx.amount(**where(w, g, den_cat))
            known = num.value is not None and den.value is not None and den.value > 0
            lo, hi = wilson(num.value, den.value) if known else (None, None)
            rows.append(
                {
                    "cat": names.cat(window, w) if window is not None else names.cat(out_dim, chosen),
                    "series": names.cat(group, g) if group is not None else names.cat(out_dim, chosen),
                    "value": min(1.0, num.value / den.value) if known else None,
                    "lo": lo,
                    "hi": hi,
                    "num": F.count_fact(num, tr, ctx.threshold).text,
                    "den": F.count_fact(den, tr, ctx.threshold).text,
                    "label": F.share_fact(num, den, tr).text
                    if known or den.value == 0
                    else tr("suppressed"),  # 0 of 0 is "no one", not hidden
                }
            )
    df = pd.DataFrame(rows)
    order = list(dict.fromkeys(df["cat"]))
    series_order = list(dict.fromkeys(df["series"]))
    desc = f"{names.cat(out_dim, chosen)} — {tr('rate').lower()}: " + "; ".join(
        f"{c}, {s}: {lbl}" for c, s, lbl in zip(df["cat"], df["series"], df["label"])
    )
    chart = _bars(
        df,
        tr,
        cat="cat",
        cat_title=names.dim(window) if window is not None else tr("outcome"),
        value_title=tr("rate_of", outcome=names.cat(out_dim, chosen)),
        order=order,
        series="series",
        series_order=series_order,
        fmt=".0%",
    )
    table = pd.DataFrame(
        {
            (names.dim(window) if window is not None else tr("outcome")): df["cat"],
            tr("group"): df["series"],
            names.cat(out_dim, den_cat): df["den"],
            names.cat(out_dim, chosen): df["num"],
            tr("rate"): df["label"],
        }
    )
    care = bool(((df["hi"] - df["lo"]) > 0.3).any()) or _care(fr)
    first_outcome, first_window = outcomes[0], windows[0]
    facts: Facts = {
        "outcome": lambda: Fact(names.cat(out_dim, first_outcome)),
        "window": lambda: Fact(names.cat(window, first_window) if window is not None else ""),
    }
    for g in groups:
        key = slug(g) if g is not None else "all"
        facts[f"rate_{key}"] = lambda g=g: ctx.share(
            where(first_window, g, first_outcome), where(first_window, g, den_cat)
        )
        facts[f"followed_{key}"] = lambda g=g: ctx.count(**where(first_window, g, den_cat))
    return _view(ctx, chart, desc, table, facts, care=care)


def _money(x: float, tr: Translator) -> str:
    return fmt_compact_usd(x, tr.lang)


def _cost_view(ctx: Context) -> View:
    lay, tr, names = ctx.lay, ctx.tr, ctx.names
    main, series = lay.main, lay.series
    costs = ctx.table.resource.unit_costs
    fr = ctx.frame
    fr = fr[fr[main.name] != TOTAL]
    if series is not None:
        fr = fr[fr[series.name] != TOTAL]
    rows = []
    for _, r in fr.iterrows():
        unit = costs[r[main.name]].usd
        known = not pd.isna(r["count"])
        moe = float(r["moe90"]) if "moe90" in r and known else 0.0
        rows.append(
            {
                "cat": names.cat(main, r[main.name]),
                "series": names.member(series, r[series.name]) if series is not None else "",
                "value": float(r["count"]) * unit if known else None,
                "lo": max(0.0, (float(r["count"]) - moe) * unit) if known else None,
                "hi": (float(r["count"]) + moe) * unit if known else None,
                "contacts": value_text(r["count"], tr, r["moe90"] if "moe90" in r else None),
                "label": _money(float(r["count"]) * unit, tr) if known else tr("suppressed"),
                "short": fmt_short_usd(float(r["count"]) * unit, tr.lang) if known else tr("suppressed"),
            }
        )
    df = pd.DataFrame(rows)
    order = [names.cat(main, c) for c in ctx.inner(main)]
    extra = {}
    if series is not None:
        extra = dict(series="series", series_order=[names.member(series, c) for c in ctx.inner(series)])
    else:
        df = df.drop(columns=["series"])
    desc = f"{tr('cost')}: " + "; ".join(
        f"{c}{', ' + s if series is not None else ''}: {lbl}"
        for c, s, lbl in zip(df["cat"], df.get("series", [""] * len(df)), df["label"])
    )
    chart = _bars(
        df, tr, cat="cat", cat_title=names.dim(main), value_title=tr("cost"), order=order, fmt="$,.2s", **extra
    )
    cols = {names.dim(main): df["cat"]}
    if series is not None:
        cols[tr("group")] = df["series"]
    table = pd.DataFrame({**cols, tr("contacts"): df["contacts"], tr("cost"): df["label"]})

    def cost(**where) -> F.Amount:
        parts = [(costs[c].usd, ctx.amount(**where, **{main.name: c})) for c in ctx.inner(main)]
        if all(a.value is not None for _, a in parts):
            value = sum(u * a.value for u, a in parts)
            moe = math.sqrt(sum((u * a.moe) ** 2 for u, a in parts))
            return F.Amount(value, max(0.0, value - moe), value + moe, moe)
        return F.Amount(None, sum(u * a.lo for u, a in parts), sum(u * a.hi for u, a in parts))

    def money(a: F.Amount) -> Fact:
        return F.count_fact(a, tr, 0, fmt=lambda x: _money(x, tr))

    everyone = ctx.total_where(series)
    facts: Facts = {"total_cost": lambda: money(cost(**everyone))}
    for c in ctx.inner(main):
        facts[f"cost_{slug(c)}"] = lambda c=c: money(_scale(ctx.amount(**everyone, **{main.name: c}), costs[c].usd))
    for g in ctx.inner(series):
        facts[f"cost_share_{slug(g)}"] = lambda g=g: F.share_fact(cost(**{series.name: g}), cost(**everyone), tr)
    return _view(ctx, chart, desc, table, facts, care=_care(fr))


def _scale(a: F.Amount, unit: float) -> F.Amount:
    return F.Amount(None if a.value is None else a.value * unit, a.lo * unit, a.hi * unit, a.moe * unit)


def _line_view(ctx: Context) -> View:
    lay, tr, names, f = ctx.lay, ctx.tr, ctx.names, ctx.filters
    time, series = lay.main, lay.series
    full = ctx.frame
    if series is not None:
        full = full[full[series.name] != TOTAL]
    fr = full.copy()
    months = _is_months(ctx.inner(time))
    if f.years and months:
        year = fr[time.name].str[:4].astype(int)
        fr = fr[(year >= f.years[0]) & (year <= f.years[1])]
    chosen = [s for s in ctx.inner(series) if not f.series or s in f.series]
    if series is not None:
        fr = fr[fr[series.name].isin(chosen)]
    moe = fr["moe90"] if "moe90" in fr else pd.Series(0, index=fr.index)
    df = pd.DataFrame(
        {
            "month": pd.to_datetime(fr[time.name] + "-01") if months else fr[time.name].to_numpy(),
            "series": [names.cat(series, s) for s in fr[series.name]] if series is not None else _measure(ctx),
            "value": fr["count"].map(_value).to_numpy(),
            "lo": (fr["count"] - moe).clip(lower=0).map(_value).to_numpy(),
            "hi": (fr["count"] + moe).map(_value).to_numpy(),
            "label": [value_text(c, tr, m if "moe90" in fr else None) for c, m in zip(fr["count"], moe)],
        }
    )
    # Colours stay with their series whatever is ticked: the scale's domain is every series.
    all_series = [names.cat(series, s) for s in ctx.inner(series)] if series is not None else [_measure(ctx)]
    x = (
        alt.X(
            "month:T",
            title=names.dim(time),
            axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6, labelOverlap="greedy", labelSeparation=8),
        )
        if months
        else alt.X("month:O", title=names.dim(time), sort=ctx.inner(time))
    )
    many = len(df) > 24 * max(1, len(chosen))  # points on every month of years would be noise

    def lines(legend: bool):
        colour = alt.Color(
            "series:N",
            sort=all_series,
            title=None,
            scale=alt.Scale(domain=all_series, range=[PALETTE[i % len(PALETTE)] for i in range(len(all_series))]),
            legend=_legend(all_series) if legend else None,
        )
        band = alt.Chart(df).mark_area(opacity=0.14).encode(x, alt.Y("lo:Q"), alt.Y2("hi:Q"), colour)
        line = (
            alt.Chart(df)
            .mark_line(strokeWidth=2, point=False if many else alt.OverlayMarkDef(size=18))
            .encode(
                x,
                alt.Y("value:Q", title=_measure(ctx), axis=alt.Axis(format=",.0f")),
                colour,
                tooltip=[
                    alt.Tooltip("month:T", format="%b %Y", title=names.dim(time)) if months else "month:O",
                    alt.Tooltip("series:N", title=names.dim(series) if series is not None else _measure(ctx)),
                    alt.Tooltip("label:N", title=_measure(ctx)),
                ],
            )
        )
        return alt.layer(band, line) if "moe90" in fr else line

    chart = lines(legend=True)
    # Images (downloads, posters, light pages) show one small panel per series, one above the
    # other on a shared scale, each named above it: lines and bands never lie on top of each other.
    header = alt.Header(
        labelAngle=0,
        labelAlign="left",
        labelAnchor="start",
        labelOrient="top",
        labelFontSize=13,
        labelFontWeight="bold",
        labelPadding=4,
    )
    figure = (
        lines(legend=False)
        .properties(height=SMALL_MULTIPLE_HEIGHT)
        .facet(row=alt.Row("series:N", sort=all_series, title=None, header=header), spacing=12)
        if series is not None and len(chosen) > 1
        else None
    )
    parts = []
    for s, sub in df.groupby("series", sort=False):
        known = sub[sub["value"].notna()]
        if len(known):
            peak = known.loc[known["value"].idxmax()]
            parts.append(
                f"{s}: {sub['label'].iat[0]} ({names.cat(time, fr[time.name].iat[0])}) → {sub['label'].iat[-1]} "
                f"({names.cat(time, fr[time.name].iat[-1])}); max {peak['label']} "
                f"({names.cat(time, peak['month'].strftime('%Y-%m')) if months else peak['month']})"
            )
    desc = f"{ctx.title}. " + (". ".join(parts) if parts else tr("nothing_shown"))
    table = pd.DataFrame(
        {
            names.dim(time): [names.cat(time, m) for m in fr[time.name]],
            **({names.dim(series): df["series"]} if series is not None else {}),
            _measure(ctx): df["label"],
        }
    )
    # The takeaway speaks of the whole table: it must not change with the filters.
    cats = ctx.inner(time)
    facts: Facts = {
        "first_month": lambda: Fact(names.cat(time, cats[0])),
        "last_month": lambda: Fact(names.cat(time, cats[-1])),
    }
    for s in ctx.inner(series) or [None]:
        key = slug(s) if s is not None else "all"
        sel = {series.name: s} if s is not None else {}
        facts[f"last_{key}"] = lambda sel=sel: ctx.count(**sel, **{time.name: cats[-1]})
        facts[f"first_{key}"] = lambda sel=sel: ctx.count(**sel, **{time.name: cats[0]})
    return _view(
        ctx,
        chart,
        desc,
        table,
        facts,
        care=_care(fr),
        height=420 if len(chosen) > 2 else 340,
        figure=figure,
        panels=len(chosen),
    )


def _is_months(cats: list[str]) -> bool:
    return bool(cats) and all(re.fullmatch(r"\d{4}-\d{2}", c) for c in cats)


def credits(release: Release, table: Table, tr: Translator) -> list[str]:
    """What an image of a chart carries under its title, so a copy that travels alone still says
    where it came from: period and population, protection, the release table, and — for the
    demonstration — that the data are synthetic."""
    from .text import md_plain, period_text

    population = tr.population(table.resource.universe_id, table.resource.universe)
    lines = [
        f"{tr('period')}: {period_text(release, tr)} · {tr('population')}: {population}",
        f"{tr('protection')}: {tr('short_' + table.control.method.replace('+', '_'))} · "
        f"{tr('table_name')}: {table.name} ({release.package.version})",
    ]
    if release.synthetic:
        lines.append(md_plain(tr("synthetic_banner")))
    return [part for line in lines for part in textwrap.wrap(line, CREDIT_CHARS)]


CREDIT_CHARS = 100  # a line of credits under a 640-pixel chart's title


SMALL_MULTIPLE_HEIGHT = 80


def has_ranges(chart) -> bool:
    """Does the chart draw ranges (whiskers or bands)?"""
    spec = json.dumps(chart.to_dict(validate=False))
    return '"errorbar"' in spec or '"y2"' in spec or '"x2"' in spec


def _view(
    ctx: Context,
    chart,
    desc: str,
    table: pd.DataFrame,
    facts: Facts,
    care: bool,
    height: int = 320,
    figure=None,
    panels: int = 1,
) -> View:
    """``figure``: the images' own chart when it differs from the screen's (small multiples, one
    panel per ``panels``)."""
    ranged = has_ranges(chart)
    key = ctx.tr("range_key") if ranged else None
    page, fig = _finish(chart, desc, ctx.title, ctx.tr, height=height, figure=figure, key=key)
    lines = credits(ctx.release, ctx.table, ctx.tr)
    fig = fig.properties(
        title=alt.Title(
            ctx.title,
            anchor="start",
            fontSize=16,
            subtitle=[key, *lines] if key else lines,
            subtitleFontSize=11,
            subtitleColor="#333",
            subtitlePadding=6,
        )
    )
    view = View(page, fig, desc, table, {}, care, [ctx.table.name], panels if figure is not None else 1)
    view.facts = facts  # thunks until build() adds the declared facts and computes them
    return view


BUILDERS: dict[str, Callable[[Context], View]] = {
    "line": _line_view,
    "bars": _bar_view,
    "composition": _composition_view,
    "overlap": _overlap_view,
    "flow": _flow_view,
    "rates": _rates_view,
    "cost": _cost_view,
}


# ----------------------------------------------------------------------------- a finding's view


def finding_tables(finding) -> list[str]:
    return [finding.table, *getattr(finding, "also", [])]


def chosen_table(finding, filters: Filters) -> str:
    tables = finding_tables(finding)
    return filters.table if filters.table in tables else tables[0]


def declared_fact(ctx: Context, spec) -> Fact:
    """A fact the finding's content declares: a count of some cells, or their share of others."""
    if spec.value == "share":
        return ctx.share(dict(spec.cells), dict(spec.of or {}))
    return ctx.count(**spec.cells)


def build(
    release: Release,
    finding,
    tr: Translator,
    filters: Filters = Filters(),
    bounds: Bounds | None = None,
) -> View:
    """The view of a finding (content's ``Finding``: its table(s), chart, declared facts, title).
    The facts always come from the finding's first table, whatever the visitor switched to."""
    bounds = bounds or Bounds(release)
    names = Names(release, tr)
    title = finding.title[tr.lang]
    name = chosen_table(finding, filters)
    table = release[name]
    ctx = Context(release, table, layout(table, finding.chart), tr, names, filters, bounds, title)
    view = BUILDERS[ctx.lay.shape](ctx)
    first = release[finding.table]
    fctx = (
        ctx
        if name == finding.table
        else Context(release, first, layout(first, finding.chart), tr, names, Filters(), bounds, title)
    )
    thunks = view.facts if name == finding.table else BUILDERS[fctx.lay.shape](fctx).facts
    thunks = {**thunks, **{k: (lambda s=s: declared_fact(fctx, s)) for k, s in finding.facts.items()}}
    view.facts = _Lazy(thunks)
    return view


class _Lazy(dict):
    """Facts computed on first use and kept: a view's many facts are mostly never cited."""

    def __init__(self, thunks: Facts):
        super().__init__()
        self._thunks = thunks

    def __missing__(self, key: str) -> Fact:
        value = self._thunks[key]()
        self[key] = value
        return value

    def __contains__(self, key) -> bool:
        return key in self._thunks

    def keys(self):
        return self._thunks.keys()

    def __iter__(self):
        return iter(self._thunks)

    def __len__(self) -> int:
        return len(self._thunks)


def fact_names(release: Release, finding, tr: Translator) -> set[str]:
    """The facts a finding's takeaway may cite, without computing any."""
    return set(build(release, finding, tr).facts.keys())


def controls(release: Release, finding, tr: Translator) -> list[Control]:
    """The filters a finding's view offers, with their options, labels and defaults."""
    names = Names(release, tr)
    out = []
    tables = finding_tables(finding)
    if len(tables) > 1:
        # Each table by the dimension it adds (group=gender), or by its name when two add the same one.
        mains = [layout(release[t], finding.chart).main for t in tables]
        codes = [m.name if m is not None else t for m, t in zip(mains, tables)]
        if len(set(codes)) < len(codes):
            codes = list(tables)
        labels = {
            c: names.dim(m) if m is not None else release[t].resource.title for c, m, t in zip(codes, mains, tables)
        }
        out.append(
            Control(
                "table", "group", "pick", tr("filter_view"), tuple(codes), labels, codes[0], dict(zip(codes, tables))
            )
        )
    table = release[finding.table]
    lay = layout(table, finding.chart)
    if lay.shape == "line":
        cats = [c for c in table.categories(lay.main.name) if c != TOTAL]
        if _is_months(cats):
            years = tuple(sorted({int(m[:4]) for m in cats}))
            if len(years) > 1:
                out.append(Control("years", "years", "span", tr("filter_period"), years, {}, (years[0], years[-1])))
        if lay.series is not None:
            opts = tuple(c for c in table.categories(lay.series.name) if c != TOTAL)
            out.append(
                Control(
                    "series",
                    "systems" if lay.series.role == "system" else "series",
                    "many",
                    names.dim(lay.series),
                    opts,
                    {c: names.cat(lay.series, c) for c in opts},
                    opts,
                )
            )
    if lay.shape == "rates":
        den = _denominator(lay.outcome)
        opts = tuple(c for c in table.categories(lay.outcome.name) if c != den)
        if len(opts) > 1:
            out.append(
                Control(
                    "outcome",
                    "outcome",
                    "one",
                    tr("filter_outcome"),
                    opts,
                    {c: names.cat(lay.outcome, c) for c in opts},
                    opts[0],
                )
            )
    return out


def shown_categories(release: Release, finding) -> list[tuple[Table, Dimension, str]]:
    """Every (table, dimension, category) a finding's views may name, for the start-up check."""
    out = []
    for t in finding_tables(finding):
        table = release[t]
        lay = layout(table, finding.chart)
        for d in (lay.main, lay.series, lay.outcome, *lay.flags):
            if d is None or d.role == "flag":
                continue
            for c in table.categories(d.name):
                if c != TOTAL or (lay.shape == "composition" and d is lay.series):
                    out.append((table, d, c))
    return out


def shown_dimensions(release: Release, finding) -> list[tuple[Table, Dimension]]:
    out = []
    for t in finding_tables(finding):
        table = release[t]
        lay = layout(table, finding.chart)
        out.extend((table, d) for d in (lay.main, lay.series, lay.outcome, *lay.flags) if d is not None)
    return out
