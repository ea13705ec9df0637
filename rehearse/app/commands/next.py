"""`rehearse next --learner NAME`: which scenario to practise next, and why."""

from __future__ import annotations

import json

from rehearse.app import runtime


def add_parser(sub) -> None:
    parser = sub.add_parser("next", help="recommend the next scenario and difficulty for a learner")
    parser.add_argument("--learner", required=True, help="the learner's name, as used with practice")
    parser.add_argument(
        "--audience",
        choices=("service", "manager"),
        default=None,
        help="service or manager scenarios (default: what the learner practised last)",
    )
    parser.add_argument("--json", action="store_true", help="print the recommendation as JSON")
    runtime.add_store_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from rehearse.app.progress import next_scenario

    rec = next_scenario(runtime.open_store(args), args.learner, args.audience)
    if args.json:
        print(json.dumps(rec.to_dict()))
        return 0
    print(f"Next for {args.learner}: {rec.title} ({rec.scenario_id}) at difficulty {rec.difficulty}")
    print(f"Why: {rec.reason}")
    print(f"Start it: rehearse practice --scenario {rec.scenario_id} --learner {args.learner}")
    return 0
