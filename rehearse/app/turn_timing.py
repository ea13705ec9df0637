"""A live turn's timing in words: how soon the learner answered, and why their reply was taken as finished.

The live listener saves both in the turn's `timing` (`app.live.practice.timing`, `end_of_turn` from
`audio.endpoint.Endpointer`); the live console, `rehearse replay` and the window's replay show them in these words.
"""

from __future__ import annotations

WORDS_LATE_MS = 300
"""Words transcribed this far into the pause are named as what the end waited for when the end came with them
(within `WORDS_DECIDED_MS`, or the model's deciding answer was asked for once they came): the model's answer
ends a turn only once the pause's words show that the reply did not stop mid-clause."""
WORDS_DECIDED_MS = 100


def answer_timing(timing: dict | None) -> str | None:
    """ "Answered 0.52 s after the customer stopped" (or how long the learner spoke over them); None without it."""
    timing = timing or {}
    gap = timing.get("response_gap_s")
    if gap is None:
        return None
    if timing.get("barge_in") or gap < 0:
        return f"Spoke over the customer for {abs(gap):.1f} s"
    return f"Answered {gap:.2f} s after the customer stopped"


def turn_ending(timing: dict | None) -> str | None:
    """Why the reply was taken as finished, in one sentence; None for turns that have no such record (typed
    replies, turns saved before issue 11)."""
    end = (timing or {}).get("end_of_turn") or {}
    rule = end.get("rule")
    if rule is None:
        return None
    silence_ms = end.get("silence_ms") or 0
    pause = f"{silence_ms / 1000:.2f} s"
    probability = end.get("probability")
    said = f" (the end-of-turn model was {probability:.0%} sure you had finished)" if probability is not None else ""
    last = (end.get("last_words") or "").split()
    words_ms = end.get("words_ms")
    late = words_ms is not None and words_ms >= WORDS_LATE_MS
    came_with_words = late and (
        silence_ms - words_ms <= WORDS_DECIDED_MS  # the model had answered; the words were the last to come
        or (end.get("model_heard_ms") or 0) >= words_ms - WORDS_DECIDED_MS  # the model was asked once they came
    )
    waited = ", once your last words were transcribed" if came_with_words else ""
    match rule:
        case "model_finished":
            return f"Ended {pause} into your pause: you sounded finished{said}{waited}"
        case "model_unsure":
            return f"Ended after {pause} of silence: it was unclear whether you had finished{said}{waited}"
        case "ceiling" if end.get("unfinished_words") and last:
            return (
                f"Ended after {pause} of silence, the longest Rehearse waits: your words stopped on "
                f"“{last[-1].strip(',.')}”, so it kept listening for more"
            )
        case "ceiling":
            return f"Ended after {pause} of silence, the longest Rehearse waits{said}"
        case "silence" if end.get("detector") == "smart_turn":
            return f"Ended after {pause} of silence (the end-of-turn model had not answered yet: a busy computer)"
        case "silence":
            return f"Ended after {pause} of silence"
        case "released":
            return "Ended when you released push-to-talk"
        case "max_length":
            return "The customer cut in: the reply reached the longest a turn may be"
    return f"Ended by the rule '{rule}'"


def timing_line(timing: dict | None) -> str | None:
    """Both, as one line for the terminal."""
    return "; ".join(_parts(timing)) or None


def timing_sentences(timing: dict | None) -> str | None:
    """Both, as sentences for a card in the window."""
    parts = _parts(timing)
    return ".  ".join(parts) + "." if parts else None


def _parts(timing: dict | None) -> list[str]:
    return [part for part in (answer_timing(timing), turn_ending(timing)) if part]
