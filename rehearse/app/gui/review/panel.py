"""Ratings and comments beside a replayed session. A trainer rates the turn being played (0–100 per dimension)
and pins a comment to the playback moment; everyone sees the comments (also as marks on the timeline), and a
click on one seeks to its moment. Saving goes through the store on a background task."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from rehearse.app.gui import tasks
from rehearse.app.gui.review.data import Reviewer, SessionReviews, latest_ratings, save_comment, save_ratings
from rehearse.app.gui.review.data import session_reviews as read_reviews
from rehearse.app.gui.widgets import DIMENSIONS, label

_LOGGER = logging.getLogger(__name__)

NOT_RATED = -1
"""A rating box's value when the dimension is left unrated."""


def clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


class ReviewPanel(QWidget):
    reviews_changed = Signal(object)
    """SessionReviews, after they were read or a rating or comment was saved."""
    seek_requested = Signal(float)
    """Seconds on the conversation's timeline (a comment was clicked)."""
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.reviewer = Reviewer("learner")
        self.view = None
        self.reviews: SessionReviews | None = None
        self.turn: int | None = None
        self.at_seconds = 0.0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 8, 6)
        layout.setSpacing(8)

        self.trainer_box = QWidget()
        trainer = QVBoxLayout(self.trainer_box)
        trainer.setContentsMargins(0, 0, 0, 0)
        self.rate_heading = label("Rate the turn being played", "heading")
        trainer.addWidget(self.rate_heading)
        grid = QGridLayout()  # two dimensions a row: name, your score, the coach's
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        self.rating_boxes: dict[str, QSpinBox] = {}
        self.coach_labels: dict[str, object] = {}
        for i, dim in enumerate(DIMENSIONS):
            row, column = i // 2, (i % 2) * 3
            grid.addWidget(label(dim), row, column)
            box = QSpinBox(minimum=NOT_RATED, maximum=100, singleStep=5, specialValueText="not rated")
            box.setToolTip(f"Your {dim} score for this turn, 0–100 (leave 'not rated' to skip it)")
            box.setMinimumWidth(96)
            self.rating_boxes[dim] = box
            grid.addWidget(box, row, column + 1)
            self.coach_labels[dim] = label("", "muted")
            self.coach_labels[dim].setMinimumWidth(66)
            grid.addWidget(self.coach_labels[dim], row, column + 2)
        grid.setColumnStretch(6, 1)
        trainer.addLayout(grid)
        self.save_button = QPushButton("Save ratings", objectName="primary", enabled=False)
        self.save_button.clicked.connect(self.save_ratings)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        trainer.addLayout(buttons)
        self.comment_edit = QLineEdit(placeholderText="A comment on this moment, for the learner…")
        self.comment_edit.returnPressed.connect(self.pin_comment)
        self.pin_button = QPushButton("Pin comment", enabled=False)
        self.pin_button.clicked.connect(self.pin_comment)
        pin_row = QHBoxLayout()
        pin_row.addWidget(self.comment_edit, 1)
        pin_row.addWidget(self.pin_button)
        trainer.addLayout(pin_row)
        layout.addWidget(self.trainer_box)

        self.given = label("", "muted", wrap=True)
        layout.addWidget(self.given)
        self.comments_heading = label("Trainer comments", "heading")
        layout.addWidget(self.comments_heading)
        self.comment_list = QListWidget()
        self.comment_list.setWordWrap(True)
        self.comment_list.setSpacing(2)
        self.comment_list.itemClicked.connect(self._comment_clicked)
        self.comment_list.itemActivated.connect(self._comment_clicked)
        layout.addWidget(self.comment_list, 1)
        self.set_reviewer(self.reviewer)

    # -- what is shown ------------------------------------------------------------------------------
    def set_reviewer(self, reviewer: Reviewer) -> None:
        self.reviewer = reviewer
        self.trainer_box.setVisible(reviewer.is_trainer)
        self._show_turn()

    def show_session(self, view) -> None:
        """A loaded session (replay.data.SessionView): its reviews are read in the background."""
        self.view = view
        self.reviews = None
        self.turn = None
        self.comment_list.clear()
        self.comment_list.addItem("Reading the trainers' comments…")
        tasks.run_in_background(
            read_reviews, view.session["id"], on_done=self._read, on_error=self._save_failed, parent=self
        )

    def set_moment(self, turn: int | None, at_seconds: float) -> None:
        """The playback position: `turn`, `at_seconds` from its start (called as playback moves)."""
        self.at_seconds = max(0.0, at_seconds)
        if turn != self.turn:
            self.turn = turn
            self._show_turn()
        if turn is not None:
            self.pin_button.setText(f"Pin at {clock(self.at_seconds)} of turn {turn}")

    def turn_row(self, index: int | None) -> dict | None:
        if self.view is None or index is None:
            return None
        return next((t for t in self.view.turns if int(t["index"]) == index), None)

    def _read(self, reviews: SessionReviews) -> None:
        if self.view is None or reviews.session_id != self.view.session["id"]:
            return
        self.reviews = reviews
        self.comment_list.clear()
        active = {t["id"]: t for t in self.view.turns}
        for comment in reviews.comments:
            where = f"Turn {comment['index']}"
            if comment["turn_id"] not in active:
                where += f" (earlier take {comment['take']})"
            item = QListWidgetItem(
                f"{where}  ·  {clock(comment['at_seconds'])}  ·  {comment['author']}\n{comment['text']}"
            )
            item.setData(Qt.ItemDataRole.UserRole, comment["id"])
            if comment["turn_id"] in active:
                start = self.view.conversation.turn_start(int(comment["index"]))
                item.setData(Qt.ItemDataRole.UserRole + 1, start + float(comment["at_seconds"]))
            self.comment_list.addItem(item)
        count = len(reviews.comments)
        self.comments_heading.setText(f"Trainer comments ({count})" if count else "Trainer comments")
        if not count:
            self.comment_list.addItem(
                "No comments yet: play to a moment and pin one."
                if self.reviewer.is_trainer
                else "No trainer has commented on this session yet."
            )
        self._show_turn(prefill=True)
        self.reviews_changed.emit(reviews)

    def _show_turn(self, prefill: bool = True) -> None:
        turn = self.turn_row(self.turn)
        ready = turn is not None and self.reviews is not None
        self.save_button.setEnabled(ready)
        self.pin_button.setEnabled(ready)
        if turn is None:
            self.rate_heading.setText("Rate the turn being played")
            self.given.setText("")
            self.pin_button.setText("Pin comment")
            return
        self.rate_heading.setText(f"Rate turn {self.turn}")
        self.save_button.setText(f"Save ratings of turn {self.turn}")
        scores = (turn.get("feedback") or {}).get("scores") or {}
        for dim in DIMENSIONS:
            value = scores.get(dim)
            self.coach_labels[dim].setText(f"coach {value:.0f}" if isinstance(value, (int, float)) else "coach –")
        ratings = self.reviews.ratings if self.reviews else []
        if prefill and self.reviewer.is_trainer:
            mine = latest_ratings(ratings, turn["id"], self.reviewer.name)
            for dim, box in self.rating_boxes.items():
                box.setValue(round(mine[dim]) if dim in mine else NOT_RATED)
        others = latest_ratings(ratings, turn["id"])
        self.given.setText(
            f"Trainer ratings of turn {self.turn}: " + ", ".join(f"{d} {v:.0f}" for d, v in others.items())
            if others
            else ""
        )

    # -- saving -------------------------------------------------------------------------------------
    def save_ratings(self) -> None:
        turn = self.turn_row(self.turn)
        if turn is None or not self.reviewer.is_trainer:
            return
        scores = {d: float(b.value()) for d, b in self.rating_boxes.items() if b.value() != NOT_RATED}
        if not scores:
            self.failed.emit("Choose a score for at least one dimension first.")
            return
        self.save_button.setEnabled(False)
        tasks.run_in_background(
            save_ratings,
            self.view.session["id"],
            turn["id"],
            self.reviewer.name,
            scores,
            on_done=self._read,
            on_error=self._save_failed,
            parent=self,
        )

    def pin_comment(self) -> None:
        turn = self.turn_row(self.turn)
        text = self.comment_edit.text().strip()
        if turn is None or not self.reviewer.is_trainer:
            return
        if not text:
            self.failed.emit("Write the comment first.")
            return
        self.pin_button.setEnabled(False)
        tasks.run_in_background(
            save_comment,
            self.view.session["id"],
            turn["id"],
            self.reviewer.name,
            self.at_seconds,
            text,
            on_done=self._commented,
            on_error=self._save_failed,
            parent=self,
        )

    def _commented(self, reviews: SessionReviews) -> None:
        self.comment_edit.clear()
        self._read(reviews)

    def _save_failed(self, exc: BaseException) -> None:
        self._show_turn(prefill=False)
        self.failed.emit(str(exc))

    def _comment_clicked(self, item: QListWidgetItem) -> None:
        at = item.data(Qt.ItemDataRole.UserRole + 1)
        if at is not None:
            self.seek_requested.emit(float(at))
