"""The convention over time: the data as it was at a date, the progress between two dates and the quarter-by-quarter
follow-up since the signature. Pure functions of the `Atlas` (the only I/O: reading a demo folder's status history).

The state at a day d, as at the end of that day (`state_at`):
- partnerships: those known on d, each with the status it had on d (below). Known: started on or before d
  (`date_debut`), or with a status change recorded on or before d, or d on or after the day the data describe
  (`as_of`, today by default: every record is known then). So the state at today is the current data, planned and
  ended partnerships included, and a planned partnership without a dated trace is not imagined in the past.
  Active on d (`active_on`, the follow-up's « actifs »): started on or before d and not ended before d (`date_fin`
  blank or on or after d);
- régies: those created by d (`date_creation` on or before d; a régie without a creation date is taken as existing);
  the coverage of the QPV and the per-QPV, per-régie and per-organism counts follow;
- regional declinations: « signée » when signed on or before d; one signed later was « en préparation » on d, without
  signatories nor document yet; the others keep their status (their past is not recorded);
- unchanged: the QPV 2024 list, régions, départements, organisms (they carry no date), and each partnership's dates
  as they are now.
The atlas returned has the shape `build_atlas` gives, so that `filters.apply`, `indicators` and `declinaisons` run on
it unchanged.

The status of a partnership on d (`status_at`), one rule: the latest event on or before d among
- the status changes recorded for it: in the store's journal (`Store.status_history`: an edit, an import or an undo
  that changed `statut`, on the day of its change set, French time) or, in the demo, its generated history;
- its own dates: its start makes it « en cours », the day after its end « terminé »;
before any event it is « en projet »; on one day, a recorded change comes after the dates' event. A record's first
version (the store's seed, an addition) is no event: it says what the partnership was when it was entered, not since
when (a seeded file was written at some earlier time). Why the latest event rather than "the journal once it has a
change, the dates otherwise": a partnership set « en cours » in the app would then stay « en cours » long after its
end, while an untouched one with the same dates became « terminé »; here a recorded change holds until the
partnership's own dates move it on.

The demo's history is a file of its own (`historique_statuts.csv`, written by `geo.demo`, each row saying « démo »),
not journal entries: the journal dates a change set at the moment it is written and names its author, so a generated
past written there would be dated artificially and show in « Historique » as changes someone made. It is read only
from a folder whose manifest says demo.

Progress (`progress`, `compare_regions_between`) compares the states at two days; the follow-up (`follow_up`, `pace`,
`regional_pace`) takes the state at the end of every quarter from a reference day to the chosen one, each quarter
present, zeros included.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from geo import fr, schema, upload
from geo.datasets import Datasets, frozen_cells
from geo.declinaisons import compare_regions
from geo.filters import Filters, Selection, apply
from geo.indicators import Kpis, coverage_by_region, kpis
from geo.io import ROW, ReadError, read_csv
from geo.joins import Atlas, AtlasIndex, _add_regie_summaries, coverage_of
from geo.manifest import Manifest
from geo.validate import ERREUR, Finding

EN_PROJET, EN_COURS, TERMINE = schema.STATUTS
A_ENGAGER, EN_PREPARATION, SIGNEE = schema.DECLINAISON_STATUTS
LOCAL_TIME = "Europe/Paris"
ONE_DAY = pd.Timedelta(days=1)

STATUS_HISTORY_FILE = "historique_statuts.csv"  # a demo folder's generated history of statuses
HISTORY_COLUMNS = ["id_partenariat", "jour", "statut", "source"]
JOURNAL, DEMO = "journal", "démo"

# The rules, as the pages state them under the figures (one sentence each).
STATE_RULE = ("Chiffres à la date choisie : les partenariats connus ce jour-là (commencés, ou dont un statut était "
              "déjà enregistré), avec le statut qu'ils avaient alors, les régies créées à cette date et les "
              "déclinaisons régionales signées à cette date.")
STATUS_RULE = ("Statut d'un partenariat à une date : le plus récent, à cette date, des changements de statut "
               "enregistrés dans l'historique et des dates du partenariat (son début le fait passer « en cours », "
               "le lendemain de sa fin « terminé ») ; avant tout cela, « en projet ».")


def as_day(value) -> pd.Timestamp:
    """A day (date, datetime, ISO text or Timestamp) as a naive midnight Timestamp, the partnerships' date type."""
    day = pd.Timestamp(value)
    if day.tzinfo is not None:
        day = day.tz_convert(LOCAL_TIME).tz_localize(None)
    return day.normalize()


# --- the status history ------------------------------------------------------------------------------------------


def empty_history() -> pd.DataFrame:
    return pd.DataFrame({"id_partenariat": pd.Series(dtype=object), "jour": pd.Series(dtype="datetime64[us]"),
                         "statut": pd.Series(dtype=object), "source": pd.Series(dtype=object)})


