"""`rehearse next --learner NAME`: which scenario to practise next, and why."""

from __future__ import annotations

import json
from statistics import fmean

from rehearse.app import runtime


def add_parser(sub) -> None:
    parser = sub.add_parser("next", help="recommend the next scenario and difficulty for a learner")
    parser.add_argument("--learner", required=True, help="the learner's name, as used with practice")
    parser.add_argument("--audience", choices=("service", "manager"), default=None,
                        help="service or manager scenarios (default: what the learner practised last)")
    parser.add_argument("--json", action="store_true", help="print the recommendation as JSON")
    runtime.add_store_options(parser)
    parser.set_defaults(run=run)


def history(store, learner: str):
    """The learner's sessions, oldest first, with each dimension's mean score over its turns."""
    from rehearse.scenarios.adaptive import PastSession

    out = []
    for session in store.sessions(learner):
        per_dim: dict[str, list[float]] = {}
        for turn in store.turns(session["id"]):
            for dim, value in ((turn["feedback"] or {}).get("scores") or {}).items():
                if isinstance(value, (int, float)):
                    per_dim.setdefault(dim, []).append(float(value))
        scores = {dim: fmean(values) for dim, values in per_dim.items()}
        out.append(PastSession(session["scenario_id"], session["outcome"], scores, session.get("difficulty")))
    return out


def run(args) -> int:
    from rehearse.scenarios.adaptive import recommend
    from rehearse.scenarios.library import entries

    scenarios = [e.scenario for e in entries() if e.scenario]
    rec = recommend(scenarios, history(runtime.open_store(args), args.learner), args.audience)
    if args.json:
        print(json.dumps(rec.to_dict()))
        return 0
    print(f"Next for {args.learner}: {rec.title} ({rec.scenario_id}) at difficulty {rec.difficulty}")
    print(f"Why: {rec.reason}")
    print(f"Start it: rehearse practice --scenario {rec.scenario_id} --learner {args.learner}")
    return 0
