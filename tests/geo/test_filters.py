"""Filters: value semantics and `apply` on the hand-made fixture (see conftest)."""

from __future__ import annotations

from dataclasses import replace as with_

import pytest

from geo.filters import Filters, Territory, apply, departement_choices, single_territory
from geo.joins import build_atlas
from tests.geo.conftest import make_datasets


def ids(frame, column):
    return set(frame[column])


def codes(sel):
    return set(sel.qpv["code_qp"])


def parts(sel):
    return set(sel.partenariats["id_partenariat"])


def regies(sel):
    return set(sel.regies["id_regie"])


# --- apply: territory ------------------------------------------------------------------------------------------


def test_no_filter_keeps_everything(atlas):
    sel = apply(atlas, Filters())
    assert (len(sel.qpv), len(sel.regies), len(sel.partenariats), len(sel.links), len(sel.organismes)) == (
        11, 4, 8, 17, 3)


def test_region_keeps_qpv_and_regies_located_there(atlas):
    sel = apply(atlas, Filters(regions=("84",)))
    assert codes(sel) == {"QN06901A", "QN06902B", "QN06903C", "QN03801A", "QN03802B"}
    assert regies(sel) == {"RQ-069-01"}


def test_region_keeps_partnerships_with_at_least_one_qpv_there(atlas):
    # P05 (régie in Seine-Saint-Denis) also concerns two QPV in Isère.
    assert parts(apply(atlas, Filters(regions=("84",)))) == {"P01", "P02", "P05"}


def test_region_restricts_links_to_its_qpv(atlas):
    sel = apply(atlas, Filters(regions=("84",)))
    assert set(sel.links.loc[sel.links["id_partenariat"] == "P05", "code_qp"]) == {"QN03801A", "QN03802B"}


def test_departement_filter(atlas):
    sel = apply(atlas, Filters(departements=("93",)))
    assert codes(sel) == {"QN09301A", "QN09302B"}
    assert regies(sel) == {"RQ-093-01"}
    assert parts(sel) == {"P05"}
    assert set(sel.links["code_qp"]) == {"QN09301A"}


def test_overseas_region(atlas):
    sel = apply(atlas, Filters(regions=("04",)))
    assert (codes(sel), regies(sel), parts(sel)) == ({"QN97401A", "QN97402B"}, {"RT-974-01"}, {"P06", "P07"})
    assert ids(sel.organismes, "siren") == {"333333333"}


# --- apply: partnership filters --------------------------------------------------------------------------------


def test_theme_filter_keeps_partnerships_having_the_theme(atlas):
    assert parts(apply(atlas, Filters(themes=("inclusion-numerique",)))) == {"P02", "P03"}


def test_theme_filter_keeps_all_qpv_and_recomputes_their_coverage(atlas):
    sel = apply(atlas, Filters(themes=("inclusion-numerique",)))
    assert len(sel.qpv) == 11
    qpv = sel.qpv.set_index("code_qp")
    assert (qpv.at["QN07501A", "n_partenariats"], qpv.at["QN97401A", "n_partenariats"]) == (1, 0)
    assert qpv.at["QN97401A", "coverage"] == "regie_seule"
    assert qpv.at["QN03801A", "coverage"] == "aucune"


def test_theme_filter_restricts_links_to_the_theme(atlas):
    sel = apply(atlas, Filters(themes=("inclusion-numerique",)))
    assert set(sel.links["theme"]) == {"inclusion-numerique"}
    assert len(sel.links) == 3  # P02 x 2 QPV, P03 x 1 QPV


def test_statut_filter(atlas):
    assert parts(apply(atlas, Filters(statuts=("terminé",)))) == {"P04", "P07"}


def test_year_bounds_are_inclusive(atlas):
    assert parts(apply(atlas, Filters(annee_min=2024, annee_max=2026))) == {"P02", "P03", "P05", "P06", "P08"}


def test_famille_filter_and_partner_organisms(atlas):
    sel = apply(atlas, Filters(familles=("ESH",)))
    assert parts(sel) == {"P03", "P04", "P05"}
    assert dict(zip(sel.organismes["siren"], sel.organismes["n_partenariats"], strict=True)) == {"222222222": 3}


