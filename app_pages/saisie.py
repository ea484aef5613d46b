"""Saisie: add a partnership, change its status or dates, close it; edit the declination of a région of the
account (any région for an administrator); a national administrator also edits régies and organismes (the
store's rule, `store.records.may_write`). Every write goes
through the store (`Store.write`) with the record's identifier and the version read when it was opened: same
validation, scope rule, journal and conflict message as an import."""

from datetime import date, datetime

import streamlit as st

from dashboard import auth
from dashboard.data import store
from dashboard.page import start_page
from geo import edits, fr
from geo.schema import DATASETS, DECLINAISON_STATUTS, LIST_JOINER, STATUTS, THEMES, fold, parse_theme
from store import Account, Edit, StoreError, ValidationError
from store.records import ADMIN_DATASETS, may_write
from ui.text import escape_markdown

NEW = ""  # selectbox value: a new record
ERRORS = "saisie_erreurs"  # session_state: kind -> {field: message} of the last refused submit
OPENED = "saisie_ouvert"  # session_state: kind -> (record id, data, version) as read when the record was opened
DONE = "saisie_ok"  # session_state: the last success message, shown once
NATIONAL_TABS = {"regies": "Régie", "organismes": "Organisme HLM"}
DATES = {"format": fr.DATE_WIDGET_FORMAT, "min_value": date(2000, 1, 1), "max_value": date(2100, 12, 31)}

ctx = start_page("Saisie")
st.session_state.setdefault(ERRORS, {})
# The pickers' labels, by id and SIREN, for both forms: « name — commune » of a régie, name of an organism.
regie_names = dict(zip(ctx.atlas.regies["id_regie"], ctx.atlas.regies["nom"] + " — " + ctx.atlas.regies["commune"],
                       strict=True))
organisme_names = dict(zip(ctx.atlas.organismes["siren"], ctx.atlas.organismes["nom"], strict=True))


def _errors(kind: str) -> dict[str, str]:
    return st.session_state.setdefault(ERRORS, {}).get(kind, {})


def _field_error(kind: str, field: str) -> None:
    message = _errors(kind).get(field)
    if message:
        st.error(escape_markdown(message), icon=":material/error:")


def _day(text: str | None) -> date | None:
    try:
        return datetime.strptime(text, fr.DATE_FORMAT).date() if text else None
    except ValueError:
        return None


def _write(kind: str, account: Account, record_id: str, record: dict | None, version: int, comment: str,
           errors: dict[str, str] | None = None) -> None:
    """One journalled write; on refusal the messages go next to the fields (next run), nothing is written."""
    if not errors:
        try:
            change_set = store().write(account, comment or f"Saisie : {record_id}",
                                       [Edit(kind, record_id, record, version)])
        except ValidationError as exc:
            errors = edits.field_errors(exc.findings)
        except StoreError as exc:
            errors = {edits.WHOLE: str(exc)}
    if errors:
        st.session_state[ERRORS][kind] = errors
    else:
        st.session_state[ERRORS][kind] = {}
        st.session_state.setdefault(OPENED, {}).pop(kind, None)
        st.session_state[DONE] = f"« {record_id} » enregistré (lot n° {change_set}). Les pages le montrent déjà."
    st.rerun()


def _opened(kind: str, choice: str, records: dict, fill, probe: str) -> tuple[str, dict | None, int]:
    """The record being edited, as read when it was chosen; choosing another one refills the fields, and so does
    coming back from another page (Streamlit forgets the fields of a page not shown; `probe` is one of them)."""
    held = st.session_state.setdefault(OPENED, {}).get(kind)
    if held is None or held[0] != choice or probe not in st.session_state:
        data, version = records.get(choice, (None, 0)) if choice != NEW else (None, 0)
        held = (choice, data, version)
        st.session_state[OPENED][kind] = held
        st.session_state[ERRORS][kind] = {}
        fill(data)
    return held


# ----- partnerships

