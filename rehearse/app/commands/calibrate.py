"""`rehearse calibrate`: how well the coach's scores agree with trainers' ratings (`store.calibration`)."""

from __future__ import annotations

import json

from rehearse.app import runtime


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "calibrate",
        help="agreement between trainer ratings and the automatic scores, per dimension",
        description=(
            "Over the rated turns: Spearman's rank correlation (Pearson's r beside it), the mean absolute "
            "difference and the bias between trainer ratings and the coach's scores per dimension, and the "
            "turns where they disagree most."
        ),
    )
    parser.add_argument("--team", help="only the sessions of this team's learners")
    parser.add_argument("--trainer", help="only this trainer's ratings")
    parser.add_argument("--top", type=int, default=5, help="how many of the largest disagreements to list")
    parser.add_argument("--json", action="store_true")
    runtime.add_store_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from rehearse.store.calibration import calibrate, lines

    store = runtime.open_store(args)
    result = calibrate(store.rated_turns(team=args.team, trainer=args.trainer), most_disagreed=args.top)
    print(json.dumps(result.to_dict()) if args.json else "\n".join(lines(result)))
    return 0
