"""The saved-session filters of Replay: learner, scenario, date (recent days or a range), ending and minimum score.
The view only: `changed` fires when one is edited; `current()` gives the store's `SessionFilter`."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QSpinBox, QVBoxLayout, QWidget

from rehearse.app.gui.widgets import label
from rehearse.store.listing import SessionFilter

DATES = (("Any date", None), ("Today", 1), ("Last 7 days", 7), ("Last 30 days", 30), ("Between dates…", "range"))
ENDING_NAMES = {
    "resolved": "Resolved",
    "escalated": "Escalated",
    "hung_up": "Hung up",
    "unfinished": "Unfinished",
    "in_progress": "In progress",
}


class SessionFilters(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.learner = QComboBox(toolTip="Only this learner's sessions")
        self.scenario = QComboBox(toolTip="Only this scenario")
        self.date = QComboBox(toolTip="Only sessions started in this period")
        for text, value in DATES:
            self.date.addItem(text, value)
        self.ending = QComboBox(toolTip="Only sessions that ended this way")
        for combo in (self.learner, self.scenario, self.date, self.ending):
            combo.currentIndexChanged.connect(self._edited)
            layout.addWidget(combo)
        self.range_row = QWidget()
        dates = QHBoxLayout(self.range_row)
        dates.setContentsMargins(0, 0, 0, 0)
        today = QDate.currentDate()
        self.first_day = QDateEdit(today.addDays(-30), calendarPopup=True, displayFormat="d MMM yyyy")
        self.last_day = QDateEdit(today, calendarPopup=True, displayFormat="d MMM yyyy")
        self.first_day.setToolTip("From this day")
        self.last_day.setToolTip("To this day (included)")
        for edit in (self.first_day, self.last_day):
            edit.dateChanged.connect(self._edited)
        dates.addWidget(self.first_day, 1)
        dates.addWidget(label("–", "muted"))
        dates.addWidget(self.last_day, 1)
        self.range_row.hide()
        layout.insertWidget(3, self.range_row)
        score_row = QHBoxLayout()
        score_row.addWidget(label("Score at least", "muted"), 1)
        self.min_score = QSpinBox(minimum=0, maximum=100, singleStep=5, specialValueText="any")
        self.min_score.setToolTip("Only sessions whose overall score (the mean of their dimensions) is at least this")
        self.min_score.setKeyboardTracking(False)  # typing "65" asks once, not for 6 and then 65
        self.min_score.valueChanged.connect(self._edited)
        score_row.addWidget(self.min_score)
        layout.addLayout(score_row)
        self.set_choices({}, {})

    def set_choices(self, choices: dict[str, list[str]], titles: dict[str, str]) -> None:
        """The values saved sessions have; the chosen ones stay chosen."""
        for combo, values, everyone, name in (
            (self.learner, choices.get("learner", []), "Every learner", lambda v: v),
            (self.scenario, choices.get("scenario", []), "Every scenario", lambda v: titles.get(v, v)),
            (self.ending, choices.get("ending", []), "Any ending", lambda v: ENDING_NAMES.get(v, v)),
        ):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everyone, None)
            for value in sorted(values, key=name):
                combo.addItem(name(value), value)
            if chosen is not None and combo.findData(chosen) < 0:
                combo.addItem(name(chosen), chosen)  # chosen before any session had it: keep it
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.blockSignals(False)

    def set_values(
        self,
        learner: str | None = None,
        scenario: str | None = None,
        days: int | None = None,
        ending: str | None = None,
        min_score: int = 0,
        between: tuple[QDate, QDate] | None = None,
    ) -> None:
        """Choose every filter at once (None: any); `changed` fires once."""
        widgets = (self.learner, self.scenario, self.date, self.ending, self.min_score, self.first_day, self.last_day)
        for widget in widgets:
            widget.blockSignals(True)
        for combo, value in ((self.learner, learner), (self.scenario, scenario), (self.ending, ending)):
            if value is not None and combo.findData(value) < 0:
                combo.addItem(value, value)
            combo.setCurrentIndex(max(0, combo.findData(value)))
        self.date.setCurrentIndex(max(0, self.date.findData("range" if between else days)))
        if between:
            self.first_day.setDate(between[0])
            self.last_day.setDate(between[1])
        self.min_score.setValue(min_score)
        for widget in widgets:
            widget.blockSignals(False)
        self._edited()

    def current(self, now: datetime | None = None) -> SessionFilter:
        period = self.date.currentData()
        since = until = None
        if period == "range":
            since = _local_midnight(self.first_day.date())
            until = _local_midnight(self.last_day.date().addDays(1))
        elif period == 1:  # today: since midnight here
            since = _local_midnight(QDate.currentDate())
        elif period is not None:
            since = (now or datetime.now(UTC)) - timedelta(days=int(period))
        return SessionFilter(
            learner=self.learner.currentData(),
            scenario=self.scenario.currentData(),
            since=since,
            until=until,
            ending=self.ending.currentData(),
            min_score=float(self.min_score.value()) if self.min_score.value() > 0 else None,
        )

    def _edited(self, *_args) -> None:
        self.range_row.setVisible(self.date.currentData() == "range")
        self.changed.emit()


def _local_midnight(day: QDate) -> datetime:
    """The start of `day` in the computer's time zone."""
    return datetime.combine(day.toPython(), time()).astimezone()