def journal_history(changes: pd.DataFrame) -> pd.DataFrame:
    """`Store.status_history("partenariats")` as history rows: the day of each change set in French time."""
    if changes.empty:
        return empty_history()
    days = changes["at"].dt.tz_convert(LOCAL_TIME).dt.tz_localize(None).dt.normalize()
    frame = pd.DataFrame({"id_partenariat": changes["record_id"].astype(object).to_numpy(),
                          "jour": days.to_numpy(), "statut": changes["after"].astype(object).to_numpy(),
                          "source": JOURNAL})
    return frame[frame["statut"].notna()].reset_index(drop=True)


def read_demo_history(datasets: Datasets) -> tuple[pd.DataFrame, list[Finding]]:
    """The generated history of a demo folder (`historique_statuts.csv`), and the problems of its rows (rows in error
    are left out); an empty history for a folder that is not a demo or has none."""
    path = Path(datasets.folder) / STATUS_HISTORY_FILE
    if not datasets.is_demo or not path.is_file():
        return empty_history(), []
    try:
        upload.check_size(path.name, path.stat().st_size)
        raw = read_csv(path)
    except (upload.UploadError, ReadError) as exc:
        return empty_history(), [Finding(ERREUR, path.name, getattr(exc, "row", None), getattr(exc, "column", None),
                                         str(exc))]
    missing = [c for c in ("id_partenariat", "date", "statut") if c not in raw.columns]
    if missing:
        return empty_history(), [Finding(ERREUR, path.name, 1, None, "colonne(s) obligatoire(s) absente(s) : "
                                         + ", ".join(missing) + ".")]
    ids = raw["id_partenariat"].str.strip()
    days = pd.to_datetime(raw["date"].str.strip(), format=fr.DATE_FORMAT, errors="coerce")
    statuts = raw["statut"].map(lambda v: schema.match_choice(v, schema.STATUTS))
    findings = []
    for row, pid, text, day, statut, given in zip(raw[ROW], ids, raw["date"], days, statuts, raw["statut"],
                                                  strict=True):
        if not pid:
            findings.append(Finding(ERREUR, path.name, int(row), "id_partenariat", "identifiant manquant."))
        if pd.isna(day):
            findings.append(Finding(ERREUR, path.name, int(row), "date", f"date « {text} » illisible.",
                                    f"format attendu : {fr.DATE_HINT}."))
        if pd.isna(statut):
            findings.append(Finding(ERREUR, path.name, int(row), "statut", f"valeur « {given} » inconnue (attendu : "
                                    f"{', '.join(schema.STATUTS)})."))
    ok = (ids != "").to_numpy() & days.notna().to_numpy() & statuts.notna().to_numpy()
    frame = pd.DataFrame({"id_partenariat": ids[ok].astype(object).to_numpy(), "jour": days[ok].to_numpy(),
                          "statut": statuts[ok].astype(object).to_numpy(), "source": DEMO})
    return combined_history(frame), findings


def combined_history(*histories: pd.DataFrame | None) -> pd.DataFrame:
    """The histories together in event order: by day, the demo's generated past before the journal on one day, then
    in their own order (the journal's by change set)."""
    parts = [h for h in histories if h is not None and len(h)]
    if not parts:
        return empty_history()
    frame = pd.concat([h[HISTORY_COLUMNS] for h in parts], ignore_index=True)
    frame["_source"] = (frame["source"] == JOURNAL).astype(int)
    frame["_order"] = np.arange(len(frame))
    return (frame.sort_values(["jour", "_source", "_order"], kind="stable").drop(columns=["_source", "_order"])
            .reset_index(drop=True))


# --- the state at a day ------------------------------------------------------------------------------------------


def active_on(partenariats: pd.DataFrame, day) -> np.ndarray:
    """Started on or before `day` and not ended before it."""
    day = as_day(day)
    started = (partenariats["date_debut"] <= day).to_numpy(dtype=bool, na_value=False)
    ended = (partenariats["date_fin"] < day).to_numpy(dtype=bool, na_value=False)
    return started & ~ended


def known_on(partenariats: pd.DataFrame, day, history: pd.DataFrame | None = None, as_of=None) -> np.ndarray:
    """Known on `day` (module docstring): started by then, or a status recorded by then, or `day` on or after
    `as_of` (default today)."""
    day = as_day(day)
    if day >= as_day(date.today() if as_of is None else as_of):
        return np.ones(len(partenariats), dtype=bool)
    known = (partenariats["date_debut"] <= day).to_numpy(dtype=bool, na_value=False)
    if history is not None and len(history):
        recorded = set(history.loc[(history["jour"] <= day).to_numpy(), "id_partenariat"])
        known = known | partenariats["id_partenariat"].isin(recorded).to_numpy(dtype=bool)
    return known


