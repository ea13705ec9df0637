"""`rehearse team`: the learners and trainers of a team's store (on PostgreSQL, their database logins)."""

from __future__ import annotations

import json
import secrets

from rehearse.app import runtime


def add_parser(sub) -> None:
    parser = sub.add_parser("team", help="add learners and trainers to a team's store, or list them")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for role in ("learner", "trainer"):
        add = actions.add_parser(
            f"add-{role}",
            help=f"add a {role} (on PostgreSQL also their database login)",
            description=(
                f"Add a {role} to a team. On a PostgreSQL store (--db) this also creates their database "
                f"login, which the server's row-level security limits to "
                + ("their own sessions." if role == "learner" else "reading their team's sessions and reviewing them.")
            ),
        )
        add.add_argument("name", help="the person's name, as practice --learner uses it; also their database login")
        add.add_argument("--team", required=True, help="the team's name")
        add.add_argument("--password", help="their database password (default: a generated one, printed once)")
        runtime.add_store_options(add)
        add.set_defaults(run=run_add, role=role)
    remove = actions.add_parser(
        "remove",
        help="delete a learner: their sessions, audio, trainers' reviews of them and their login",
        description=(
            "Delete a learner and everything recorded of them: sessions, turns, audio files (and the FLAC copies "
            "in a server database), trainers' ratings and comments of their turns, their team membership and, "
            "on PostgreSQL, their database login. This cannot be undone."
        ),
    )
    remove.add_argument("name", help="the learner's name")
    remove.add_argument("--yes", action="store_true", help="really delete (without it, only says what would go)")
    runtime.add_store_options(remove)
    remove.set_defaults(run=run_remove)
    listing = actions.add_parser("list", help="list the people of every team, or of one")
    listing.add_argument("--team", help="only this team")
    listing.add_argument("--json", action="store_true")
    runtime.add_store_options(listing)
    listing.set_defaults(run=run_list)


def run_add(args) -> int:
    store = runtime.open_store(args)
    password = None
    if store.on_postgresql:  # every person logs in to the server as themselves
        password = args.password or secrets.token_urlsafe(12)
    store.add_person(args.name, args.role, args.team, password=password)
    print(f"added {args.role} {args.name} to team {args.team}")
    if password and not args.password:
        print(f"database password for {args.name}: {password} (shown once; give it to them)")
    return 0


def run_list(args) -> int:
    rows = runtime.open_store(args).people(args.team)
    if args.json:
        print(json.dumps(rows, default=str))
        return 0
    for row in rows:
        print(f"{row['team']:<20} {row['role']:<8} {row['name']}")
    return 0


def run_remove(args) -> int:
    from rehearse.app.errors import UserError
    from rehearse.store.removal import remove_learner

    store = runtime.open_store(args)
    if not args.yes:
        count = len(store.sessions(args.name))
        raise UserError(
            f"this deletes {args.name}'s {count} session(s) with their audio and reviews from {store.shown_url} "
            f"for good; run it again with --yes to do it"
        )
    removed = remove_learner(store, args.name)
    print(
        f"removed learner {removed.learner}: {removed.sessions} session(s), {removed.turns} turn(s), "
        f"{removed.reviews} trainer rating(s)/comment(s), {removed.audio_files} audio file(s)"
        + (", and their database login" if removed.login_dropped else "")
    )
    return 0