def test_regie_counts_recomputed_from_filtered_partnerships(atlas):
    sel = apply(atlas, Filters(statuts=("en cours",)))
    counts = dict(zip(sel.regies["id_regie"], sel.regies["n_partenariats"], strict=True))
    assert counts == {"RQ-069-01": 1, "RQ-075-01": 1, "RQ-093-01": 1, "RT-974-01": 1}


def test_apply_leaves_the_atlas_untouched(atlas):
    apply(atlas, Filters(themes=("inclusion-numerique",), q="régie"))
    qpv = atlas.qpv.set_index("code_qp")
    assert qpv.at["QN97401A", "n_partenariats"] == 2
    assert qpv.at["QN97401A", "coverage"] == "regie_partenariat"


# --- apply: search ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["régie de territoire", "REGIE DE TERRITOIRE", "  Régie  de Territoire "])
def test_search_is_accent_and_case_insensitive(atlas, q):
    sel = apply(atlas, Filters(q=q))
    assert (regies(sel), parts(sel), codes(sel)) == ({"RT-974-01"}, {"P06", "P07"}, {"QN97401A"})


def test_search_on_a_qpv_name(atlas):
    sel = apply(atlas, Filters(q="nefles"))
    assert (codes(sel), regies(sel), parts(sel)) == ({"QN97402B"}, set(), set())


def test_search_on_an_organism_keeps_its_partnerships_their_regies_and_qpv(atlas):
    sel = apply(atlas, Filters(q="habitat francilien"))
    assert parts(sel) == {"P03", "P04", "P05"}
    assert regies(sel) == {"RQ-075-01", "RQ-093-01"}
    assert codes(sel) == {"QN07501A", "QN09301A", "QN03801A", "QN03802B"}


def test_search_on_a_regie_keeps_the_qpv_it_declares(atlas):
    sel = apply(atlas, Filters(q="stalingrad"))
    assert regies(sel) == {"RQ-075-01"}
    assert parts(sel) == {"P03", "P04", "P08"}
    assert codes(sel) == {"QN07501A", "QN07502B"}  # QN07502B only through the régie's declaration


def test_search_combined_with_territory(atlas):
    sel = apply(atlas, Filters(regions=("84",), q="habitat francilien"))
    assert (parts(sel), regies(sel), codes(sel)) == ({"P05"}, set(), {"QN03801A", "QN03802B"})


# --- Filters values --------------------------------------------------------------------------------------------


def test_filters_are_normalised_hashable_values():
    a = Filters(regions=["84", "11"], statuts=["terminé", "EN COURS"], themes=["inclusion numérique"])
    b = Filters(regions=("11", "84"), statuts=("en cours", "terminé"), themes=("inclusion-numerique",))
    assert a == b
    assert {a: 1}[b] == 1


def test_inverted_years_are_swapped():
    assert (Filters(annee_min=2026, annee_max=2024).annee_min, Filters(annee_min=2026, annee_max=2024).annee_max) == (
        2024, 2026)


def test_is_active():
    assert not Filters().is_active
    assert Filters(q="x").is_active
    assert Filters(annee_max=2020).is_active


def test_with_territory_replaces_only_the_territory():
    f = Filters(regions=("84",), departements=("69",), themes=("cadre-de-vie",))
    assert f.with_territory(region="11") == Filters(regions=("11",), themes=("cadre-de-vie",))
    assert f.with_territory() == Filters(themes=("cadre-de-vie",))


# --- EPCI (contrats de ville) -----------------------------------------------------------------------------------

LYON_METROPOLE, GRAND_PARIS = "200046977", "200054781"  # data/ref/epci.csv: Vénissieux and Lyon; Paris, Saint-Denis


def test_epci_keeps_its_qpv_regies_and_partnerships(atlas):
    sel = apply(atlas, Filters(epci=(LYON_METROPOLE,)))
    assert sorted(sel.qpv["code_qp"]) == ["QN06901A", "QN06902B", "QN06903C"]
    assert sel.regies["id_regie"].tolist() == ["RQ-069-01"]
    assert sorted(sel.partenariats["id_partenariat"]) == ["P01", "P02"]


