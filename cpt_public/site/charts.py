"""Findings as charts: protected table -> chart, text alternative, table view and facts.

Pure functions (no Streamlit). Each chart kind reads one or more release tables and returns a
``View``: the chart (Altair; Plotly for the Sankey), an Altair twin for PNG/SVG downloads, a
text alternative that a screen reader announces with the chart, the numbers as a table, the
facts a takeaway may cite, and whether small numbers call for care. Rules everywhere:
- a suppressed cell is labelled "suppressed", never drawn or counted as 0, never dropped;
- a DP count shows its 90% margin of error; a large margin flags "interpret with care";
- rates and costs are computed from protected counts, never protected afresh.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd
import plotly.graph_objects as go

from ..release.catalog import Release
from ..release.spec import TOTAL
from .i18n import Translator

# Okabe-Ito: distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
MUTED = "#595959"  # suppressed labels: 7:1 contrast on white
CARE_RATIO = 0.25  # a margin of error above a quarter of the value: interpret with care
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


@dataclasses.dataclass(frozen=True)
class Filters:
    years: tuple[int, int] | None = None
    systems: tuple[str, ...] | None = None
    group: str = "age"
    outcome: str = "Jail booking"


@dataclasses.dataclass
class View:
    chart: Any
    figure: alt.Chart  # the download twin: fixed size, titled
    alt_text: str
    table: pd.DataFrame
    facts: dict[str, str]
    care: bool
    tables: list[str]

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


@dataclasses.dataclass(frozen=True)
class Kind:
    build: Callable[..., View]
    facts: tuple[str, ...]
    filters: tuple[str, ...] = ()
    extra_tables: tuple[str, ...] = ()

    def tables(self, table: str) -> list[str]:
        return [table, *self.extra_tables]


# ----------------------------------------------------------------------------- helpers


def _value(count) -> float | None:
    return None if pd.isna(count) else float(count)


def value_text(count, tr: Translator, moe=None) -> str:
    if pd.isna(count):
        return tr("suppressed")
    text = tr.num(count)
    return f"{text} ± {tr.num(moe)}" if moe is not None and not pd.isna(moe) else text


def share_text(num, den, tr: Translator, digits: int = 0) -> str:
    if num is None or den is None or pd.isna(num) or pd.isna(den) or den == 0:
        return tr("suppressed")
    return tr.pct(float(num) / float(den), digits)


def sum_or_none(values) -> int | None:
    values = list(values)
    return None if any(pd.isna(v) for v in values) else int(sum(values))


def careful(count, moe) -> bool:
    if moe is None or pd.isna(moe) or pd.isna(count):
        return False
    return moe > CARE_RATIO * max(float(count), 1.0)


def cell(frame: pd.DataFrame, **where):
    rows = frame
    for k, v in where.items():
        rows = rows[rows[k] == v]
    return rows.iloc[0]


def wilson(num: float, den: float, z: float = Z90) -> tuple[float, float]:
    """Wilson score interval for a proportion (90% by default)."""
    if den <= 0:
        return (math.nan, math.nan)
    p = num / den
    centre = (p + z * z / (2 * den)) / (1 + z * z / den)
    half = z * math.sqrt(p * (1 - p) / den + z * z / (4 * den * den)) / (1 + z * z / den)
    return max(0.0, centre - half), min(1.0, centre + half)


def _config(chart: alt.Chart, tr: Translator) -> alt.Chart:
    chart = (
        chart.configure_axis(labelFontSize=13, titleFontSize=13, labelColor="#222", titleColor="#222", labelLimit=220)
        .configure_legend(labelFontSize=13, titleFontSize=13, orient="bottom", labelLimit=320)
        .configure_view(stroke=None)
    )
    if tr.lang == "es":
        chart = chart.configure(locale={"time": ES_TIME})
    return chart


def _finish(
    chart: alt.Chart, description: str, title: str, tr: Translator, height: int = 320
) -> tuple[alt.Chart, alt.Chart]:
    """The on-page chart (fits its container) and its download twin (fixed size, titled)."""
    # On the page the text alternative is given as st.altair_chart(alt=...), Streamlit's accessible name.
    page = _config(chart.properties(width="container", height=height), tr)
    figure = _config(
        chart.properties(
            width=640,
            height=max(360, height),
            description=description,
            title=alt.Title(title, anchor="start", fontSize=16),
        ),
        tr,
    )
    return page, figure


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
    ``df``: columns cat, [series], value (NaN when suppressed), label, [lo, hi]."""
    pos, other = (alt.Y, alt.X) if horizontal else (alt.X, alt.Y)
    enc_cat = pos(
        f"{cat}:N",
        sort=order,
        title=None if horizontal else cat_title,  # long labels speak for themselves
        axis=alt.Axis(labelAngle=0, labelLimit=140 if not horizontal else 260, labelOverlap=False),
    )
    value_axis = other("value:Q", title=value_title, axis=alt.Axis(format=fmt))
    colour = (
        alt.Color(
            f"{series}:N",
            sort=series_order,
            title=None,
            legend=alt.Legend(orient="bottom", direction="vertical"),
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
    shown = df.assign(at=df["value"].fillna(0))
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
        .encode(enc_cat, other("at:Q"), alt.Text("label:N"), **offset)
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
            base.mark_errorbar(ticks=True, color="#222").encode(
                enc_cat, other("lo:Q", title=value_title), **{("x2" if horizontal else "y2"): "hi:Q"}, **offset
            ),
        )
    return alt.layer(*layers)


# ----------------------------------------------------------------------------- kinds


def systems_used(release: Release, table: str, tr: Translator, f: Filters) -> View:
    fr = release[table].frame
    inner = fr[fr["systems_used"] != TOTAL]
    df = pd.DataFrame(
        {
            "cat": inner["systems_used"].map(tr.cat),
            "value": inner["count"].map(_value),
            "label": [value_text(c, tr) for c in inner["count"]],
        }
    )
    order = list(df["cat"])
    total = cell(fr, systems_used=TOTAL)["count"]
    multi = sum_or_none(inner[inner["systems_used"].isin(["2", "3", "4"])]["count"])
    four = cell(fr, systems_used="4")["count"]
    facts = {
        "total": value_text(total, tr),
        "multi": value_text(multi, tr),
        "multi_share": share_text(multi, total, tr),
        "four": value_text(four, tr),
    }
    desc = f"{tr('systems')}: " + "; ".join(f"{c}: {lbl}" for c, lbl in zip(df["cat"], df["label"]))
    page, fig = _finish(
        _bars(df, tr, cat="cat", cat_title=tr("systems"), value_title=tr("people"), order=order),
        desc,
        release[table].resource.title,
        tr,
    )
    view_table = pd.DataFrame({tr("systems"): df["cat"], tr("people"): df["label"]})
    return View(page, fig, desc, view_table, facts, False, [table])


def _combo(row, cols: dict[str, str], tr: Translator) -> str:
    used = [tr.cat(v) for k, v in cols.items() if row[k] == "Yes"]
    if not used:
        return tr("none")
    return f"{used[0]} ({tr('only')})" if len(used) == 1 else " + ".join(used)


def overlap(release: Release, table: str, tr: Translator, f: Filters) -> View:
    t = release[table]
    fr = t.frame
    labels = {s.id: s.label.en for s in release.package.systems}
    flags = [d for d in t.dimensions if d.role == "flag"]  # each flag: a system, by its rule's attribute
    cols = {d.name: labels.get(d.rule.attrs[0], d.name) for d in flags}
    inner = fr[~(fr[list(cols)] == TOTAL).any(axis=1)].copy()
    inner["n_systems"] = (inner[list(cols)] == "Yes").sum(axis=1)
    inner["cat"] = [_combo(r, cols, tr) for _, r in inner.iterrows()]
    inner = inner.sort_values(["count"], ascending=False, na_position="last")
    df = pd.DataFrame(
        {"cat": inner["cat"], "value": inner["count"].map(_value), "label": [value_text(c, tr) for c in inner["count"]]}
    )
    multi = inner[(inner["n_systems"] >= 2) & inner["count"].notna()]
    top = multi.iloc[0] if len(multi) else None
    facts = {
        "top_combo": top["cat"] if top is not None else tr("suppressed"),
        "top_count": value_text(top["count"] if top is not None else None, tr),
    }
    desc = f"{tr('combination')}: " + "; ".join(f"{c}: {lbl}" for c, lbl in zip(df["cat"], df["label"]))
    chart = _bars(
        df, tr, cat="cat", cat_title=tr("combination"), value_title=tr("people"), order=list(df["cat"]), horizontal=True
    )
    page, fig = _finish(chart, desc, release[table].resource.title, tr, height=24 * len(df))
    view_table = pd.DataFrame({tr("combination"): df["cat"], tr("people"): df["label"]})
    return View(page, fig, desc, view_table, facts, False, [table])


def monthly(release: Release, table: str, tr: Translator, f: Filters) -> View:
    fr = release[table].frame.copy()
    fr["year"] = fr["month"].str[:4].astype(int)
    if f.years:
        fr = fr[(fr["year"] >= f.years[0]) & (fr["year"] <= f.years[1])]
    if f.systems:
        fr = fr[fr["system"].isin(f.systems)]
    df = pd.DataFrame(
        {
            "month": pd.to_datetime(fr["month"] + "-01"),
            "series": fr["system"].map(tr.cat),
            "value": fr["count"].map(_value),
            "lo": (fr["count"] - fr["moe90"]).clip(lower=0).map(_value),
            "hi": (fr["count"] + fr["moe90"]).map(_value),
            "label": [value_text(c, tr, m) for c, m in zip(fr["count"], fr["moe90"])],
        }
    )
    order = [tr.cat(s) for s in release[table].categories("system") if not f.systems or s in f.systems]
    colour = alt.Color(
        "series:N",
        sort=order,
        title=None,
        scale=alt.Scale(domain=order, range=PALETTE[: len(order)]),
        legend=alt.Legend(orient="bottom", direction="vertical"),
    )
    x = alt.X("month:T", title=tr("month"), axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6))
    band = alt.Chart(df).mark_area(opacity=0.2).encode(x, alt.Y("lo:Q"), alt.Y2("hi:Q"), colour)
    line = (
        alt.Chart(df)
        .mark_line(point=alt.OverlayMarkDef(size=18))
        .encode(
            x,
            alt.Y("value:Q", title=tr("people"), axis=alt.Axis(format=",.0f")),
            colour,
            tooltip=[
                alt.Tooltip("month:T", format="%b %Y", title=tr("month")),
                alt.Tooltip("series:N", title=tr("system")),
                alt.Tooltip("label:N", title=tr("people")),
            ],
        )
    )
    care = any(careful(c, m) for c, m in zip(fr["count"], fr["moe90"]))
    # The takeaway speaks of the whole table (it must not change with the filters); the text
    # alternative describes the filtered view the chart shows.
    full = release[table].frame
    latest = full["month"].max()
    facts = {
        "last_month": tr.cat(latest),
        "last_ed": value_text(cell(full, month=latest, system="Emergency department")["count"], tr),
        "last_jail": value_text(cell(full, month=latest, system="Jail")["count"], tr),
    }
    shown_last = fr["month"].max() if len(fr) else None
    parts = []
    for s in order:
        sub = df[df["series"] == s]
        if len(sub):
            peak = sub.loc[sub["value"].idxmax()]
            parts.append(
                f"{s}: {tr('people').lower()} {sub['label'].iat[0]} ({tr.cat(fr['month'].min())}) → "
                f"{sub['label'].iat[-1]} ({tr.cat(shown_last)}); max {peak['label']} ({tr.cat(peak['month'].strftime('%Y-%m'))})"
            )
    desc = f"{release[table].resource.title}. " + ". ".join(parts)
    page, fig = _finish(alt.layer(band, line), desc, release[table].resource.title, tr)
    view_table = pd.DataFrame(
        {tr("month"): fr["month"].map(tr.cat), tr("system"): df["series"], tr("people"): df["label"]}
    )
    return View(page, fig, desc, view_table, facts, care, [table])


