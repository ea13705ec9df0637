"""`rehearse export SESSION... OUT.zip`: sessions with their audio, scenario version and reviews, as one file
that `rehearse import-sessions` adds to another store (`store.transfer`)."""

from __future__ import annotations

from pathlib import Path

from rehearse.app import runtime


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "export",
        help="write sessions (audio, scenario version, ratings, comments) to a .zip for another store",
    )
    parser.add_argument("sessions", nargs="+", metavar="SESSION", help="session id, a unique prefix of it, or 'last'")
    parser.add_argument("out", type=Path, metavar="OUT.zip")
    runtime.add_store_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from rehearse.app.errors import UserError
    from rehearse.store import StoreError
    from rehearse.store.transfer import export_sessions

    if args.out.suffix.lower() != ".zip" or args.out.is_dir():
        raise UserError(f"give the file to write last, ending in .zip (got {args.out})")
    if not args.out.absolute().parent.is_dir():
        raise UserError(f"cannot write {args.out}: the folder {args.out.absolute().parent} does not exist")
    store = runtime.open_store(args)
    ids = []
    for key in args.sessions:
        session = store.find_session(key)
        if session is None:
            raise StoreError(f"no saved session matches '{key}'; `rehearse replay` lists them; nothing was written")
        if session["id"] not in ids:
            ids.append(session["id"])
    size = export_sessions(store, ids, args.out)
    print(f"wrote {args.out} ({len(ids)} session(s), {size / 1024:.0f} kB)")
    return 0
