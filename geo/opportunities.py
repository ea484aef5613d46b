"""Where to cooperate next: the QPV of a selection without a partnership, what a decision-maker weighs for each,
and the same question per régie and per organism.

No composite score: each opportunity carries its parts (population, HLM housing and owners, nearest régies and
their distance, organism × régie duos that already work together elsewhere) and the ranking is a plain order on
them, `RANKING`, said in one sentence to the user.

Distances are those of `joins.spatial_pairs`: from the régie's point to the QPV's perimeter (0 inside), in the
metric CRS of the zone (`schema.metric_crs`: Lambert-93 in metropolitan France, the local projection overseas),
never in degrees or Web Mercator; a régie and a QPV of different zones are never paired.
"""

from __future__ import annotations

import pandas as pd

from geo import fr
from geo.filters import Selection
from geo.joins import Atlas, spatial_pairs

DEFAULT_REACH_M = 2_000.0
REACH_CHOICES_M = (500.0, 1_000.0, 2_000.0, 5_000.0, 10_000.0)
NEAREST_SHOWN = 3
RANKING = ("une régie à portée", "logements HLM", "population")


def explain_ranking(reach_m: float) -> str:
    """The one sentence that says how opportunities are ordered."""
    return (f"Classement : d'abord les QPV qu'une régie peut atteindre (siège à moins de {fr.distance(reach_m)} "
            "du périmètre), puis ceux où les organismes HLM possèdent le plus de logements, puis les plus peuplés ; "
            "aucune note cachée, chaque critère est une colonne.")


def reach_pairs(atlas: Atlas, reach_m: float) -> pd.DataFrame:
    """(id_regie, code_qp, distance_m) of every régie and QPV within `reach_m` of each other, nearest first."""
    return spatial_pairs(atlas.regies, atlas.qpv, reach_m)


def _partner_duos(atlas: Atlas) -> set[tuple[str, str]]:
    """(SIREN, id_regie) of every valid partnership, whatever the filters: "already work together"."""
    parts = atlas.partenariats
    return set(zip(parts["siren_organisme"], parts["id_regie"], strict=True))


def _owners(atlas: Atlas, patrimoine: pd.DataFrame) -> pd.DataFrame:
    """The patrimoine rows with the organism's name, most housing first within a QPV."""
    names = dict(zip(atlas.organismes["siren"], atlas.organismes["nom"].astype(str), strict=True))
    owners = patrimoine[["siren_organisme", "code_qp", "nb_logements"]].copy()
    owners["nb_logements"] = owners["nb_logements"].astype(int)
    owners["nom_organisme"] = owners["siren_organisme"].map(names)
    return owners.sort_values(["code_qp", "nb_logements", "nom_organisme"], ascending=[True, False, True],
                              ignore_index=True)


def _grouped(frame: pd.DataFrame, key: str) -> dict[str, pd.DataFrame]:
    return {k: g for k, g in frame.groupby(key, sort=False)} if len(frame) else {}


OPPORTUNITY_COLUMNS = ["code_qp", "lib_qp", "lib_com", "lib_dep", "lib_reg", "population", "logements_hlm",
                       "n_organismes", "organismes", "n_regies_proches", "regie_proche", "distance_m",
                       "regies_proches", "n_duos", "duos"]