DEMOGRAPHIC_TABLES = {
    "age": ("age_by_multi_system", "age_group"),
    "gender": ("gender_by_multi_system", "gender"),
    "race": ("race_by_multi_system", "race_ethnicity"),
}


def demographics(release: Release, table: str, tr: Translator, f: Filters) -> View:
    name, dim = DEMOGRAPHIC_TABLES.get(f.group, DEMOGRAPHIC_TABLES["age"])
    fr = release[name].frame
    rows = []
    for key, series in (("Yes", tr("multi_label")), (TOTAL, tr("everyone_label"))):
        den = cell(fr, multi_system=key, **{dim: TOTAL})["count"]
        for _, r in fr[(fr["multi_system"] == key) & (fr[dim] != TOTAL)].iterrows():
            share = None if pd.isna(r["count"]) or pd.isna(den) else float(r["count"]) / float(den)
            rows.append(
                {
                    "cat": tr.cat(r[dim]),
                    "series": series,
                    "value": share,
                    "count": r["count"],
                    "label": tr("suppressed") if share is None else tr.pct(share),
                }
            )
    df = pd.DataFrame(rows)
    order = [tr.cat(c) for c in release[name].categories(dim) if c != TOTAL]
    series_order = [tr("multi_label"), tr("everyone_label")]
    group_title = tr(
        {"age": "group_age", "gender": "group_gender", "race": "group_race"}[
            f.group if f.group in DEMOGRAPHIC_TABLES else "age"
        ]
    )
    multi = cell(fr, multi_system="Yes", **{dim: TOTAL})["count"]
    everyone = cell(fr, multi_system=TOTAL, **{dim: TOTAL})["count"]
    facts = {
        "multi_users": value_text(multi, tr),
        "everyone": value_text(everyone, tr),
        "multi_share": share_text(multi, everyone, tr),
    }
    desc = f"{group_title}: " + "; ".join(
        f"{c}: {a} {tr('multi_label').lower()}, {b} {tr('everyone_label').lower()}"
        for c, a, b in zip(
            order, df[df["series"] == series_order[0]]["label"], df[df["series"] == series_order[1]]["label"]
        )
    )
    chart = _bars(
        df,
        tr,
        cat="cat",
        cat_title=group_title,
        value_title=tr("share_of_group"),
        order=order,
        series="series",
        series_order=series_order,
        fmt=".0%",
    )
    page, fig = _finish(chart, desc, release[name].resource.title, tr)
    wide = df.pivot(index="cat", columns="series", values="label").reindex(order)[series_order]
    view_table = wide.reset_index().rename(columns={"cat": group_title})
    return View(page, fig, desc, view_table, facts, False, [name])