def status_at(partenariats: pd.DataFrame, day, history: pd.DataFrame | None = None) -> np.ndarray:
    """The status of each partnership on `day` (the module docstring's rule), an object array aligned on the rows;
    `history` in event order, as `combined_history` (or `journal_history`, `read_demo_history`) gives it."""
    day = as_day(day)
    start, end = partenariats["date_debut"], partenariats["date_fin"]
    started = (start <= day).to_numpy(dtype=bool, na_value=False)
    ended = (end < day).to_numpy(dtype=bool, na_value=False)  # the day after its end is on or before `day`
    status = np.where(ended, TERMINE, np.where(started, EN_COURS, EN_PROJET)).astype(object)
    if history is None or history.empty:
        return status
    recorded = history[(history["jour"] <= day).to_numpy()].drop_duplicates("id_partenariat", keep="last")
    recorded = recorded.set_index("id_partenariat")
    ids = partenariats["id_partenariat"].to_numpy(dtype=object)
    recorded_day = recorded["jour"].reindex(ids).to_numpy(dtype="datetime64[us]")
    event_day = np.where(ended, (end + ONE_DAY).to_numpy(dtype="datetime64[us]"),
                         np.where(started, start.to_numpy(dtype="datetime64[us]"), np.datetime64("NaT", "us")))
    wins = ~np.isnat(recorded_day) & (np.isnat(event_day) | (recorded_day >= event_day))
    status[wins] = recorded["statut"].reindex(ids[wins]).to_numpy(dtype=object)
    return status


def existing_on(regies: pd.DataFrame, day) -> np.ndarray:
    """Created by `day`, or of unknown creation."""
    if "date_creation" not in regies.columns:
        return np.ones(len(regies), dtype=bool)
    created = pd.to_datetime(regies["date_creation"], errors="coerce")
    return (created.isna() | (created <= as_day(day))).to_numpy(dtype=bool)


def declinations_at(declinaisons: pd.DataFrame, day) -> pd.DataFrame:
    """The declinations as they stood on `day` (see the module docstring)."""
    out = declinaisons.copy()
    if out.empty:
        return out
    later = ((out["statut"] == SIGNEE) & ~(pd.to_datetime(out["date_signature"]) <= as_day(day))).to_numpy(bool)
    if later.any():
        out["statut"] = np.where(later, EN_PREPARATION, out["statut"].to_numpy(dtype=object))
        out["date_signature"] = pd.to_datetime(out["date_signature"]).mask(later)
        for column in ("organismes_signataires", "regies_signataires"):
            out[column] = pd.Series([() if gone else cell for gone, cell in zip(later, out[column], strict=True)],
                                    index=out.index, dtype=object)
        out["lien_document"] = out["lien_document"].astype(object).mask(later, None)
    return out


@dataclass(frozen=True)
class State:
    """The data as it stood at the end of `day`: an atlas of `build_atlas`'s shape and the declinations."""

    day: date
    atlas: Atlas
    declinaisons: pd.DataFrame


def state_at(atlas: Atlas, declinaisons: pd.DataFrame, day, history: pd.DataFrame | None = None, as_of=None
             ) -> State:
    """The state at `day` (module docstring; `as_of`: the day the data describe, default today). Vectorised over
    the atlas' integer index: no join is redone."""
    day = as_day(day)
    parts = atlas.partenariats
    known = known_on(parts, day, history, as_of)
    statut = status_at(parts, day, history)
    existing = existing_on(atlas.regies, day)
    return State(day.date(), _restricted(atlas, known, statut, existing), declinations_at(declinaisons, day))


def _new_positions(kept: np.ndarray) -> np.ndarray:
    """For each old row, its position among the kept rows (-1 when dropped)."""
    return np.where(kept, np.cumsum(kept) - 1, -1)


def _moved(positions: np.ndarray, new_positions: np.ndarray) -> np.ndarray:
    """Old positions (-1: absent) translated to new ones, read-only."""
    out = np.full(len(positions), -1, dtype=np.int64)
    known = positions >= 0
    out[known] = new_positions[positions[known]]
    out.setflags(write=False)
    return out


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=np.int64)
    array.setflags(write=False)
    return array