def qpv_opportunities(sel: Selection, patrimoine: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """One row per QPV of the selection without a partnership (under the selection's filters), ranked by
    `RANKING`: `population`, `logements_hlm` (sum of the patrimoine), `organismes` ("name (n logements)", most
    first), the régies of `pairs` (`reach_pairs`) within reach (`n_regies_proches`, the nearest one and its
    `distance_m`, up to `NEAREST_SHOWN` listed), and the organism × régie duos among them that already have a
    partnership somewhere (`n_duos`, `duos`)."""
    atlas = sel.atlas
    qpv = sel.qpv[sel.qpv["n_partenariats"] == 0]
    owners = _grouped(_owners(atlas, patrimoine[patrimoine["code_qp"].isin(qpv["code_qp"])]), "code_qp")
    near = _grouped(pairs[pairs["code_qp"].isin(qpv["code_qp"])].sort_values(["code_qp", "distance_m", "id_regie"]),
                    "code_qp")
    regie_names = dict(zip(atlas.regies["id_regie"], atlas.regies["nom"].astype(str), strict=True))
    duos = _partner_duos(atlas)
    rows = []
    for q in qpv.itertuples(index=False):
        own = owners.get(q.code_qp)
        reach = near.get(q.code_qp)
        sirens = [] if own is None else own["siren_organisme"].tolist()
        regies = [] if reach is None else reach["id_regie"].tolist()
        org_names = dict(zip(sirens, [] if own is None else own["nom_organisme"], strict=True))
        working = [f"{org_names[s]} × {regie_names[r]}" for s in sirens for r in regies if (s, r) in duos]
        rows.append({
            "code_qp": q.code_qp, "lib_qp": q.lib_qp, "lib_com": q.lib_com, "lib_dep": q.lib_dep,
            "lib_reg": q.lib_reg, "population": q.population,
            "logements_hlm": 0 if own is None else int(own["nb_logements"].sum()),
            "n_organismes": len(sirens),
            "organismes": " ; ".join(f"{n} ({fr.pluriel(c, 'logement')})" for n, c in
                                     zip(org_names.values(), [] if own is None else own["nb_logements"],
                                         strict=True)),
            "n_regies_proches": len(regies),
            "regie_proche": regie_names[regies[0]] if regies else "",
            "distance_m": float(reach["distance_m"].iloc[0]) if regies else float("nan"),
            "regies_proches": " ; ".join(f"{regie_names[r]} ({fr.distance(d)})" for r, d in
                                         zip(regies[:NEAREST_SHOWN], reach["distance_m"].iloc[:NEAREST_SHOWN],
                                             strict=True)) if regies else "",
            "n_duos": len(working),
            "duos": " ; ".join(working),
        })
    table = pd.DataFrame(rows, columns=OPPORTUNITY_COLUMNS)
    table["population"] = pd.array(table["population"], dtype="Int64")
    table["_portee"] = table["n_regies_proches"] > 0
    table = table.sort_values(["_portee", "logements_hlm", "population", "code_qp"],
                              ascending=[False, False, False, True], na_position="last", ignore_index=True)
    return table.drop(columns="_portee")


REGIE_COLUMNS = ["code_qp", "lib_qp", "lib_com", "distance_m", "population", "logements_hlm", "organismes",
                 "n_partenariats", "autres_regies", "deja_partenaires"]


def regie_reach(sel: Selection, id_regie: str, patrimoine: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """The QPV of the selection within reach of one régie that it does not declare yet, nearest first: distance,
    population, HLM housing and owners, partnerships there (selection's filters), the other régies that declare
    it, and the owners that already work with this régie elsewhere."""
    atlas = sel.atlas
    mine = pairs[pairs["id_regie"] == id_regie]
    declared = set(atlas.declared.loc[atlas.declared["id_regie"] == id_regie, "code_qp"])
    mine = mine[~mine["code_qp"].isin(declared) & mine["code_qp"].isin(sel.qpv["code_qp"])]
    qpv = sel.qpv.set_index("code_qp")
    owners = _grouped(_owners(atlas, patrimoine[patrimoine["code_qp"].isin(mine["code_qp"])]), "code_qp")
    regie_names = dict(zip(atlas.regies["id_regie"], atlas.regies["nom"].astype(str), strict=True))
    duos = _partner_duos(atlas)
    rows = []
    for code, distance in zip(mine["code_qp"], mine["distance_m"], strict=True):
        q = qpv.loc[code]
        own = owners.get(code)
        pairs_own = [] if own is None else list(zip(own["siren_organisme"], own["nom_organisme"],
                                                     own["nb_logements"], strict=True))
        rows.append({
            "code_qp": code, "lib_qp": q["lib_qp"], "lib_com": q["lib_com"], "distance_m": float(distance),
            "population": q["population"],
            "logements_hlm": sum(int(n) for _, _, n in pairs_own),
            "organismes": " ; ".join(f"{name} ({fr.pluriel(n, 'logement')})" for _, name, n in pairs_own),
            "n_partenariats": int(q["n_partenariats"]),
            "autres_regies": " ; ".join(regie_names.get(r, r) for r in q["regies"]),
            "deja_partenaires": " ; ".join(name for s, name, _ in pairs_own if (s, id_regie) in duos),
        })
    table = pd.DataFrame(rows, columns=REGIE_COLUMNS)
    table["population"] = pd.array(table["population"], dtype="Int64")
    return table.sort_values(["distance_m", "code_qp"], ignore_index=True)


ORGANISME_COLUMNS = ["code_qp", "lib_qp", "lib_com", "lib_dep", "logements", "population", "regie_proche",
                     "distance_m", "deja_partenaire"]


def organisme_gaps(sel: Selection, siren: str, patrimoine: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """The QPV of the selection where one organism owns housing and that have no partnership (selection's
    filters), most housing first: the nearest régie within reach and whether the organism already works with
    it elsewhere."""
    atlas = sel.atlas
    own = patrimoine[patrimoine["siren_organisme"] == siren]
    qpv = sel.qpv[(sel.qpv["n_partenariats"] == 0) & sel.qpv["code_qp"].isin(own["code_qp"])].set_index("code_qp")
    housing = dict(zip(own["code_qp"], own["nb_logements"].astype(int), strict=True))
    nearest = (pairs[pairs["code_qp"].isin(qpv.index)].sort_values(["code_qp", "distance_m", "id_regie"])
               .drop_duplicates("code_qp").set_index("code_qp"))
    regie_names = dict(zip(atlas.regies["id_regie"], atlas.regies["nom"].astype(str), strict=True))
    duos = _partner_duos(atlas)
    rows = []
    for code, q in qpv.iterrows():
        regie = nearest["id_regie"].get(code)
        rows.append({
            "code_qp": code, "lib_qp": q["lib_qp"], "lib_com": q["lib_com"], "lib_dep": q["lib_dep"],
            "logements": housing[code], "population": q["population"],
            "regie_proche": regie_names[regie] if regie else "",
            "distance_m": float(nearest["distance_m"].get(code)) if regie else float("nan"),
            "deja_partenaire": bool(regie) and (siren, regie) in duos,
        })
    table = pd.DataFrame(rows, columns=ORGANISME_COLUMNS)
    table["population"] = pd.array(table["population"], dtype="Int64")
    return table.sort_values(["logements", "code_qp"], ascending=[False, True], ignore_index=True)