def frequent(release: Release, table: str, tr: Translator, f: Filters) -> View:
    fr = release[table].frame
    inner = fr[(fr["bookings_12m"] != TOTAL) & (fr["homeless_12m"] != TOTAL)]
    names = {"Yes": tr("homeless_yes"), "No": tr("homeless_no")}
    df = pd.DataFrame(
        {
            "cat": inner["bookings_12m"].map(tr.cat),
            "series": inner["homeless_12m"].map(names),
            "value": inner["count"].map(_value),
            "label": [value_text(c, tr) for c in inner["count"]],
        }
    )
    order = [c for c in release[table].categories("bookings_12m") if c != TOTAL]
    frequent_bands = [b for b in order if int(b.rstrip("+").split("-")[0]) >= 3]
    total_rows = fr[(fr["homeless_12m"] == TOTAL) & fr["bookings_12m"].isin(frequent_bands)]
    yes_rows = fr[(fr["homeless_12m"] == "Yes") & fr["bookings_12m"].isin(frequent_bands)]
    n_frequent, n_yes = sum_or_none(total_rows["count"]), sum_or_none(yes_rows["count"])
    facts = {"frequent": value_text(n_frequent, tr), "frequent_homeless_share": share_text(n_yes, n_frequent, tr)}
    desc = f"{tr('bookings')}: " + "; ".join(
        f"{c}, {s}: {lbl}" for c, s, lbl in zip(df["cat"], df["series"], df["label"])
    )
    chart = _bars(
        df,
        tr,
        cat="cat",
        cat_title=tr("bookings"),
        value_title=tr("people"),
        order=order,
        series="series",
        series_order=list(names.values()),
    )
    page, fig = _finish(chart, desc, release[table].resource.title, tr)
    view_table = (
        df.pivot(index="cat", columns="series", values="label")
        .reindex(order)[list(names.values())]
        .reset_index()
        .rename(columns={"cat": tr("bookings")})
    )
    return View(page, fig, desc, view_table, facts, False, [table])