def _restricted(atlas: Atlas, active: np.ndarray, statut: np.ndarray, existing: np.ndarray) -> Atlas:
    """The atlas with only the `active` (known) partnerships, with their status then, and the existing régies."""
    ix = atlas.index
    part_pos, regie_pos = _new_positions(active), _new_positions(existing)
    pair_keep, link_keep = active[ix.pair_part], active[ix.link_part]
    declared_keep = existing[ix.declared_regie]

    parts = atlas.partenariats[active].reset_index(drop=True)
    parts["statut"] = pd.Series(statut[active], dtype=parts["statut"].dtype)
    links = atlas.links[link_keep].reset_index(drop=True)
    links["statut"] = pd.Series(statut[ix.link_part[link_keep]], dtype=links["statut"].dtype)
    pairs = atlas.pairs[pair_keep].reset_index(drop=True)
    declared = atlas.declared[declared_keep].reset_index(drop=True)

    regies = atlas.regies[existing].reset_index(drop=True)
    kept_ids = set(regies["id_regie"])
    spatial = atlas.spatial
    spatial = spatial[spatial["id_regie"].isin(kept_ids)].reset_index(drop=True)
    _add_regie_summaries(regies, parts)

    qpv = atlas.qpv
    pair_qpv, declared_qpv = ix.pair_qpv[pair_keep], ix.declared_qpv[declared_keep]
    if not existing.all():
        qpv["regies"] = pd.Series([tuple(r for r in ids if r in kept_ids) for ids in qpv["regies"]],
                                  index=qpv.index, dtype=object)
    qpv["couvert"] = np.bincount(declared_qpv[declared_qpv >= 0], minlength=len(qpv)) > 0
    qpv["n_partenariats"] = np.bincount(pair_qpv[pair_qpv >= 0], minlength=len(qpv))
    qpv["coverage"] = coverage_of(qpv["couvert"], qpv["n_partenariats"])

    organismes = atlas.organismes
    part_org = ix.part_org[active]
    organismes["n_partenariats"] = np.bincount(part_org[part_org >= 0], minlength=len(organismes))

    index = AtlasIndex(
        pair_part=_moved(ix.pair_part[pair_keep], part_pos), pair_qpv=_frozen(pair_qpv),
        link_part=_moved(ix.link_part[link_keep], part_pos), link_qpv=_frozen(ix.link_qpv[link_keep]),
        part_regie=_moved(ix.part_regie[active], regie_pos), part_org=_frozen(part_org),
        declared_regie=_moved(ix.declared_regie[declared_keep], regie_pos), declared_qpv=_frozen(declared_qpv))
    return replace(atlas, _qpv=qpv, _regies=frozen_cells(regies), _partenariats=parts, _links=links,
                   _organismes=organismes, _pairs=pairs, _declared=declared, _spatial=spatial,
                   _search_regies=atlas.search_regies[existing].reset_index(drop=True),
                   _search_partenariats=atlas.search_partenariats[active].reset_index(drop=True), index=index)


def first_start(atlas: Atlas) -> pd.Timestamp | None:
    """The earliest start of a partnership (None without any)."""
    first = atlas.partenariats["date_debut"].min()
    return None if pd.isna(first) else as_day(first)


def day_notice(day, today, atlas: Atlas) -> str | None:
    """What the pages say about a chosen day before the first partnership or after today (None otherwise)."""
    day, today = as_day(day), as_day(today)
    first = first_start(atlas)
    if day > today:
        return (f"Le {fr.date_fr(day)} est à venir : les chiffres montrent ce que prévoient les dates des "
                f"partenariats, pas un état constaté (aujourd'hui : {fr.date_fr(today)}).")
    if first is not None and day < first:
        return (f"Au {fr.date_fr(day)}, aucun partenariat n'avait commencé : le premier commence le "
                f"{fr.date_fr(first)}. Seules les régies qui existaient sont comptées.")
    return None


# --- the reference day and the progress since it ----------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """The day progress is measured from: the convention's signature (`CARTE_DATE_SIGNATURE`), the demo's own date
    (labelled demo), or none with a French `notice` saying why."""

    day: date | None
    label: str  # « la signature » or « la signature (date de démonstration) »
    notice: str | None = None


def reference_day(signature_date: date | None, unread: str = "", manifest: Manifest | None = None) -> Reference:
    """The deployment's setting first; else, in a demo folder, the demo's fictional date; else nothing."""
    if signature_date is not None:
        return Reference(signature_date, "la signature")
    if manifest is not None and manifest.demo and manifest.signature_date:
        day = datetime.fromisoformat(manifest.signature_date).date()
        return Reference(day, "la signature (date de démonstration)",
                         f"Date de signature de démonstration : {fr.date_fr(day)} (fictive).")
    if unread:
        return Reference(None, "", f"Le réglage CARTE_DATE_SIGNATURE « {unread} » n'est pas une date (attendu : "
                                   f"{fr.DATE_HINT}) : aucune date de référence.")
    return Reference(None, "", "La date de signature de la convention n'est pas renseignée (réglage "
                               "CARTE_DATE_SIGNATURE) : choisissez une date de référence.")


RATE_FIELDS = ("taux_couverture", "taux_partenariat")


def signed_declinations(sel: Selection, declinaisons: pd.DataFrame) -> int:
    """Declinations signed among the régions of the selection's QPV (every région without a territory filter)."""
    if declinaisons.empty:
        return 0
    signed = declinaisons[declinaisons["statut"] == SIGNEE]
    if sel.filters.has_territory:
        signed = signed[signed["insee_reg"].isin(set(sel.qpv["insee_reg"]))]
    return len(signed)


