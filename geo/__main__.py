"""Command line: `python -m geo check|schemas|demo|fetch|bilan|db|users|import|export`. French output, exit codes for
scripts, never a traceback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo import fr
from geo.io import ReadError
from geo.load import load_file, load_folder, summarize
from geo.schema import DATASETS
from geo.validate import ERREUR, Finding

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


class FrenchArgumentParser(argparse.ArgumentParser):
    """argparse, but a wrong call ends with a French message and exit code 2."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNREADABLE, f"Arguments invalides : {message}\n")


def _print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        print(finding)


def _folder_summary(folder: Path) -> tuple[list[Finding], str]:
    from geo.indicators import kpis
    from geo.joins import build_atlas

    datasets = load_folder(folder)
    atlas = build_atlas(datasets)
    from geo.filters import Filters, apply

    figures = kpis(apply(atlas, Filters()))
    findings = datasets.findings + atlas.findings
    demo = " (données de démonstration)" if datasets.is_demo else ""
    summary = (
        f"{folder}{demo} : {fr.pluriel(figures.regies, 'régie')}, "
        f"{fr.nombre(figures.qpv_couverts)} QPV couverts sur {fr.nombre(figures.qpv)}, "
        f"{_count(figures, 'salaries', 'salarié')}, {_count(figures, 'benevoles', 'bénévole')}, "
        f"{fr.pluriel(figures.partenariats, 'partenariat')}, "
        f"{fr.pluriel(figures.organismes_partenaires, 'organisme partenaire', 'organismes partenaires')}"
    )
    return findings, summary


def _count(figures, field: str, noun: str) -> str:
    """« 13 000 salariés (112 régies sur 129 renseignées) »: an optional count says whom it covers."""
    from geo.indicators import coverage_text

    total = getattr(figures, field)
    if total is None:
        return f"{noun}s : inconnu"
    covered = coverage_text(figures, field)
    return fr.pluriel(total, noun) + (f" ({covered})" if covered else "")


def _list_in_users_words(path: Path, kind: str | None):
    """(kind, clean frame, findings) of a list whose headers are not the model's, read as /import reads it
    (`geo.intake`: the dataset recognised, the columns mapped, communes and QPV resolved, rows placed at their
    commune, the geocoder not called), its mapping, guesses and questions printed; None for a file in the model's
    columns or one that is not a list (the plain check reads it)."""
    from geo import geocode, intake
    from geo.io import ROW, read_csv, read_xlsx
    from geo.load import clean

    if path.suffix.lower() not in (".csv", ".txt", ".xlsx"):
        return None
    try:
        raw = read_csv(path) if path.suffix.lower() != ".xlsx" else read_xlsx(path, kind)
    except ReadError:
        return None
    columns = [c for c in raw.columns if c not in (ROW, "geometry")]
    if kind is None:
        recognition = intake.recognise(columns, raw.attrs.get("sheet"))
        kind = recognition.kind
        print(recognition.message[:1].upper() + recognition.message[1:])
    if kind not in intake.IMPORTABLE or set(DATASETS[kind].required) <= set(intake.propose_mapping(columns, kind)
                                                                          .values()):
        return None
    placer = intake.Placer(None, 0.0, geocode.commune_points(), {}) if kind == "regies" else None
    read = intake.prepare(kind, raw, path.name, placer=placer)
    print(f"Colonnes ({kind}) : " + " ; ".join(f"« {c} » → {t}" for c, t in read.mapping.items()))
    for note in read.guesses + read.questions:
        print(note)
    frame, findings = clean(kind, read.frame, path.name)
    return kind, frame, read.findings + read.in_users_words(findings)


def _file_summary(path: Path, kind: str | None) -> tuple[list[Finding], str, bool]:
    kind, frame, findings = _list_in_users_words(path, kind) or load_file(path, kind)
    if frame is None:
        return findings, f"{path.name} : illisible", False
    label = {"qpv": "QPV", "regies": "régie", "organismes": "organisme", "partenariats": "partenariat",
             "regions": "région", "departements": "département", "declinaisons": "déclinaison"}.get(kind)
    if kind == "qpv":
        count = fr.nombre(len(frame)) + " QPV"
    elif kind == "patrimoine":
        count = fr.pluriel(len(frame), "ligne organisme × QPV", "lignes organisme × QPV")
    else:
        count = fr.pluriel(len(frame), label)
    return findings, f"{path.name} ({DATASETS[kind].label}) : {count} valides", True


