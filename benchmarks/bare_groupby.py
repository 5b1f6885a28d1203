"""The baseline: the same exact counts as the demo release, by plain pandas GROUP BYs.

No validation, no protection, no audit, no manifest: read the files, group, count. It is the
denominator of the publish benchmark's ratio, and, written independently of the atom model,
the oracle that tests/unit/test_aggregate.py checks the publish step's exact counts against.
Interior cells only (no Total margins), keyed like the release tables.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.csv as pa_csv

SYSTEMS = {"jail_bookings": ("Jail", "booking_date"), "homeless_enrollments": ("Homeless services", "entry_date"),
           "ems_encounters": ("EMS", "encounter_date"), "ed_visits": ("Emergency department", "visit_date")}
FLAGS = {"jail_bookings": "jail", "homeless_enrollments": "homeless", "ems_encounters": "ems", "ed_visits": "ed"}
AGE = [(0, 18, "Under 18"), (18, 25, "18-24"), (25, 35, "25-34"), (35, 45, "35-44"), (45, 55, "45-54"),
       (55, 65, "55-64"), (65, 999, "65+")]


def read(folder: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pa_csv.read_csv(p).to_pandas() for p in Path(folder).glob("*.csv")}


def exact_tables(d: dict[str, pd.DataFrame], end: str = "2025-12-31") -> dict[str, pd.Series]:
    end = pd.Timestamp(end)
    since = end - pd.Timedelta(days=364)
    people = d["people"].set_index("person_id")
    for t, flag in FLAGS.items():  # .loc on the index is a hash lookup (Index.isin on Arrow strings is slow)
        people[flag] = "No"
        people.loc[d[t]["person_id"].drop_duplicates(), flag] = "Yes"
    flags = list(FLAGS.values())
    n_sys = (people[flags] == "Yes").sum(axis=1)
    people["systems_used"] = n_sys.astype(str)
    people["multi_system"] = np.where(n_sys >= 2, "Yes", "No")
    age = end.year - people["birth_year"]
    people["age_group"] = "Unknown"
    for lo, hi, label in AGE:
        people.loc[(age >= lo) & (age < hi), "age_group"] = label
    out = {
        "systems_used": people.groupby("systems_used").size(),
        "system_overlap": people.groupby(flags).size(),
        "age_by_multi_system": people.groupby(["multi_system", "age_group"]).size(),
        "gender_by_multi_system": people.groupby(["multi_system", "gender"]).size(),
        "race_by_multi_system": people.groupby(["multi_system", "race_ethnicity"]).size(),
    }
    b = d["jail_bookings"]
    h = d["homeless_enrollments"]
    recent = b[pd.to_datetime(b["booking_date"]) >= since].groupby("person_id").size()
    bands = pd.cut(recent, [0, 1, 2, 4, np.inf], labels=["1", "2", "3-4", "5+"]).astype(str)
    active = h[h["exit_date"].isna() | (pd.to_datetime(h["exit_date"]) >= since)]["person_id"].unique()
    fr = pd.DataFrame({"bookings_12m": bands})
    fr["homeless_12m"] = "No"
    fr.loc[fr.index.intersection(pd.Index(active)), "homeless_12m"] = "Yes"
    out["frequent_jail_use"] = fr.groupby(["bookings_12m", "homeless_12m"]).size()
    rel = b.dropna(subset=["release_date"]).assign(release_date=lambda x: pd.to_datetime(x["release_date"]))
    first = rel[rel["release_date"] <= end - pd.Timedelta(days=30)].groupby("person_id")["release_date"].min()

    def within(events: pd.DataFrame, col: str) -> pd.Index:
        e = events.merge(first.rename("r"), left_on="person_id", right_index=True)
        dd = pd.to_datetime(e[col])
        return pd.Index(e[(dd > e["r"]) & (dd <= e["r"] + pd.Timedelta(days=30))]["person_id"].unique())

    shelter = h[h["project_type"].isin(["Emergency Shelter", "Transitional Housing"])]
    tr = pd.DataFrame(index=first.index)
    for col, hits in (("ed", within(d["ed_visits"], "visit_date")), ("shelter", within(shelter, "entry_date"))):
        tr[col] = "No"
        tr.loc[hits, col] = "Yes"
    out["release_transitions"] = tr.groupby(["ed", "shelter"]).size()
    months = []
    for t, (system, col) in SYSTEMS.items():
        m = d[t][["person_id"]].assign(month=pd.to_datetime(d[t][col]).to_numpy().astype("datetime64[M]"), system=system)
        months.append(m.drop_duplicates())
    monthly = pd.concat(months).groupby(["month", "system"]).size()
    monthly.index = monthly.index.set_levels(monthly.index.levels[0].strftime("%Y-%m"), level=0)
    out["monthly_contacts"] = monthly
    use = []
    for t, (system, col) in SYSTEMS.items():
        e = d[t][pd.to_datetime(d[t][col]) >= since]
        use.append(e.groupby("person_id").size().rename("n").reset_index().assign(system=system))
    use = pd.concat(use)
    multi = use.groupby("person_id")["system"].nunique()
    use["multi_system"] = np.where(use["person_id"].map(multi) >= 2, "Yes", "No")
    out["service_use_cost"] = use.groupby(["system", "multi_system"])["n"].sum()
    return out


def program_outcomes(d: dict[str, pd.DataFrame], end: str = "2025-12-31") -> pd.Series:
    """People followed and with each outcome, by window and group (interior cells)."""
    end = pd.Timestamp(end)
    groups = pd.concat([d["program_enrollment"].rename(columns={"start_date": "s"}).assign(group="Program"),
                        d["comparison_group"].rename(columns={"index_date": "s"}).assign(group="Comparison")])
    groups["s"] = pd.to_datetime(groups["s"])
    events = {"Jail booking": (d["jail_bookings"], "booking_date"), "Emergency department visit": (d["ed_visits"], "visit_date"),
              "Homeless services entry": (d["homeless_enrollments"], "entry_date")}
    rows = []
    for label, lo, hi in [("Months 1-6", 0, 6), ("Months 7-12", 6, 12), ("Months 13-18", 12, 18), ("Months 19-24", 18, 24)]:
        g = groups.copy()
        g["ws"] = g["s"] + pd.DateOffset(months=lo)
        g["we"] = g["s"] + pd.DateOffset(months=hi)
        g = g[g["we"] <= end + pd.Timedelta(days=1)]
        rows.append(g.groupby("group").size().rename("n").reset_index().assign(window=label, outcome="People followed"))
        for outcome, (ev, col) in events.items():
            e = ev.merge(g[["person_id", "ws", "we", "group"]], on="person_id")
            dd = pd.to_datetime(e[col])
            hit = e[(dd >= e["ws"]) & (dd < e["we"])].drop_duplicates("person_id")
            rows.append(hit.groupby("group").size().rename("n").reset_index().assign(window=label, outcome=outcome))
    return pd.concat(rows).groupby(["window", "outcome", "group"])["n"].sum()