@dataclass(frozen=True)
class Progress:
    """The key figures at the reference day (`then`) and at the chosen day (`now`), and the signed declinations."""

    reference: date
    day: date
    then: Kpis
    now: Kpis
    declinaisons_then: int
    declinaisons_now: int

    def change(self, name: str) -> int | float | None:
        """now − then of a `Kpis` field (rates in percentage points, None when one is unknown) or of
        « declinaisons »."""
        if name == "declinaisons":
            return self.declinaisons_now - self.declinaisons_then
        before, after = getattr(self.then, name), getattr(self.now, name)
        if before is None or after is None:
            return None
        return (after - before) * 100.0 if name in RATE_FIELDS else after - before

    @property
    def changes(self) -> dict[str, int | float | None]:
        return {f.name: self.change(f.name) for f in fields(Kpis)} | {"declinaisons": self.change("declinaisons")}


def progress(atlas: Atlas, declinaisons: pd.DataFrame, filters: Filters, reference, day,
             history: pd.DataFrame | None = None, as_of=None) -> Progress:
    """The filtered key figures at both days."""
    then, now = (state_at(atlas, declinaisons, d, history, as_of) for d in (reference, day))
    sel_then, sel_now = apply(then.atlas, filters), apply(now.atlas, filters)
    return Progress(then.day, now.day, kpis(sel_then), kpis(sel_now), signed_declinations(sel_then, then.declinaisons),
                    signed_declinations(sel_now, now.declinaisons))


CHANGE_COLUMNS = ("regies", "qpv_couverts", "taux_couverture", "partenariats", "organismes")


def compare_regions_between(then: State, now: State, filters: Filters) -> pd.DataFrame:
    """`declinaisons.compare_regions` at `now`, with `evolution_<column>` since `then` for `CHANGE_COLUMNS`
    (counts; the coverage rate in percentage points). A région absent at `then` counts from 0."""
    table = compare_regions(apply(now.atlas, filters), now.declinaisons)
    before = compare_regions(apply(then.atlas, filters), then.declinaisons).set_index("insee_reg")
    for column in CHANGE_COLUMNS:
        change = table[column] - table["insee_reg"].map(before[column]).fillna(0)
        table[f"evolution_{column}"] = change * 100.0 if column in RATE_FIELDS else change.astype(int)
    return table


# --- quarter by quarter ------------------------------------------------------------------------------------------


def quarters(start, end) -> pd.PeriodIndex:
    """Every quarter from `start`'s to `end`'s, none skipped (empty when `end` precedes `start`)."""
    return pd.period_range(as_day(start).to_period("Q"), as_day(end).to_period("Q"), freq="Q") \
        if as_day(end) >= as_day(start) else pd.PeriodIndex([], freq="Q")


def quarter_label(period: pd.Period) -> str:
    return f"{period.year} T{period.quarter}"


@dataclass(frozen=True)
class FollowUp:
    """One frame per view, every quarter present (zeros included), in time order.

    - `quarters`: trimestre (Period), libelle (« 2024 T3 »), debut, fin (the quarter's first day and the day of its
      state: its last day, or the chosen day for the current quarter), regies, qpv, qpv_couverts,
      qpv_avec_partenariat, partenariats (known at `fin`), partenariats_actifs (active at `fin`),
      partenariats_commences, partenariats_termines (partnerships of the filters whose `date_debut`, `date_fin`,
      falls between `debut` and `fin`; a start or an end is an event: the status filter does not apply to it),
      declinaisons_signees (by `fin`, in the régions of the territory).
    - `themes`: trimestre, libelle, theme, label, partenariats_actifs, partenariats_commences, partenariats_termines
      (a partnership counts in each of its themes).
    - `regions`: trimestre, libelle, insee_reg, lib_reg, qpv, qpv_couverts, qpv_avec_partenariat,
      partenariats_actifs, partenariats_commences, partenariats_termines (a partnership counts in each région of its
      QPV), declinaison_signee (bool, by `fin`).
    """

    quarters: pd.DataFrame
    themes: pd.DataFrame
    regions: pd.DataFrame


def _events(frame: pd.DataFrame, column: str, first: pd.Timestamp, last: pd.Timestamp, key: str | None
            ) -> pd.Series | int:
    """Rows of `frame` whose `column` day falls in [first, last]: their number, or their number per `key`."""
    inside = frame[(frame[column] >= first).to_numpy(bool, na_value=False)
                   & (frame[column] <= last).to_numpy(bool, na_value=False)]
    return len(inside) if key is None else inside[key].value_counts()


