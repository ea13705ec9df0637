"""The real packaged models: Whisper on real speech, Piper's audio measured."""

import itertools

import numpy as np
import pytest

from rehearse.audio import prosody
from rehearse.audio.files import load_reply
from rehearse.models.tts import VoiceStyle
from tests.wer import word_error_rate

pytestmark = pytest.mark.slow


def test_tiny_en_word_error_rate_on_real_speech(stt, realspeech, manifest):
    rows = [r for r in manifest if r["kind"] == "asr"]
    assert len(rows) >= 5
    hypotheses = [stt.transcribe(load_reply(realspeech / r["file"])).text for r in rows]
    wer = word_error_rate([r["label"] for r in rows], hypotheses)
    assert wer <= 0.15, f"WER {wer:.1%}: {hypotheses}"


def test_word_timestamps_are_ordered_and_inside_the_audio(stt, realspeech):
    audio = load_reply(realspeech / "asr" / "asr_librivox_sense_0870.wav")
    transcript = stt.transcribe(audio, offset=2.0)
    words = transcript.words
    assert len(words) >= 15
    assert all(w.start <= w.end for w in words)
    assert all(a.start <= b.start for a, b in itertools.pairwise(words))
    assert 2.0 <= words[0].start and words[-1].end <= 2.0 + transcript.duration + 0.05


def test_piper_line_has_speech_length_and_the_asked_level(tts):
    text = "This is the third time I am calling about my internet. Nobody has fixed it."
    sentences = list(tts.sentences(text, VoiceStyle(level_db=-6.0)))
    assert len(sentences) == 2  # sentence by sentence, for early playback
    audio, rate = tts.synthesize(text, VoiceStyle(level_db=-6.0))
    seconds = audio.size / rate
    assert 3.0 < seconds < 7.0, seconds  # about 14 words at a conversational rate
    peak_db = 20 * np.log10(np.max(np.abs(audio)))
    assert -6.5 < peak_db < -5.5
    quieter, _ = tts.synthesize(text, VoiceStyle(level_db=-18.0))
    assert 20 * np.log10(np.max(np.abs(quieter))) == pytest.approx(-18.0, abs=0.5)


def test_piper_rate_and_pitch_controls_move_the_audio(tts):
    import soxr

    # Piper's duration predictor is stochastic: a longer text averages its noise out.
    text = (
        "I want this fixed today, not next week. I have called three times already, "
        "and every time somebody promised me it was sorted."
    )
    base, rate = tts.synthesize(text, VoiceStyle())
    faster, _ = tts.synthesize(text, VoiceStyle(rate=1.3))
    higher, _ = tts.synthesize(text, VoiceStyle(pitch_semitones=3.0))
    assert faster.size < 0.9 * base.size  # 1 / 1.3 = 0.77
    assert abs(higher.size - base.size) < 0.12 * base.size  # pitch shift keeps the duration

    def median_f0(audio):
        return prosody.summarize(soxr.resample(audio, rate, 16_000)).pitch_median_hz

    ratio = median_f0(higher) / median_f0(base)
    assert 1.12 < ratio < 1.28, ratio  # 3 semitones = 1.19


def test_silence_and_noise_give_no_words(stt):
    rng = np.random.default_rng(0)
    for audio in (np.zeros(16_000 * 3, np.float32), (0.01 * rng.standard_normal(16_000 * 3)).astype(np.float32)):
        transcript = stt.transcribe(audio)
        assert transcript.text == "" and transcript.words == ()
