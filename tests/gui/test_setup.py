"""Audio set-up lists the virtual PulseAudio devices and its meter moves when the virtual microphone hears speech."""

from __future__ import annotations

import numpy as np
import soundfile as sf


def test_setup_lists_the_devices_and_the_meter_moves(window, qtbot, virtual_audio, tmp_path):
    from rehearse.audio import devices

    page = window.setup
    with qtbot.waitSignal(page.devices_listed, timeout=20_000):
        window.show_page("setup")
    listed = [page.input_combo.itemText(i) for i in range(page.input_combo.count())]
    assert listed == [d.name for d in devices.list_devices("input")] and listed
    assert page.output_combo.count() == len(devices.list_devices("output")) > 0
    assert not page.no_mic.isVisible()
    qtbot.waitUntil(lambda: page.level_db() is not None, timeout=10_000)
    quiet = page.level_db()
    rate = 48_000
    t = np.arange(int(3.0 * rate)) / rate
    tone = (0.3 * np.sin(2 * np.pi * 180 * t) * (1 + 0.3 * np.sin(2 * np.pi * 3 * t))).astype(np.float32)
    sf.write(str(tmp_path / "voice.wav"), tone, rate)
    feeding = virtual_audio.play(tmp_path / "voice.wav")
    try:
        qtbot.waitUntil(lambda: (page.level_db() or -120) > -30, timeout=10_000)
    finally:
        feeding.wait(timeout=10)
    assert page.level_db() is not None and quiet < -40


def test_without_a_microphone_the_page_offers_typed_practice(window, qtbot, monkeypatch):
    from rehearse.audio import devices

    monkeypatch.setattr(devices, "list_devices", lambda kind=None: [])
    page = window.setup
    with qtbot.waitSignal(page.devices_listed, timeout=20_000):
        window.show_page("setup")
    assert page.no_mic.isVisible()
    assert "practise by typing" in page.no_mic_text.text()
    assert not page.test_button.isEnabled()
    from rehearse.app.gui.home.page import practice_source

    assert practice_source() == "typed"