def follow_up(atlas: Atlas, declinaisons: pd.DataFrame, filters: Filters, start, end,
              history: pd.DataFrame | None = None, as_of=None) -> FollowUp:
    """The follow-up from `start`'s quarter to `end`'s: the state at the end of each quarter, filtered."""
    end = as_day(end)
    base = apply(atlas, replace(filters, statuts=()))
    dates = base.partenariats[["id_partenariat", "date_debut", "date_fin"]]
    theme_events = base.links[["id_partenariat", "theme"]].dropna().drop_duplicates().merge(dates, on="id_partenariat")
    region_events = base.links[["id_partenariat", "insee_reg"]].drop_duplicates().merge(dates, on="id_partenariat")
    scope = sorted(set(base.qpv["insee_reg"]) | set(region_events["insee_reg"]),
                   key=lambda c: (schema.fold(atlas.region_name(c)), c))
    themes = [t.slug for t in schema.THEMES]
    rows, theme_rows, region_rows = [], [], []
    for period in quarters(start, end):
        first, last = period.start_time.normalize(), min(period.end_time.normalize(), end)
        state = state_at(atlas, declinaisons, last, history, as_of)
        sel = apply(state.atlas, filters)
        figures = kpis(sel)
        running = sel.partenariats.loc[active_on(sel.partenariats, last), "id_partenariat"]
        running_links = sel.links[sel.links["id_partenariat"].isin(set(running))]
        head = {"trimestre": period, "libelle": quarter_label(period)}
        signed = set(state.declinaisons.loc[state.declinaisons["statut"] == SIGNEE, "insee_reg"]) \
            if len(state.declinaisons) else set()
        rows.append({**head, "debut": first, "fin": last, "regies": figures.regies, "qpv": figures.qpv,
                     "qpv_couverts": figures.qpv_couverts, "qpv_avec_partenariat": figures.qpv_avec_partenariat,
                     "partenariats": figures.partenariats, "partenariats_actifs": len(running),
                     "partenariats_commences": _events(dates, "date_debut", first, last, None),
                     "partenariats_termines": _events(dates, "date_fin", first, last, None),
                     "declinaisons_signees": len(signed & set(scope)) if filters.has_territory else len(signed)})
        active = running_links[["id_partenariat", "theme"]].dropna().drop_duplicates()["theme"].value_counts()
        started = _events(theme_events, "date_debut", first, last, "theme")
        ended = _events(theme_events, "date_fin", first, last, "theme")
        theme_rows += [{**head, "theme": slug, "label": schema.THEME_BY_SLUG[slug].label,
                        "partenariats_actifs": int(active.get(slug, 0)),
                        "partenariats_commences": int(started.get(slug, 0)),
                        "partenariats_termines": int(ended.get(slug, 0))} for slug in themes]
        region_rows += _region_rows(head, sel, running_links, scope, region_events, first, last, signed)
    return FollowUp(_frame(rows, _QUARTER_COLUMNS), _frame(theme_rows, _THEME_COLUMNS),
                    _frame(region_rows, _REGION_COLUMNS))


_QUARTER_COLUMNS = ["trimestre", "libelle", "debut", "fin", "regies", "qpv", "qpv_couverts", "qpv_avec_partenariat",
                    "partenariats", "partenariats_actifs", "partenariats_commences", "partenariats_termines",
                    "declinaisons_signees"]
_THEME_COLUMNS = ["trimestre", "libelle", "theme", "label", "partenariats_actifs", "partenariats_commences",
                  "partenariats_termines"]
_REGION_COLUMNS = ["trimestre", "libelle", "insee_reg", "lib_reg", "qpv", "qpv_couverts", "qpv_avec_partenariat",
                   "partenariats_actifs", "partenariats_commences", "partenariats_termines", "declinaison_signee"]


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def _region_rows(head: dict, sel: Selection, running_links: pd.DataFrame, scope: list[str], events: pd.DataFrame,
                 first: pd.Timestamp, last: pd.Timestamp, signed: set[str]) -> list[dict]:
    coverage = coverage_by_region(sel).set_index("insee_reg").reindex(scope)
    active = running_links[["id_partenariat", "insee_reg"]].drop_duplicates()["insee_reg"].value_counts()
    started = _events(events, "date_debut", first, last, "insee_reg")
    ended = _events(events, "date_fin", first, last, "insee_reg")
    rows = []
    for code in scope:
        row = {**head, "insee_reg": code, "lib_reg": sel.atlas.region_name(code)}
        for column in ("qpv", "qpv_couverts", "qpv_avec_partenariat"):
            value = coverage.at[code, column]
            row[column] = 0 if pd.isna(value) else int(value)
        rows.append({**row, "partenariats_actifs": int(active.get(code, 0)),
                     "partenariats_commences": int(started.get(code, 0)),
                     "partenariats_termines": int(ended.get(code, 0)), "declinaison_signee": code in signed})
    return rows


PACE_QUARTERS = 4


@dataclass(frozen=True)
class Pace:
    """The pace over the last `quarters` quarters of a follow-up (at most four; fewer when it is shorter): QPV
    newly with a partnership since the state `quarters` quarters before the last one, per quarter, and partnerships
    started per quarter."""

    quarters: int
    qpv_gagnes: int
    qpv_gagnes_par_trimestre: float
    commences_par_trimestre: float


def pace(quarters_frame: pd.DataFrame, window: int = PACE_QUARTERS) -> Pace | None:
    """The pace of `FollowUp.quarters`; None with a single quarter (no earlier state to compare with)."""
    span = min(window, len(quarters_frame) - 1)
    if span < 1:
        return None
    covered = quarters_frame["qpv_avec_partenariat"].to_numpy()
    gained = int(covered[-1] - covered[-1 - span])
    started = int(quarters_frame["partenariats_commences"].to_numpy()[-span:].sum())
    return Pace(span, gained, gained / span, started / span)


