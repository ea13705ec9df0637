"""`rehearse models`: the bundled models, where their files are and whether they can be used."""

from __future__ import annotations

import json


def add_parser(sub) -> None:
    parser = sub.add_parser("models", help="list the bundled models and their packages")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(run=run)


def run(args) -> int:
    from rehearse.models.registry import BUNDLED, package_status

    rows = [
        dict(kind=m.kind, name=m.name, package=m.package, licence=m.licence, status=package_status(m)) for m in BUNDLED
    ]
    if args.json:
        print(json.dumps(rows))
    else:
        for row in rows:
            print(f"{row['kind']:<19} {row['name']:<26} {row['status']:<8} from {row['package']} ({row['licence']})")
    return 0 if all(r["status"] == "ok" for r in rows) else 1
