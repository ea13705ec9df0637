"""`rehearse report SESSION --html OUT.html`: one saved session as a self-contained HTML page (`app.html_report`)."""

from __future__ import annotations

from pathlib import Path

from rehearse.app import runtime


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "report",
        help="write one session as a self-contained HTML page (plots, transcript, audio, trainer comments)",
    )
    parser.add_argument("session", help="session id, a unique prefix of it, or 'last'")
    parser.add_argument("--html", type=Path, required=True, metavar="OUT.html", help="the page to write")
    runtime.add_store_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from rehearse.app.errors import UserError
    from rehearse.app.html_report import session_html
    from rehearse.privacy import write_private
    from rehearse.store import StoreError

    if args.html.is_dir():
        raise UserError(f"{args.html} is a folder; give a file name, e.g. {args.html / 'session.html'}")
    if not args.html.absolute().parent.is_dir():
        raise UserError(f"cannot write {args.html}: the folder {args.html.absolute().parent} does not exist")
    store = runtime.open_store(args)
    session = store.find_session(args.session)
    if session is None:
        raise StoreError(f"no saved session matches '{args.session}'; `rehearse replay` lists them")
    page = session_html(store, session["id"]).encode()
    try:
        write_private(args.html, page)
    except OSError as exc:
        raise UserError(f"cannot write {args.html}: {exc.strerror or exc}; nothing was written") from exc
    print(f"wrote {args.html} ({len(page) / 1024:.0f} kB): session {session['id']}")
    return 0