def check(args: argparse.Namespace) -> int:
    all_findings: list[Finding] = []
    summaries: list[str] = []
    unreadable = False
    for raw_path in args.paths:
        path = Path(raw_path)
        if not path.exists():
            all_findings.append(Finding(ERREUR, str(path), None, None, "fichier ou dossier introuvable."))
            unreadable = True
            continue
        is_data_folder = path.is_dir() and not any(path.glob("*.shp"))
        if is_data_folder:
            findings, summary = _folder_summary(path)
        else:
            findings, summary, readable = _file_summary(path, args.kind)
            unreadable |= not readable
        all_findings.extend(findings)
        summaries.append(summary)
    _print_findings(all_findings)
    errors, warnings = summarize(all_findings)
    for summary in summaries:
        print(summary)
    print(f"Bilan : {fr.pluriel(errors, 'erreur')}, {fr.pluriel(warnings, 'avertissement')}.")
    if unreadable:
        return EXIT_UNREADABLE
    return EXIT_FINDINGS if errors else EXIT_OK


FILTER_OPTIONS = ("region", "departement", "epci", "theme", "famille", "statut", "annee_min", "annee_max", "q")


def add_bilan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--annee", type=int, required=True, help="année du bilan (AAAA)")
    parser.add_argument("--out", type=Path, required=True, help="dossier où écrire le PowerPoint et le PDF")
    for option in FILTER_OPTIONS:  # the app's URL parameters, same spellings and values
        parser.add_argument(f"--{option.replace('_', '-')}", dest=option, default="",
                            help=f"filtre « {option} » de l'application (comme dans l'adresse de la page)")


def bilan(args: argparse.Namespace) -> int:
    """The annual report of the data the app shows (the store, seeded from the data folder when empty)."""
    from datetime import date

    import settings
    from dashboard.filters_url import from_query_params
    from geo import timeline
    from geo.joins import build_atlas
    from store import Store, data_dir
    from ui import bilan as report

    store = Store.open(reference_folder=data_dir())
    try:
        if store.is_empty():
            datasets, changes = load_folder(data_dir()), []
        else:
            datasets = store.read_datasets(data_dir())
            changes = None
        atlas = build_atlas(datasets)
        filters, notices = from_query_params({k: getattr(args, k) for k in FILTER_OPTIONS if getattr(args, k)},
                                             atlas)
        for notice in notices:
            print(f"[avertissement] {notice}", file=sys.stderr)
        today = date.today()
        try:
            first, last = timeline.year_bounds(args.annee, today)
        except ValueError as exc:
            print(f"[erreur] {exc}", file=sys.stderr)
            return EXIT_UNREADABLE
        journal = timeline.journal_history(store.status_history("partenariats")) if changes is None else None
        history = timeline.combined_history(timeline.read_demo_history(datasets)[0], journal)
        if changes is None:
            changes = timeline.journal_changes(store, first + timeline.ONE_DAY, last)
        current = settings.current()
        written = report.write_bilan(args.out, atlas, datasets, filters, args.annee, today, history, changes,
                                     timeline.reference_day(current.signature_date, current.signature_date_unread,
                                                            datasets.manifest))
    finally:
        store.close()
    for path in written:
        print(f"Bilan écrit : {path}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from geo import demo, fetch, tableschema
    from store import cli as store_cli

    parser = FrenchArgumentParser(prog="python -m geo", description="Carte des coopérations : données.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=FrenchArgumentParser)
    check_parser = commands.add_parser("check", help="valide des fichiers ou un dossier de données")
    check_parser.add_argument("paths", nargs="+", help="fichier(s) ou dossier(s) de données")
    check_parser.add_argument("--kind", choices=sorted(DATASETS), help="jeu de données (sinon deviné)")
    check_parser.set_defaults(handler=check)
    schemas_parser = commands.add_parser("schemas", help="écrit le schéma (Table Schema) de chaque jeu de données")
    tableschema.add_arguments(schemas_parser)
    schemas_parser.set_defaults(handler=tableschema.run)
    demo_parser = commands.add_parser("demo", help="régénère le jeu de démonstration")
    demo.add_arguments(demo_parser)
    demo_parser.set_defaults(handler=demo.run)
    fetch_parser = commands.add_parser("fetch", help="télécharge les données officielles")
    fetch.add_arguments(fetch_parser)
    fetch_parser.set_defaults(handler=fetch.run)
    bilan_parser = commands.add_parser("bilan", help="écrit le bilan annuel (PowerPoint et PDF)")
    add_bilan_arguments(bilan_parser)
    bilan_parser.set_defaults(handler=bilan)
    store_cli.add_arguments(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ReadError as exc:
        print(f"[erreur] {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return EXIT_UNREADABLE
    except Exception as exc:  # the promise is a French message, never a traceback
        from store.cli import STORE_ERRORS

        if isinstance(exc, STORE_ERRORS):  # refusals of the store already say what to do
            print(f"[erreur] {exc}", file=sys.stderr)
            return EXIT_UNREADABLE
        print(f"[erreur] erreur inattendue ({type(exc).__name__}) : {exc}", file=sys.stderr)
        return EXIT_UNREADABLE


if __name__ == "__main__":
    sys.exit(main())