def regional_pace(follow: FollowUp, national: pd.DataFrame | None = None, window: int = PACE_QUARTERS
                  ) -> pd.DataFrame:
    """Where each région stands against the national pace, over the window of `pace`: insee_reg, lib_reg, qpv,
    qpv_gagnes, part_gagnee (qpv_gagnes / qpv), commences_par_trimestre, indice (part_gagnee over the national
    part; 1 = the national pace, None when the nation gained none). `national` is the follow-up of the whole
    country (default: `follow.quarters`)."""
    national = follow.quarters if national is None else national
    columns = ["insee_reg", "lib_reg", "qpv", "qpv_gagnes", "part_gagnee", "commences_par_trimestre", "indice"]
    overall = pace(national, window)
    if overall is None:
        return pd.DataFrame(columns=columns)
    nation_share = overall.qpv_gagnes / national["qpv"].iloc[-1] if national["qpv"].iloc[-1] else 0.0
    out = []
    for (code, name), group in follow.regions.groupby(["insee_reg", "lib_reg"], sort=False):
        mine = pace(group.reset_index(drop=True), window)
        qpv = int(group["qpv"].iloc[-1])
        share = mine.qpv_gagnes / qpv if qpv else 0.0
        out.append({"insee_reg": code, "lib_reg": name, "qpv": qpv, "qpv_gagnes": mine.qpv_gagnes,
                    "part_gagnee": share, "commences_par_trimestre": mine.commences_par_trimestre,
                    "indice": share / nation_share if nation_share else None})
    return pd.DataFrame(out, columns=columns)


# --- the year in review (the follow-up committee's annual report) -----------------------------------------------

NOTABLE_PROJECTS = 8
TOP_THEMES = 3  # a région's themes of the year: its three most frequent
ADDED, CHANGED, CLOSED = "ajoutés", "modifiés", "clôturés"


def year_bounds(year: int, today) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The state before the year (its eve) and at its end (today for the year under way); ValueError for a year
    to come."""
    today = as_day(today)
    if year > today.year:
        raise ValueError(f"L'année {year} n'a pas commencé (aujourd'hui : {fr.date_fr(today)}) : pas de bilan.")
    return pd.Timestamp(year - 1, 12, 31), min(pd.Timestamp(year, 12, 31), today)


@dataclass(frozen=True)
class YearReview:
    """The year `year` from its eve (`then`) to its end (`now`), for the filters.

    - `progress`: the key figures at both days;
    - `regions` (one row per région of the territory): insee_reg, lib_reg, declinaison (status at the end, « signée
      le … » when signed), qpv, qpv_couverts, evolution_qpv_couverts, nouveaux, termines (partnerships started,
      ended in the year, in each région of their QPV), themes (the year's new partnerships' three main themes);
    - `projects`: the year's most notable new partnerships (largest amount, then insertion hours), with their
      description: id_partenariat, nom_regie, nom_organisme, lib_reg_principal, themes, date_debut, montant_eur,
      heures_insertion, description.
    """

    year: int
    filters: Filters
    then: State
    now: State
    progress: Progress
    regions: pd.DataFrame
    projects: pd.DataFrame


def year_review(atlas: Atlas, declinaisons: pd.DataFrame, filters: Filters, year: int, today,
                history: pd.DataFrame | None = None, as_of=None, limit: int = NOTABLE_PROJECTS) -> YearReview:
    first, last = year_bounds(year, today)
    then, now = (state_at(atlas, declinaisons, d, history, as_of) for d in (first, last))
    sel_then, sel_now = apply(then.atlas, filters), apply(now.atlas, filters)
    progress_ = Progress(then.day, now.day, kpis(sel_then), kpis(sel_now),
                         signed_declinations(sel_then, then.declinaisons),
                         signed_declinations(sel_now, now.declinaisons))
    start = pd.Timestamp(year, 1, 1)
    base = apply(atlas, replace(filters, statuts=()))  # starts and ends are events: no status filter
    links = base.links[["id_partenariat", "insee_reg", "theme"]]
    parts = base.partenariats
    started = set(parts.loc[_between(parts["date_debut"], start, last), "id_partenariat"])
    ended = set(parts.loc[_between(parts["date_fin"], start, last), "id_partenariat"])
    table = compare_regions_between(then, now, filters)
    declined = now.declinaisons.set_index("insee_reg") if len(now.declinaisons) else None
    rows = []
    for code, name in zip(table["insee_reg"], table["lib_reg"], strict=True):
        mine = links[links["insee_reg"] == code]
        new_themes = mine[mine["id_partenariat"].isin(started)].drop_duplicates(["id_partenariat", "theme"])
        counts = new_themes["theme"].value_counts()
        rows.append({"insee_reg": code, "lib_reg": name,
                     "declinaison": _declination_text(declined, code),
                     "nouveaux": mine.loc[mine["id_partenariat"].isin(started), "id_partenariat"].nunique(),
                     "termines": mine.loc[mine["id_partenariat"].isin(ended), "id_partenariat"].nunique(),
                     "themes": ", ".join(f"{schema.THEME_BY_SLUG[t].short} ({n})" for t, n in
                                         counts.head(TOP_THEMES).items() if t in schema.THEME_BY_SLUG)})
    extra = pd.DataFrame(rows, columns=["insee_reg", "lib_reg", "declinaison", "nouveaux", "termines", "themes"])
    regions = table[["insee_reg", "qpv", "qpv_couverts", "evolution_qpv_couverts"]].merge(extra, on="insee_reg")
    regions = regions[["insee_reg", "lib_reg", "declinaison", "qpv", "qpv_couverts", "evolution_qpv_couverts",
                       "nouveaux", "termines", "themes"]]
    new = sel_now.partenariats[sel_now.partenariats["id_partenariat"].isin(started)]
    ranked = new.assign(_montant=pd.to_numeric(new["montant_eur"], errors="coerce").fillna(0),
                        _heures=pd.to_numeric(new["heures_insertion"], errors="coerce").fillna(0)) \
        .sort_values(["_montant", "_heures", "id_partenariat"], ascending=[False, False, True]).head(limit)
    projects = ranked[["id_partenariat", "nom_regie", "nom_organisme", "lib_reg_principal", "themes", "date_debut",
                       "montant_eur", "heures_insertion", "description"]].reset_index(drop=True)
    return YearReview(year, filters, then, now, progress_, regions.reset_index(drop=True), projects)


def _between(days: pd.Series, first: pd.Timestamp, last: pd.Timestamp) -> np.ndarray:
    return ((days >= first) & (days <= last)).to_numpy(dtype=bool, na_value=False)


def _declination_text(declined: pd.DataFrame | None, code: str) -> str:
    if declined is None or code not in declined.index:
        return "non renseignée"
    row = declined.loc[code]
    if row["statut"] == SIGNEE and pd.notna(row["date_signature"]):
        return f"signée le {fr.date_fr(row['date_signature'])}"
    return str(row["statut"])


def journal_changes(store, first, last) -> list:
    """The journal's changes (`ChangeInfo`) of the change sets made between the days `first` and `last` (French
    time), oldest first, the store's initial seed left out (it loads the data, it changes nothing). `store`:
    anything with the store's `change_sets` and `change_set`."""
    first, last = as_day(first), as_day(last)
    kept = [info for info in store.change_sets() if first <= as_day(info.at) <= last and info.kind != "seed"]
    return [change for info in reversed(kept) for change in store.change_set(info.id)[1]]


