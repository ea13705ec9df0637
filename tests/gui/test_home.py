"""Home lists the library and the recommendation, shows broken scenario files with their reason, and starts practice."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFrame, QLabel

from rehearse.app.commands.app import NO_DISPLAY


def _cards(window, name: str) -> list[QFrame]:
    return [f for f in window.home.grid_host.findChildren(QFrame) if f.objectName() == name]


def _text(frame: QFrame) -> str:
    return "\n".join(label.text() for label in frame.findChildren(QLabel))


def test_home_lists_the_ten_scenarios_and_the_recommendation(window, qtbot):
    from rehearse.app.progress import next_scenario
    from rehearse.store import SessionStore

    qtbot.waitUntil(window.home.loaded, timeout=10_000)
    cards = _cards(window, "card")
    assert len(cards) == 10
    assert {c.property("scenario_id") for c in cards} >= {"internet-outage", "no-to-a-raise"}
    expected = next_scenario(SessionStore(), "sam")
    assert expected.title in window.home.rec_title.text()
    assert window.home.rec_reason.text() == expected.reason
    assert window.home.start_button.isEnabled()


def test_a_broken_user_scenario_is_listed_as_invalid_with_its_reason(window, qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "broken.yaml").write_text("id: broken\ntitle: Broken\naudience: nobody\ndifficulty: 9\n")
    monkeypatch.setenv("REHEARSE_SCENARIOS", str(folder))
    window.home.refresh()
    qtbot.waitUntil(lambda: window.home.loaded() and len(_cards(window, "invalidCard")) == 1, timeout=10_000)
    from rehearse.scenarios.library import check_file

    problems = check_file(folder / "broken.yaml").problems
    (invalid,) = _cards(window, "invalidCard")
    text = _text(invalid)
    assert "broken.yaml" in text and "invalid" in text
    assert problems and problems[0].split(": ", 1)[-1] in text
    assert len(_cards(window, "card")) == 10


def test_start_practice_gets_the_recommended_options(window, qtbot, monkeypatch):
    started = []
    monkeypatch.setattr(window, "start_practice", lambda options, source: started.append((options, source)))
    qtbot.waitUntil(window.home.loaded, timeout=10_000)
    window.home.start_button.click()
    ((options, source),) = started
    rec = window.home.data.recommendation
    assert (options.scenario, options.learner, options.difficulty, source) == (
        rec.scenario_id,
        "sam",
        rec.difficulty,
        "microphone",
    )


def test_the_learner_name_is_a_setting(window, qtbot):
    from PySide6.QtCore import QSettings

    qtbot.waitUntil(window.home.loaded, timeout=10_000)
    window.home.learner.setText("robin")
    window.home.learner.editingFinished.emit()
    assert QSettings().value("learner") == "robin"
    qtbot.waitUntil(lambda: window.home.loaded() and "robin" in window.home.greeting.text(), timeout=10_000)


@pytest.mark.parametrize("argv", [[], ["app"]])
def test_without_a_display_rehearse_points_to_the_demo(argv, monkeypatch, capsys):
    from rehearse.app.cli import main

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main(argv) == 2
    assert capsys.readouterr().err.strip() == NO_DISPLAY
