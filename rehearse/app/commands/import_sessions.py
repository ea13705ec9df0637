"""`rehearse import-sessions OUT.zip`: add the sessions of a `rehearse export` file to this store."""

from __future__ import annotations

from pathlib import Path

from rehearse.app import runtime


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "import-sessions",
        help="add the sessions of a file that `rehearse export` wrote (those already here are skipped)",
    )
    parser.add_argument("archive", type=Path, metavar="FILE.zip")
    runtime.add_store_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from rehearse.store.transfer import import_sessions

    store = runtime.open_store(args)
    result = import_sessions(store, args.archive)
    print(
        f"imported {len(result.added)} session(s) into {store.shown_url}"
        + (f"; {len(result.present)} already there, left as they are" if result.present else "")
    )
    return 0
