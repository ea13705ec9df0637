"""`rehearse scenarios list|check|show`: the scenario library and validation of scenario files."""

from __future__ import annotations

import json
from pathlib import Path

CHECK_LINES = 30
"""Most problems `check` prints for one file."""


def add_parser(sub) -> None:
    parser = sub.add_parser("scenarios", help="list, check or show scenario files")
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="the library, with audience and difficulty")
    listing.add_argument("--json", action="store_true", help="print a JSON list of objects")
    listing.add_argument("--dir", type=Path, action="append", default=[], help="also list the scenarios in this folder")
    listing.set_defaults(run=run_list)
    check = actions.add_parser("check", help="validate scenario files (default: the whole library); exit 1 on errors")
    check.add_argument("files", nargs="*", type=Path)
    check.set_defaults(run=run_check)
    show = actions.add_parser("show", help="a scenario's context card, persona and rubric")
    show.add_argument("scenario", help="scenario id or path to a YAML file")
    show.set_defaults(run=run_show)


def run_list(args) -> int:
    from rehearse.scenarios.library import entries

    rows = []
    for e in entries(args.dir):
        s = e.scenario
        rows.append(
            dict(
                id=e.id,
                title=s.title if s else e.path.name,
                audience=s.audience if s else None,
                difficulty=s.difficulty if s else None,
                focus=list(s.focus) if s else [],
                valid=s is not None,
                problems=list(e.problems),
                path=str(e.path),
            )
        )
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    for r in rows:
        if r["valid"]:
            print(f"{r['id']:<26} {r['audience']:<8} difficulty {r['difficulty']}  {r['title']}")
        else:
            print(f"{r['id']:<26} INVALID  {r['problems'][0]}")
    return 0


def run_check(args) -> int:
    from rehearse.scenarios.library import check_file, entries

    results = [check_file(path) for path in args.files] if args.files else entries()
    bad = 0
    for entry in results:
        if entry.problems:
            bad += 1
            shown = entry.problems[:CHECK_LINES]
            more = len(entry.problems) - len(shown)
            print("\n".join(shown + ((f"{entry.path}: ... and {more} more problems",) if more else ())))
        else:
            print(f"{entry.path}: ok")
    return 1 if bad else 0


def run_show(args) -> int:
    from rehearse.scenarios.library import find

    s = find(args.scenario)
    p = s.persona
    print(f"{s.title}  ({s.audience}, difficulty {s.difficulty}; trains {', '.join(s.focus) or 'everything'})")
    print(f"You talk to {p.name}, {p.role}.\n")
    print(s.context)
    print("A good call:")
    print("\n".join(f"- {item}" for item in s.rubric))
    return 0
