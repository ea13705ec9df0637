"""`rehearse replay`: saved sessions, and one session turn by turn with scores and why each branch was taken."""

from __future__ import annotations

import json
from pathlib import Path

from rehearse.app import runtime


def add_parser(sub) -> None:
    parser = sub.add_parser("replay", help="list saved sessions, or replay one turn by turn")
    parser.add_argument(
        "session", nargs="?", help="session id, a unique prefix of it, or 'last'; omit to list sessions"
    )
    parser.add_argument("--learner", help="only this learner's sessions (when listing)")
    parser.add_argument("--play", action="store_true", help="play both voices through the default output device")
    parser.add_argument(
        "--export",
        type=Path,
        metavar="WAV",
        help="write the whole conversation to one audio file (.wav, .flac or .ogg)",
    )
    parser.add_argument("--json", action="store_true")
    runtime.add_store_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from rehearse.store import StoreError

    if args.export:
        from rehearse.audio.output import check_output

        check_output(args.export)  # before anything is read
    store = runtime.open_store(args)
    if not args.session:
        return _list(store, args)
    session = store.find_session(args.session)
    if session is None:
        raise StoreError(f"no saved session matches '{args.session}'; `rehearse replay` lists them")
    every = store.turns(session["id"], every_take=True)
    turns = [t for t in every if t["active"]]
    if args.json:
        print(
            json.dumps(
                {"session": session, "turns": turns, "replaced_takes": [t for t in every if not t["active"]]},
                default=str,
            )
        )
    else:
        print("\n".join(session_lines(session, every, store.scenario_text(session["id"]))))
    if args.export or args.play:
        from rehearse.app.timeline import conversation_audio, write_wav

        audio, rate = conversation_audio(turns, store)
        if args.export:
            write_wav(args.export, audio, rate)
            print(f"wrote {args.export} ({audio.size / rate:.1f} s)")
        if args.play:
            import sounddevice as sd

            sd.play(audio, rate, blocking=True)
    return 0


def _list(store, args) -> int:
    rows = list(reversed(store.sessions(args.learner)))
    if args.json:
        print(json.dumps(rows, default=str))
        return 0
    if not rows:
        print("no saved sessions yet: try `rehearse demo` or `rehearse practice`")
    for r in rows:
        ending = f" -> {r['outcome']}" if r["outcome"] else ""
        print(
            f"{r['id'][:8]}  {r['started_at']:%Y-%m-%d %H:%M}  {r['learner']:<12} {r['scenario_id']:<28} "
            f"{r['status']}{ending}"
        )
    return 0


def session_lines(session: dict, turns: list[dict], scenario_text: str | None) -> list[str]:
    """The session as text: the scenario as played (`scenario_text`, kept by the store), each customer line,
    the reply, its scores and the branch it caused; takes that a retake replaced are shown where they were taken."""
    from rehearse.app.turn_timing import timing_line
    from rehearse.scenarios.library import played

    scenario = played(session["scenario_id"], scenario_text)
    title = f"{scenario.title} ({session['scenario_id']})" if scenario else session["scenario_id"]
    lines = [
        f"Session {session['id']} — {title}, learner {session['learner']}, "
        f"{session['status']}" + (f" ({session['outcome']})" if session["outcome"] else "")
    ]
    if session.get("note"):
        lines.append(f"Note: {session['note']}")
    retaken = {t["index"] for t in turns if t["take"] > 1}
    for turn in turns:
        fb = turn["feedback"]
        scores = ", ".join(f"{k} {v:.0f}" for k, v in (fb.get("scores") or {}).items() if v is not None)
        take = ""
        if not turn["active"]:
            take = f" (take {turn['take']}, replaced by a retake)"
        elif turn["index"] in retaken:
            take = f" (take {turn['take']})"
        lines += [
            "",
            f'Turn {turn["index"]}{take}  customer (mood {turn["customer_mood"]:.2f}): "{turn["customer_line"]}"',
            f'  reply:  "{turn["transcript"]}"' if turn["transcript"] else "  reply:  (no answer)",
            f"  moves:  {', '.join(fb.get('moves') or []) or 'none'}",
            f"  scores: {scores or 'not judged'}",
        ]
        if fb.get("tip"):
            lines.append(f"  tip:    {fb['tip']}")
        timing = timing_line(fb.get("timing"))
        if timing:
            lines.append(f"  timing: {timing}")
        lines += [f"  note:   {reason}" for reason in fb.get("not_judged") or []]
        branch = turn.get("step") or {}
        if branch:
            lines.append(
                f"  branch: {branch.get('condition')} -> {branch.get('goto')} "
                f"(mood {branch.get('mood_before', 0):.2f} -> {branch.get('mood_after', 0):.2f})"
            )
            if branch.get("facts"):
                lines.append(f"  because: {branch['facts']}")
    active = [t for t in turns if t["active"]]
    if active and active[-1]["feedback"].get("next_line"):
        last = active[-1]["feedback"]
        label = f"Ending ({last['outcome']})" if last.get("outcome") else "Customer's next line (not answered)"
        lines += ["", f'{label}: "{last["next_line"]}"']
    return lines