def _partnership_form(account: Account) -> None:
    kind = "partenariats"
    atlas = ctx.atlas
    records = store().read_records(kind)
    regions_of = store().geography.record_regions
    mine = [rid for rid, (data, _) in records.items() if account.may_write(regions_of(kind, data))]
    qpv = atlas.qpv if account.is_admin else atlas.qpv[atlas.qpv["insee_reg"].isin(account.regions)]
    qpv_names = dict(zip(qpv["code_qp"], qpv["lib_qp"] + " — " + qpv["lib_com"], strict=True))

    def label(rid: str) -> str:
        if rid == NEW:
            return "Nouveau partenariat"
        data = records[rid][0]
        return (f"{rid} — {regie_names.get(data['id_regie'], data['id_regie'])} × "
                f"{organisme_names.get(data['siren_organisme'], data['siren_organisme'])}")

    choice = st.selectbox("Partenariat", [NEW] + mine, format_func=label, key="p-choix",
                          help="Tapez pour chercher : identifiant, régie ou organisme.")
    hidden = len(records) - len(mine)
    if hidden:
        regions = ", ".join(sorted(map(atlas.region_name, account.regions)))
        st.caption(escape_markdown(
            f"{fr.pluriel(hidden, 'partenariat')} d'autres régions ne {'figure' if hidden == 1 else 'figurent'} "
            f"pas dans cette liste : votre compte modifie les partenariats dont un QPV est en {regions}."))

    def fill(data: dict | None) -> None:
        data = data or {}
        state = st.session_state
        state["p-id"] = data.get("id_partenariat") or edits.next_id(store().taken_ids(kind), date.today().year)
        state["p-regie"] = data.get("id_regie")
        state["p-organisme"] = data.get("siren_organisme")
        state["p-qpv"] = [c for c in (data.get("qpv") or "").split(LIST_JOINER) if c]
        state["p-themes"] = [t.slug for t in map(parse_theme, (data.get("themes") or "").split(LIST_JOINER)) if t]
        state["p-statut"] = data.get("statut") or "en projet"
        state["p-debut"] = _day(data.get("date_debut"))
        state["p-fin"] = _day(data.get("date_fin"))
        for key, column in (("p-description", "description"), ("p-montant", "montant_eur"),
                            ("p-heures", "heures_insertion")):
            state[key] = data.get(column) or ""
        state["p-commentaire"] = ""

    record_id, data, version = _opened(kind, choice, records, fill, "p-regie")
    theme_labels = {t.slug: t.label for t in THEMES}
    regies = sorted(set(regie_names) | {st.session_state["p-regie"]} - {None}, key=lambda r: regie_names.get(r, r))
    organismes = sorted(set(organisme_names) | {st.session_state["p-organisme"]} - {None},
                        key=lambda s: organisme_names.get(s, s))
    qpv_options = sorted(set(qpv_names) | set(st.session_state["p-qpv"]), key=lambda c: qpv_names.get(c, c))
    _field_error(kind, edits.WHOLE)
    with st.form("form-partenariat"):
        st.text_input("Identifiant", key="p-id", disabled=choice != NEW, max_chars=40)
        _field_error(kind, "id_partenariat")
        st.selectbox("Régie", regies, key="p-regie", placeholder="Choisir une régie (tapez pour "
                     "chercher)", format_func=lambda r: f"{regie_names.get(r, r)} ({r})")
        _field_error(kind, "id_regie")
        st.selectbox("Organisme HLM", organismes, key="p-organisme", placeholder="Choisir un organisme",
                     format_func=lambda s: f"{organisme_names.get(s, s)} ({s})")
        _field_error(kind, "siren_organisme")
        st.multiselect("QPV", qpv_options, key="p-qpv", select_all=False,
                       placeholder="Choisir un ou plusieurs quartiers",
                       format_func=lambda c: f"{qpv_names.get(c, c)} ({c})")
        _field_error(kind, "qpv")
        st.multiselect("Thèmes", list(theme_labels), key="p-themes", format_func=theme_labels.get,
                       select_all=False, placeholder="Choisir un ou plusieurs thèmes")
        _field_error(kind, "themes")
        st.selectbox("Statut", STATUTS, key="p-statut")
        _field_error(kind, "statut")
        left, right = st.columns(2)
        with left:
            st.date_input("Date de début", key="p-debut", **DATES)
            _field_error(kind, "date_debut")
        with right:
            st.date_input("Date de fin (facultative)", key="p-fin", **DATES)
            _field_error(kind, "date_fin")
        st.text_area("Description", key="p-description")
        _field_error(kind, "description")
        left, right = st.columns(2)
        with left:
            st.text_input("Montant engagé (euros)", key="p-montant", placeholder="par ex. 45 000")
            _field_error(kind, "montant_eur")
        with right:
            st.text_input("Heures d'insertion", key="p-heures", placeholder="par ex. 1 200")
            _field_error(kind, "heures_insertion")
        st.text_input("Commentaire du journal (facultatif)", key="p-commentaire", max_chars=500)
        submitted = st.form_submit_button("Enregistrer", type="primary", icon=":material/save:", key="p-enregistrer")
    state = st.session_state
    if submitted:
        record = edits.partnership_record(
            id_partenariat=state["p-id"] if choice == NEW else record_id, id_regie=state["p-regie"],
            siren_organisme=state["p-organisme"], qpv=state["p-qpv"], themes=state["p-themes"],
            statut=state["p-statut"], date_debut=state["p-debut"], date_fin=state["p-fin"],
            description=state["p-description"], montant_eur=state["p-montant"], heures_insertion=state["p-heures"])
        new_id = record["id_partenariat"] = (record["id_partenariat"] or "").upper()
        errors = {**edits.markup_errors(record), **edits.reference_errors(record, atlas)}
        if not new_id:
            errors["id_partenariat"] = edits.REQUIRED
        _write(kind, account, new_id if choice == NEW else record_id, record, version, state["p-commentaire"],
               errors)
    closable = data is not None and data.get("statut") != "terminé"
    if closable and st.button("Clore le partenariat", icon=":material/event_busy:", key="p-clore",
                              help="Statut « terminé » ; la date de fin devient celle du jour si elle est vide ou "
                              "à venir."):
        end = _day(data.get("date_fin"))
        closed = {**data, "statut": "terminé",
                  "date_fin": (end if end and end <= date.today() else date.today()).strftime(fr.DATE_FORMAT)}
        _write(kind, account, record_id, closed, version, f"Clôture de {record_id}")