def test_epci_intersects_with_the_region(atlas):
    assert apply(atlas, Filters(regions=("11",), epci=(LYON_METROPOLE,))).qpv.empty
    # P05 has QPV in Saint-Denis (Grand Paris) and in Grenoble: it is a partnership of the Grand Paris.
    sel = apply(atlas, Filters(epci=(GRAND_PARIS,)))
    assert sorted(sel.qpv["code_qp"]) == ["QN07501A", "QN07502B", "QN09301A", "QN09302B"]
    assert sorted(sel.partenariats["id_partenariat"]) == ["P03", "P04", "P05", "P08"]


def test_epci_filters_are_a_territory(atlas):
    f = Filters(epci=(GRAND_PARIS,), themes=("cadre-de-vie",))
    assert f.is_active and f.has_territory
    assert f.with_territory(region="84") == Filters(regions=("84",), themes=("cadre-de-vie",))


def test_departement_choices_are_those_of_the_regions(atlas):
    # the fixture's départements (conftest): Rhône and Isère in 84, Paris and Seine-Saint-Denis in 11, 974 in 04
    assert departement_choices(atlas, ["84"]) == {"69", "38"}
    assert departement_choices(atlas, ("84", "04")) == {"69", "38", "974"}
    assert departement_choices(atlas) == {"69", "38", "75", "93", "974"}  # all of them when no région


def test_within_territory_drops_departements_and_epci_outside_it(atlas):
    # the fixture: Rhône (69) and Isère (38) in 84, Paris (75) in 11; the Lyon QPV are in 69, the Grand Paris's in 75/93
    asked = Filters(regions=("84",), departements=("69", "75"), epci=(LYON_METROPOLE, GRAND_PARIS), q="x")
    assert asked.within_territory(atlas) == Filters(regions=("84",), departements=("69",), epci=(LYON_METROPOLE,),
                                                    q="x")
    assert Filters(departements=("38",), epci=(LYON_METROPOLE,)).within_territory(atlas) == Filters(
        departements=("38",))
    assert Filters(epci=(GRAND_PARIS,)).within_territory(atlas) == Filters(epci=(GRAND_PARIS,))  # no territory


def test_single_territory_completes_the_region_and_drops_what_lies_outside(atlas):
    assert single_territory(Filters(), atlas) == Territory()
    assert single_territory(Filters(regions=("84", "11")), atlas) == Territory()  # several: none
    assert single_territory(Filters(departements=("69",)), atlas) == Territory("84", "69")
    assert single_territory(Filters(epci=(LYON_METROPOLE,)), atlas) == Territory("84", None, LYON_METROPOLE)
    assert single_territory(Filters(regions=("11",), departements=("69",), epci=(LYON_METROPOLE,)), atlas) == \
        Territory("11")
    assert single_territory(Filters(regions=("84",), departements=("69", "38"), epci=(LYON_METROPOLE,)), atlas) == \
        Territory("84", None, LYON_METROPOLE)


# --- precision of the régies' positions ------------------------------------------------------------------------


def test_precision_keeps_the_regies_placed_so_and_unknown_is_its_own_choice():
    data = make_datasets()
    regies_ = data.regies.copy()
    regies_["precision"] = ["adresse", "saisie", None, "commune"]  # RQ-093-01: an old record, no precision
    placed = build_atlas(with_(data, regies=regies_))
    assert regies(apply(placed, Filters(precisions=("saisie", "adresse")))) == {"RQ-069-01", "RQ-075-01"}
    assert regies(apply(placed, Filters(precisions=("inconnue",)))) == {"RQ-093-01"}
    everything = apply(placed, Filters())
    sel = apply(placed, Filters(precisions=("commune",)))
    assert regies(sel) == {"RT-974-01"}
    assert (parts(sel), codes(sel)) == (parts(everything), codes(everything))  # coopérations are not points


def test_precision_filter_is_normalised_and_active():
    assert Filters(precisions=["Saisie", "ADRESSE", "inconnue"]).precisions == ("adresse", "saisie", "inconnue")
    assert Filters(precisions=("rue",)).is_active
