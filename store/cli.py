"""Command line of the store: `python -m geo db upgrade`, `users add|list|disable|reset`, `import`, `export`.

Passwords are read from standard input (`--password-stdin`, first line) or typed without echo (getpass); they are
never printed, logged or accepted as an argument (a command line is visible to every user of the machine).
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from geo import fr, intake
from geo.validate import ERREUR
from store import accounts
from store import engine as engines
from store.api import Store
from store.changes import StoreError
from store.reference import data_dir

EXIT_OK, EXIT_FINDINGS, EXIT_REFUSED = 0, 1, 2


def add_arguments(commands) -> None:
    """Register the store's commands on the `python -m geo` sub-parsers."""
    db = commands.add_parser("db", help="base de données des enregistrements")
    db_commands = db.add_subparsers(dest="db_command", required=True, parser_class=type(db))
    db_commands.add_parser("upgrade", help="crée ou met à jour le schéma de la base (CARTE_DATABASE_URL)") \
        .set_defaults(handler=db_upgrade)

    users = commands.add_parser("users", help="comptes (administrateurs nationaux, contributeurs régionaux)")
    user_commands = users.add_subparsers(dest="users_command", required=True, parser_class=type(users))
    add = user_commands.add_parser("add", help="crée un compte")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=accounts.ROLES)
    add.add_argument("--region", nargs="+", default=[], metavar="CODE", help="code(s) INSEE de région")
    add.add_argument("--email", help="adresse utilisée par la connexion OpenID Connect")
    add.add_argument("--password-stdin", action="store_true", help="lit le mot de passe sur l'entrée standard")
    add.add_argument("--no-password", action="store_true", help="compte sans mot de passe (OpenID Connect)")
    add.set_defaults(handler=users_add)
    user_commands.add_parser("list", help="liste les comptes").set_defaults(handler=users_list)
    disable = user_commands.add_parser("disable", help="désactive un compte")
    disable.add_argument("name")
    disable.set_defaults(handler=users_disable)
    reset = user_commands.add_parser("reset", help="change le mot de passe d'un compte")
    reset.add_argument("name")
    reset.add_argument("--password-stdin", action="store_true")
    reset.set_defaults(handler=users_reset)

    imp = commands.add_parser("import", help="importe un fichier, un dossier ou un zip dans la base")
    imp.add_argument("source", metavar="FILE_OR_FOLDER")
    imp.add_argument("--as", dest="user", required=True, metavar="USER", help="compte qui publie")
    imp.add_argument("--dry-run", action="store_true", help="affiche l'aperçu sans rien publier")
    imp.add_argument("--comment", default="", help="commentaire du lot de modifications")
    imp.add_argument("--remove-missing", action="store_true",
                     help="supprime les enregistrements (de votre périmètre) absents du fichier")
    imp.add_argument("--confirm-removal", type=int, metavar="N",
                     help="avec --remove-missing : le nombre d'enregistrements supprimés, tel que l'aperçu le donne")
    imp.add_argument("--kind", choices=intake.IMPORTABLE, help="jeu de données (sinon reconnu à ses colonnes)")
    imp.add_argument("--colonnes", type=Path, metavar="MAPPING.json",
                     help="correspondance colonne → champ (ou « ignorer »), sinon proposée d'après les en-têtes")
    imp.set_defaults(handler=import_command)

    export = commands.add_parser("export", help="sauvegarde la base au format dossier de données")
    export.add_argument("--out", required=True, type=Path)
    export.set_defaults(handler=export_command)


def _store() -> Store:
    return Store.open(reference_folder=data_dir())


def db_upgrade(_args) -> int:
    engine = engines.make_engine()
    before, after = engines.upgrade(engine)
    where = engines.describe(engine.url)
    if before == after:
        print(f"{where} : schéma déjà à jour (révision {after}).")
    elif before is None:
        print(f"{where} : schéma créé (révision {after}).")
    else:
        print(f"{where} : schéma mis à jour de la révision {before} à {after}.")
    engine.dispose()
    return EXIT_OK


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Mot de passe (confirmation) : ") != first:
        raise accounts.AccountError("Les deux saisies du mot de passe diffèrent.")
    return first


