"""A tiny data folder written by the tests: 5 QPV, 3 régies (one named like an XSS payload), 2 organisms,
4 partnerships, in the users' file format (UTF-8 BOM, `;`, decimal comma, lists joined with " | ", dd/mm/yyyy).

No manifest.json: the app must treat it as real (non-demo) data. Régions and départements fall back to the
outlines bundled with the app.
"""

from __future__ import annotations

import json
from pathlib import Path

XSS_NAME = "<img src=x onerror=alert(1)>"
XSS_ID = "RQ-093-01"

# code, name, commune code, commune, dep, lib_dep, reg, lib_reg, population, (lon, lat) of the centre
QPV = [
    ("QN09391X", "Cité des Tests", "93066", "Saint-Denis", "93", "Seine-Saint-Denis", "11", "Île-de-France", 5200,
     (2.3560, 48.9360)),
    ("QN09392X", "Les Fixtures", "93066", "Saint-Denis", "93", "Seine-Saint-Denis", "11", "Île-de-France", 3100,
     (2.3700, 48.9300)),
    ("QN09393X", "Quartier Témoin", "93055", "Pantin", "93", "Seine-Saint-Denis", "11", "Île-de-France", 2500,
     (2.4050, 48.8950)),
    ("QN06991X", "Mermoz d'essai", "69123", "Lyon", "69", "Rhône", "84", "Auvergne-Rhône-Alpes", 4000,
     (4.8800, 45.7350)),
    ("QN06992X", "Duchère d'essai", "69123", "Lyon", "69", "Rhône", "84", "Auvergne-Rhône-Alpes", 8000,
     (4.8000, 45.7850)),
]
HALF = 0.003  # half side of a QPV square, degrees (about 300 m)

REGIES = [  # id, name, commune, insee_com, lat, lon, salariés, bénévoles, declared QPV
    (XSS_ID, XSS_NAME, "Saint-Denis", "93066", 48.9360, 2.3560, 40, 12, ["QN09391X", "QN09392X"]),
    ("RQ-093-02", "Régie *Plaine* & Co [test](javascript:alert(2))", "Pantin", "93055", 48.8950, 2.4050, 25, 7,
     ["QN09393X"]),
    ("RQ-069-01", "Régie de Lyon (test)", "Lyon", "69123", 45.7350, 4.8800, 60, 15, ["QN06991X"]),
]
ORGANISMES = [  # siren, name, famille, commune, région
    ("123456782", "Office Test Habitat", "OPH", "Bobigny", "11"),
    ("987654324", "ESH Essai & Fils", "ESH", "Lyon", "84"),
]
PARTENARIATS = [  # id, régie, siren, qpv, themes, statut, début, montant
    ("P-T-0001", XSS_ID, "123456782", ["QN09391X"], ["inclusion numérique"], "en cours", "01/02/2025", "12000,50"),
    ("P-T-0002", XSS_ID, "987654324", ["QN09391X", "QN09392X"],
     ["amélioration du cadre de vie", "cohésion sociale"], "terminé", "15/03/2024", "8000,00"),
    ("P-T-0003", "RQ-093-02", "123456782", ["QN09393X", "QN06992X"], ["transition écologique et solidaire"],
     "en projet", "01/09/2026", ""),
    ("P-T-0004", "RQ-069-01", "987654324", ["QN06991X"], ["insertion professionnelle des habitants"], "en cours",
     "10/01/2025", "30000,00"),
]


def _square(lon: float, lat: float) -> list:
    return [[[lon - HALF, lat - HALF], [lon + HALF, lat - HALF], [lon + HALF, lat + HALF], [lon - HALF, lat + HALF],
             [lon - HALF, lat - HALF]]]


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    lines = [";".join(header)] + [";".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


def _decimal(value: float) -> str:
    return f"{value:.6f}".replace(".", ",")


def write_fixture(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    features = [
        {"type": "Feature",
         "properties": {"code_qp": c, "lib_qp": n, "insee_com": com, "lib_com": lcom, "insee_dep": d, "lib_dep": ld,
                        "insee_reg": r, "lib_reg": lr, "population": pop},
         "geometry": {"type": "Polygon", "coordinates": _square(*centre)}}
        for c, n, com, lcom, d, ld, r, lr, pop, centre in QPV
    ]
    (folder / "qpv.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                                   ensure_ascii=False), encoding="utf-8")
    _csv(folder / "regies.csv",
         ["id_regie", "nom", "type", "adresse", "code_postal", "commune", "insee_com", "latitude", "longitude",
          "salaries", "benevoles", "qpv_couverts", "date_creation", "site_web"],
         [[rid, name, "régie de quartier", "1 rue du Test", "", commune, com, _decimal(lat), _decimal(lon), sal, ben,
           " | ".join(qpv), "01/01/2010", ""]
          for rid, name, commune, com, lat, lon, sal, ben, qpv in REGIES])
    _csv(folder / "organismes.csv",
         ["siren", "nom", "famille", "commune_siege", "insee_reg", "nb_logements", "insee_com", "latitude",
          "longitude"],
         [[siren, name, famille, commune, reg, "1000", "", "", ""]
          for siren, name, famille, commune, reg in ORGANISMES])
    _csv(folder / "partenariats.csv",
         ["id_partenariat", "id_regie", "siren_organisme", "qpv", "themes", "statut", "date_debut", "date_fin",
          "description", "montant_eur", "heures_insertion"],
         [[pid, rid, siren, " | ".join(qpv), " | ".join(themes), statut, start, "", "Action de test", amount, ""]
          for pid, rid, siren, qpv, themes, statut, start, amount in PARTENARIATS])
    return folder