# ----- the declination of a région

def _declination_form(account: Account) -> None:
    kind = "declinaisons"
    atlas = ctx.atlas
    codes = sorted(atlas.region_names if account.is_admin else account.regions,
                   key=lambda c: fold(atlas.region_name(c)))
    if not codes:
        st.info("Votre compte n'est rattaché à aucune région : demandez à un administrateur national.",
                icon=":material/info:")
        return
    records = store().read_records(kind)
    code = st.selectbox("Région", codes, key="d-region", format_func=lambda c: f"{atlas.region_name(c)} ({c})")

    def fill(data: dict | None) -> None:
        data = data or {}
        state = st.session_state
        state["d-ar"] = data.get("ar_hlm") or ""
        state["d-statut"] = data.get("statut") or DECLINAISON_STATUTS[0]
        state["d-date"] = _day(data.get("date_signature"))
        state["d-organismes"] = [s for s in (data.get("organismes_signataires") or "").split(LIST_JOINER) if s]
        state["d-regies"] = [r for r in (data.get("regies_signataires") or "").split(LIST_JOINER) if r]
        state["d-lien"] = data.get("lien_document") or ""
        state["d-commentaire"] = data.get("commentaire") or ""
        state["d-journal"] = ""

    _, data, version = _opened(kind, code, records, fill, "d-ar")
    state = st.session_state
    organismes = sorted(set(organisme_names) | set(state["d-organismes"]),
                        key=lambda s: fold(organisme_names.get(s, s)))
    regies = sorted(set(regie_names) | set(state["d-regies"]), key=lambda r: fold(regie_names.get(r, r)))
    st.caption("Déclinaison de la convention nationale portée par l'association régionale HLM : "
               + ("nouvelle fiche." if data is None else f"fiche enregistrée, statut « {data['statut']} »."))
    _field_error(kind, edits.WHOLE)
    with st.form("form-declinaison"):
        st.text_input("Association régionale HLM", key="d-ar", placeholder="par ex. AR Hlm Hauts-de-France")
        _field_error(kind, "ar_hlm")
        _field_error(kind, "insee_reg")
        left, right = st.columns(2)
        with left:
            st.selectbox("Statut", DECLINAISON_STATUTS, key="d-statut")
            _field_error(kind, "statut")
        with right:
            st.date_input("Date de signature (si signée)", key="d-date", **DATES)
            _field_error(kind, "date_signature")
        st.multiselect("Organismes signataires", organismes, key="d-organismes",
                       select_all=False, placeholder="Choisir (tapez pour chercher)",
                       format_func=lambda s: f"{organisme_names.get(s, s)} ({s})")
        _field_error(kind, "organismes_signataires")
        st.multiselect("Régies signataires", regies, key="d-regies", select_all=False,
                       placeholder="Choisir (tapez pour chercher)",
                       format_func=lambda r: f"{regie_names.get(r, r)} ({r})")
        _field_error(kind, "regies_signataires")
        st.text_input("Lien vers le texte signé (facultatif)", key="d-lien", placeholder="https://…")
        _field_error(kind, "lien_document")
        st.text_area("Commentaire (facultatif)", key="d-commentaire")
        _field_error(kind, "commentaire")
        st.text_input("Commentaire du journal (facultatif)", key="d-journal", max_chars=500)
        submitted = st.form_submit_button("Enregistrer", type="primary", icon=":material/save:", key="d-enregistrer")
    if submitted:
        record = edits.declination_record(
            insee_reg=code, ar_hlm=state["d-ar"], statut=state["d-statut"], date_signature=state["d-date"],
            organismes=state["d-organismes"], regies=state["d-regies"], lien_document=state["d-lien"],
            commentaire=state["d-commentaire"])
        errors = {**edits.markup_errors(record), **edits.declination_errors(state["d-date"], date.today())}
        _write(kind, account, code, record, version, state["d-journal"] or f"Déclinaison {atlas.region_name(code)}",
               errors)