def users_add(args) -> int:
    password = None if args.no_password else _read_password(args.password_stdin)
    account = accounts.add_user(_store(), args.name, args.role, args.region, password, args.email)
    print(f"Compte créé : {account.label}.")
    return EXIT_OK


def users_list(_args) -> int:
    users = accounts.list_users(_store())
    for account in users:
        state = " — désactivé" if account.disabled else ""
        email = f" <{account.email}>" if account.email else ""
        print(f"{account.label}{email}{state}")
    print(fr.pluriel(len(users), "compte"))
    return EXIT_OK


def users_disable(args) -> int:
    account = accounts.disable_user(_store(), args.name)
    print(f"Compte désactivé : {account.name}.")
    return EXIT_OK


def users_reset(args) -> int:
    account = accounts.reset_password(_store(), args.name, _read_password(args.password_stdin))
    print(f"Mot de passe changé : {account.name}.")
    return EXIT_OK


def _show(value: str | None) -> str:
    return f"« {value} »" if value else "(vide)"


def import_command(args) -> int:
    store = _store()
    try:
        mapping = intake.read_mapping(args.colonnes) if args.colonnes else None
    except ValueError as exc:
        print(f"[erreur] {exc}", file=sys.stderr)
        return EXIT_REFUSED
    plan = store.plan_import(args.user, Path(args.source), kind=args.kind, mapping=mapping)
    for kind, columns in plan.mappings.items():
        pairs = " ; ".join(f"« {column} » → {target}" for column, target in columns.items())
        print(f"Colonnes ({kind}) : {pairs}")
    for note in plan.guesses + plan.questions:
        print(note)
    for finding in plan.blocking + plan.findings:
        print(finding)
    if plan.blocking:
        print("Import refusé : rien n'a été publié.")
        return EXIT_REFUSED
    for change in plan.changed:
        cells = " ; ".join(f"{c.column} {_show(c.old)} → {_show(c.new)}" for c in change.cells)
        print(f"modifié {change.record_id} : {cells}")
    for change in plan.added:
        print(f"ajouté {change.record_id}")
    for change in plan.out_of_scope:
        print(f"hors de votre périmètre (refusé) {change.record_id} : régions "
              f"{', '.join(sorted(change.regions)) or 'inconnues'}")
    for change in plan.missing:
        print(f"absent du fichier ({'supprimé' if args.remove_missing else 'conservé'}) {change.record_id}")
    if args.remove_missing:
        for finding in plan.removal_refusals:
            print(finding)
    errors = sum(f.severity == ERREUR for f in plan.findings)
    print(f"Aperçu : {fr.pluriel(len(plan.added), 'ajout')}, {fr.pluriel(len(plan.changed), 'modification')}, "
          f"{fr.nombre(len(plan.unchanged))} inchangé(s), {fr.nombre(len(plan.out_of_scope))} hors périmètre, "
          f"{fr.nombre(len(plan.missing))} absent(s) du fichier, {fr.pluriel(errors, 'ligne')} en erreur"
          + (f", {fr.pluriel(len(plan.questions), 'question')} (lignes laissées de côté)" if plan.questions else "")
          + ".")
    if args.remove_missing and plan.missing and not plan.removal_refusals:
        print(f"Suppression demandée : {plan.removal_text} ; confirmez-la par --confirm-removal "
              f"{len(plan.missing)}.")
    if args.dry_run:
        print("Essai à blanc (--dry-run) : rien n'a été publié.")
    elif plan.added or plan.changed or (args.remove_missing and plan.missing):
        change_set_id = store.publish(plan, args.user, args.comment, remove_missing=args.remove_missing,
                                      confirm_removal=args.confirm_removal)
        print(f"Publié : lot de modifications n° {change_set_id}.")
    else:
        print("Rien à publier.")
    return EXIT_FINDINGS if errors or plan.out_of_scope or plan.questions else EXIT_OK


def export_command(args) -> int:
    written = _store().export(args.out)
    print(f"Sauvegarde écrite dans {args.out} : {', '.join(p.name for p in written)}.")
    return EXIT_OK


STORE_ERRORS = (StoreError, engines.SchemaError, accounts.AccountError, accounts.AuthError)
