"""`rehearse scenarios list|check`: the scenario library and validation of scenario files."""

from __future__ import annotations

import json
from pathlib import Path


def add_parser(sub) -> None:
    parser = sub.add_parser("scenarios", help="list or check scenario files")
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="the library, with audience and difficulty")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run_list)
    check = actions.add_parser("check", help="validate scenario files (default: the whole library)")
    check.add_argument("files", nargs="*", type=Path)
    check.set_defaults(run=run_check)


def run_list(args) -> int:
    from rehearse.scenarios.library import entries

    rows = []
    for e in entries():
        s = e.scenario
        rows.append(dict(id=e.id, title=s.title if s else e.path.name, audience=s.audience if s else None,
                         difficulty=s.difficulty if s else None, valid=s is not None, problems=list(e.problems),
                         path=str(e.path)))
    if args.json:
        print(json.dumps(rows))
        return 0
    for r in rows:
        if r["valid"]:
            print(f"{r['id']:<28} {r['audience']:<8} difficulty {r['difficulty']}  {r['title']}")
        else:
            print(f"{r['id']:<28} INVALID  {r['problems'][0]}")
    return 0


def run_check(args) -> int:
    from rehearse.scenarios.library import entries
    from rehearse.scenarios.schema import ScenarioError, load

    if args.files:
        results = []
        for path in args.files:
            try:
                load(path)
                results.append((path, ()))
            except ScenarioError as exc:
                results.append((path, tuple(exc.problems)))
    else:
        results = [(e.path, e.problems) for e in entries()]
    bad = 0
    for path, problems in results:
        if problems:
            bad += 1
            print("\n".join(problems))
        else:
            print(f"{path}: ok")
    return 1 if bad else 0
