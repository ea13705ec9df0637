"""Plain-text rendering of verdicts and turns for the terminal."""

from __future__ import annotations

from rehearse.coach.feedback import Feedback


def _fmt(value, unit: str, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


def feedback_lines(feedback: Feedback, indent: str = "  ") -> list[str]:
    m, s = feedback.metrics, feedback.scores
    lines = [
        f'{indent}You said: "{feedback.transcript}"'
        if feedback.transcript
        else f"{indent}You said: (nothing recognised)",
        f"{indent}Moves:    {', '.join(feedback.moves) or 'none detected'}",
        f"{indent}Scores:   "
        + ", ".join(f"{name} {_fmt(s.get(name), '')}" for name in ("empathy", "clarity", "pace", "calm")),
    ]
    if feedback.duration_s is not None:
        lines.append(
            f"{indent}Delivery: {_fmt(m.wpm, ' wpm')}, pitch {_fmt(m.pitch_median_hz, ' Hz')}, "
            f"loudness {_fmt(m.loudness_db, ' dBFS', 1)}, {m.pause_count} pause(s), {m.filler_count} filler(s)"
        )
    for label in feedback.labels:
        when = ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in label.seconds[:3])
        lines.append(f"{indent}Tone:     {label.name}: {label.why}" + (f" ({when})" if when else ""))
    if feedback.tip:
        lines.append(f"{indent}Tip:      {feedback.tip}")
    lines += [f"{indent}Note:     {reason}" for reason in feedback.not_judged]
    return lines


def branch_line(step) -> str:
    """Where the reply sent the conversation, and the mood change (a `scenarios.engine.Step`)."""
    return f"  Branch:   {step.condition} -> {step.goto} (mood {step.mood_before:.2f} -> {step.mood_after:.2f})"


def session_end_line(ended) -> str:
    """How a session ended and where its turns are (an `events.SessionEnded`)."""
    how = f"finished ({ended.outcome})" if ended.status == "finished" else f"unfinished ({ended.why or 'stopped'})"
    return f"Session {how}: {ended.turns} turn(s) saved to {ended.saved_to}"


def customer_lines(name: str, text: str, mood: float, band: str) -> list[str]:
    return [f'{name} ({band}, mood {mood:.2f}): "{text}"']