def transitions(release: Release, table: str, tr: Translator, f: Filters) -> View:
    fr = release[table].frame
    ed, sh = "ed_visit_after_release", "shelter_entry_after_release"
    outcomes = [
        ("Yes", "Yes", tr("both")),
        ("Yes", "No", tr("ed_only")),
        ("No", "Yes", tr("shelter_only")),
        ("No", "No", tr("neither")),
    ]
    rows = []
    for e, s, name in outcomes:
        r = cell(fr, **{ed: e, sh: s})
        rows.append(
            {
                "cat": name,
                "value": _value(r["count"]),
                "moe": r["moe90"],
                "lo": _value(max(0, r["count"] - r["moe90"])) if not pd.isna(r["count"]) else None,
                "hi": _value(r["count"] + r["moe90"]) if not pd.isna(r["count"]) else None,
                "label": value_text(r["count"], tr, r["moe90"]),
            }
        )
    df = pd.DataFrame(rows)
    total = cell(fr, **{ed: TOTAL, sh: TOTAL})
    ed_yes, sh_yes = cell(fr, **{ed: "Yes", sh: TOTAL})["count"], cell(fr, **{ed: TOTAL, sh: "Yes"})["count"]
    facts = {
        "released": value_text(total["count"], tr),
        "ed_share": share_text(ed_yes, total["count"], tr),
        "shelter_share": share_text(sh_yes, total["count"], tr),
    }
    care = any(careful(r["count"], r["moe90"]) for _, r in fr.iterrows())
    desc = f"{tr('released')}: {value_text(total['count'], tr, total['moe90'])}. " + "; ".join(
        f"{c}: {lbl}" for c, lbl in zip(df["cat"], df["label"])
    )
    shown = df[df["value"].notna()]
    sankey = go.Figure(
        go.Sankey(
            node=dict(
                label=[tr("released"), *shown["cat"]], color=["#595959", *PALETTE[: len(shown)]], pad=18, thickness=18
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
    chart = _bars(
        df,
        tr,
        cat="cat",
        cat_title=tr("outcome_after"),
        value_title=tr("people"),
        order=list(df["cat"]),
        horizontal=True,
    )
    _, fig = _finish(chart, desc, release[table].resource.title, tr)
    view_table = pd.DataFrame({tr("outcome_after"): df["cat"], tr("people"): df["label"]})
    return View(sankey, fig, desc, view_table, facts, care, [table])


def program(release: Release, table: str, tr: Translator, f: Filters) -> View:
    fr = release[table].frame
    outcome = (
        f.outcome
        if f.outcome in release[table].categories("outcome") and f.outcome != "People followed"
        else "Jail booking"
    )
    rows = []
    for window in release[table].categories("followup_window"):
        for group in ("Program", "Comparison"):
            num = cell(fr, followup_window=window, outcome=outcome, group=group)["count"]
            den = cell(fr, followup_window=window, outcome="People followed", group=group)["count"]
            known = not (pd.isna(num) or pd.isna(den)) and den > 0
            lo, hi = wilson(float(num), float(den)) if known else (None, None)
            rows.append(
                {
                    "cat": tr.cat(window),
                    "series": tr.cat(group),
                    "value": float(num) / float(den) if known else None,
                    "lo": lo,
                    "hi": hi,
                    "num": num,
                    "den": den,
                    "label": share_text(num, den, tr) if known else tr("suppressed"),
                }
            )
    df = pd.DataFrame(rows)
    first = release[table].categories("followup_window")[0]

    def rate(g):
        return share_text(
            cell(fr, followup_window=first, outcome=outcome, group=g)["count"],
            cell(fr, followup_window=first, outcome="People followed", group=g)["count"],
            tr,
        )

    facts = {"program_rate": rate("Program"), "comparison_rate": rate("Comparison"), "outcome": tr.cat(outcome)}
    order = [tr.cat(w) for w in release[table].categories("followup_window")]
    series_order = [tr.cat("Program"), tr.cat("Comparison")]
    desc = f"{tr.cat(outcome)} — {tr('rate').lower()}: " + "; ".join(
        f"{c}, {s}: {lbl}" for c, s, lbl in zip(df["cat"], df["series"], df["label"])
    )
    chart = _bars(
        df,
        tr,
        cat="cat",
        cat_title=tr("window"),
        value_title=tr("rate"),
        order=order,
        series="series",
        series_order=series_order,
        fmt=".0%",
    )
    page, fig = _finish(chart, desc, release[table].resource.title, tr)
    view_table = pd.DataFrame(
        {
            tr("window"): df["cat"],
            tr("group"): df["series"],
            tr("people"): [value_text(d, tr) for d in df["den"]],
            tr.cat(outcome): [value_text(n, tr) for n in df["num"]],
            tr("rate"): df["label"],
        }
    )
    care = bool(((df["hi"] - df["lo"]) > 0.3).any())
    return View(page, fig, desc, view_table, facts, care, [table])


def cost(release: Release, table: str, tr: Translator, f: Filters) -> View:
    t = release[table]
    fr, costs = t.frame, t.resource.unit_costs or {}
    names = {"Yes": tr("multi_label"), "No": tr("others_label")}
    rows = []
    for _, r in fr[(fr["system"] != TOTAL) & (fr["multi_system"] != TOTAL)].iterrows():
        unit = costs[r["system"]].usd
        known = not pd.isna(r["count"])
        rows.append(
            {
                "cat": tr.cat(r["system"]),
                "series": names[r["multi_system"]],
                "value": float(r["count"]) * unit if known else None,
                "lo": max(0.0, float(r["count"] - r["moe90"]) * unit) if known else None,
                "hi": float(r["count"] + r["moe90"]) * unit if known else None,
                "contacts": value_text(r["count"], tr, r["moe90"]),
                "label": _money(float(r["count"]) * unit, tr) if known else tr("suppressed"),
            }
        )
    df = pd.DataFrame(rows)
    total = sum_or_none(df["value"])
    multi = sum_or_none(df[df["series"] == names["Yes"]]["value"])
    facts = {
        "total_cost": _money(total, tr) if total is not None else tr("suppressed"),
        "multi_cost_share": share_text(multi, total, tr),
    }
    care = any(careful(c, m) for c, m in zip(fr["count"], fr["moe90"]))
    order = [tr.cat(s) for s in t.categories("system") if s != TOTAL]
    desc = f"{tr('cost')}: " + "; ".join(f"{c}, {s}: {lbl}" for c, s, lbl in zip(df["cat"], df["series"], df["label"]))
    chart = _bars(
        df,
        tr,
        cat="cat",
        cat_title=tr("system"),
        value_title=tr("cost"),
        order=order,
        series="series",
        series_order=list(names.values()),
        fmt="$,.2s",
    )
    page, fig = _finish(chart, desc, t.resource.title, tr)
    view_table = pd.DataFrame(
        {tr("system"): df["cat"], tr("group"): df["series"], tr("contacts"): df["contacts"], tr("cost"): df["label"]}
    )
    return View(page, fig, desc, view_table, facts, care, [table])


def _money(x: float, tr: Translator) -> str:
    from .i18n import fmt_compact_usd

    return fmt_compact_usd(x, tr.lang)


KINDS: dict[str, Kind] = {
    "systems_used": Kind(systems_used, ("total", "multi", "multi_share", "four")),
    "overlap": Kind(overlap, ("top_combo", "top_count")),
    "monthly": Kind(monthly, ("last_month", "last_ed", "last_jail"), ("years", "systems")),
    "demographics": Kind(
        demographics,
        ("multi_users", "everyone", "multi_share"),
        ("group",),
        ("gender_by_multi_system", "race_by_multi_system"),
    ),
    "frequent": Kind(frequent, ("frequent", "frequent_homeless_share")),
    "transitions": Kind(transitions, ("released", "ed_share", "shelter_share")),
    "program": Kind(program, ("program_rate", "comparison_rate", "outcome"), ("outcome",)),
    "cost": Kind(cost, ("total_cost", "multi_cost_share")),
}


def build(
    kind: str, release: Release, table: str, tr: Translator, filters: Filters = Filters(), title: str | None = None
) -> View:
    """The view of a finding. ``title`` (the finding's title, in the visitor's language) heads the
    downloadable chart; without it, the release table's title is used."""
    view = KINDS[kind].build(release, table, tr, filters)
    if title:
        view.figure = view.figure.properties(title=alt.Title(title, anchor="start", fontSize=16))
    return view
