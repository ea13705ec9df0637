"""Plain-text rendering of verdicts and turns for the terminal."""

from __future__ import annotations

from rehearse.coach.feedback import Feedback


def _fmt(value, unit: str, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


def feedback_lines(feedback: Feedback, indent: str = "  ") -> list[str]:
    m = feedback.metrics
    empathy = feedback.scores.get("empathy")
    lines = [
        f'{indent}You said: "{feedback.transcript}"' if feedback.transcript else f"{indent}You said: (nothing recognised)",
        f"{indent}Moves:    {', '.join(feedback.moves) or 'none detected'}",
        f"{indent}Scores:   empathy {_fmt(empathy, '')}",
    ]
    if feedback.duration_s is not None:
        lines.append(f"{indent}Delivery: {_fmt(m.wpm, ' wpm')}, pitch {_fmt(m.pitch_median_hz, ' Hz')}, "
                     f"loudness {_fmt(m.loudness_db, ' dBFS', 1)}, {m.pause_count} pause(s)")
    lines += [f"{indent}Note:     {reason}" for reason in feedback.not_judged]
    return lines


def customer_lines(name: str, text: str, mood: float, band: str) -> list[str]:
    return [f'{name} ({band}, mood {mood:.2f}): "{text}"']