# ----- régies and organismes (administrators)

def _record_form(kind: str, account: Account) -> None:
    spec = DATASETS[kind]
    records = store().read_records(kind)
    names = {rid: data.get("nom") or rid for rid, (data, _) in records.items()}
    prefix = f"{kind}-"
    choice = st.selectbox(spec.label, [NEW] + sorted(records, key=lambda r: names[r].lower()), key=prefix + "choix",
                          format_func=lambda r: "Nouvel enregistrement" if r == NEW else f"{names[r]} ({r})")

    def fill(data: dict | None) -> None:
        for column in spec.columns:
            st.session_state[prefix + column.name] = (data or {}).get(column.name) or ""
        st.session_state[prefix + "commentaire"] = ""

    record_id, data, version = _opened(kind, choice, records, fill, prefix + spec.key)
    _field_error(kind, edits.WHOLE)
    with st.form(f"form-{kind}"):
        for column in spec.columns:
            label = f"{column.description or column.name} ({column.name}){'' if column.required else ' — facultatif'}"
            st.text_input(label, key=prefix + column.name, placeholder=column.example,
                          disabled=column.name == spec.key and choice != NEW)
            _field_error(kind, column.name)
        st.text_input("Commentaire du journal (facultatif)", key=prefix + "commentaire", max_chars=500)
        submitted = st.form_submit_button("Enregistrer", type="primary", icon=":material/save:",
                                          key=prefix + "enregistrer")
    if submitted:
        record = {c.name: st.session_state[prefix + c.name].strip() or None for c in spec.columns}
        key = record[spec.key] = (record[spec.key] or "").upper() if choice == NEW else record_id
        if kind == "regies":  # a régie placed or moved by hand: precision « saisie »
            record = edits.placed_by_hand(record, data)
        errors = edits.markup_errors(record) if key else {spec.key: edits.REQUIRED}
        _write(kind, account, key, record, version, st.session_state[prefix + "commentaire"], errors)


account = auth.require_account("La saisie")
if account is not None:
    st.markdown(auth.account_line(account))
    if DONE in st.session_state:
        st.success(escape_markdown(st.session_state.pop(DONE)), icon=":material/check:")
    national = [kind for kind in ADMIN_DATASETS if may_write(account, kind, frozenset())]  # the store's rule
    tabs = st.tabs(["Partenariat", "Déclinaison régionale"] + [NATIONAL_TABS[kind] for kind in national])
    partnership_tab, declination_tab = tabs[:2]
    for kind, tab in zip(national, tabs[2:], strict=True):
        with tab:
            _record_form(kind, account)
    if len(national) < len(ADMIN_DATASETS):
        st.caption("Les régies et les organismes sont modifiés par un administrateur national.")
    with partnership_tab:
        _partnership_form(account)
    with declination_tab:
        _declination_form(account)
