import numpy as np
import pytest
import soundfile as sf

from rehearse.audio.files import AudioFileError, load_reply, write_flac


def test_stereo_44k_is_converted_to_mono_16k(tmp_path):
    t = np.arange(44_100) / 44_100
    tone = 0.5 * np.sin(2 * np.pi * 220 * t)
    path = tmp_path / "stereo.wav"
    sf.write(path, np.stack([tone, tone], axis=1), 44_100)
    audio = load_reply(path)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert abs(audio.size - 16_000) <= 2
    assert 0.45 < np.max(np.abs(audio)) < 0.55


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"this is not audio at all" * 10, "not a readable audio file"),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", "not a readable audio file"),
    ],
)
def test_bad_files_give_a_reason(tmp_path, content, reason):
    path = tmp_path / "reply.wav"
    path.write_bytes(content)
    with pytest.raises(AudioFileError, match=reason):
        load_reply(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(AudioFileError, match="no such file"):
        load_reply(tmp_path / "nope.wav")
    with pytest.raises(AudioFileError, match="folder"):
        load_reply(tmp_path)


def test_header_only_wav_has_no_samples(tmp_path):
    path = tmp_path / "zero.wav"
    sf.write(path, np.zeros(0, dtype=np.float32), 16_000)
    with pytest.raises(AudioFileError, match="no audio samples"):
        load_reply(path)


def test_flac_round_trip_is_atomic(tmp_path):
    audio = (0.3 * np.sin(np.linspace(0, 100, 8000))).astype(np.float32)
    path = write_flac(tmp_path / "a" / "turn.flac", audio, 16_000)
    back, rate = sf.read(path, dtype="float32")
    assert rate == 16_000 and np.allclose(back, audio, atol=1e-4)
    assert not list(tmp_path.rglob("*.partial"))


def test_a_wav_cut_short_is_noticed_and_a_whole_one_is_not(tmp_path):
    import soundfile as sf

    from rehearse.audio.files import ends_early

    whole = tmp_path / "whole.wav"
    sf.write(whole, np.zeros(32_000, np.float32), 16_000, subtype="PCM_16")
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole.read_bytes()[: 44 + 32_000])  # half of the samples
    flac = tmp_path / "whole.flac"
    sf.write(flac, np.zeros(16_000, np.float32), 16_000)
    assert ends_early(whole) is None and ends_early(flac) is None
    note = ends_early(cut)
    assert "promises 2.0 s but it holds 1.0 s" in note