def changes_by_region(changes: list, atlas: Atlas) -> pd.DataFrame:
    """What changed in the data, from the journal: per région and dataset, records added, changed and closed
    (a partnership set « terminé », or any record removed) and who did it (the authors, comma-separated).
    The région: a partnership's main région, a régie's, an organism's siège, a declination's own."""
    where = {("partenariats", i): r for i, r in zip(atlas.partenariats["id_partenariat"],
                                                     atlas.partenariats["insee_reg_principal"], strict=True)}
    where |= {("regies", i): r for i, r in zip(atlas.regies["id_regie"], atlas.regies["insee_reg"], strict=True)}
    if "insee_reg" in atlas.organismes.columns:
        where |= {("organismes", i): r for i, r in zip(atlas.organismes["siren"], atlas.organismes["insee_reg"],
                                                        strict=True)}
    rows = []
    for change in changes:
        before, after = change.before, change.after
        if before is None:
            what = ADDED
        elif after is None or (change.dataset == "partenariats" and after.get("statut") == TERMINE
                               and before.get("statut") != TERMINE):
            what = CLOSED
        else:
            what = CHANGED
        code = change.record_id if change.dataset == "declinaisons" else where.get((change.dataset,
                                                                                    change.record_id), "")
        rows.append({"insee_reg": code or "", "jeu": change.dataset, "nature": what, "auteur": change.user})
    columns = ["insee_reg", "lib_reg", "jeu", ADDED, CHANGED, CLOSED, "auteurs"]
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows)
    counts = frame.pivot_table(index=["insee_reg", "jeu"], columns="nature", aggfunc="size", fill_value=0)
    counts = counts.reindex(columns=[ADDED, CHANGED, CLOSED], fill_value=0)
    authors = frame.groupby(["insee_reg", "jeu"])["auteur"].agg(lambda a: ", ".join(sorted(set(a))))
    out = counts.join(authors.rename("auteurs")).reset_index()
    out["lib_reg"] = out["insee_reg"].map(lambda c: atlas.region_name(c) if c else "Région non déterminée")
    return out[columns].sort_values(["lib_reg", "jeu"], key=lambda s: s.map(schema.fold) if s.name == "lib_reg"
                                    else s).reset_index(drop=True)
