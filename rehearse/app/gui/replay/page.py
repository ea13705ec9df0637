"""Replay: the saved sessions (filtered in the store by learner, scenario, date, ending and score) and one
session on a timeline, with playback, seek, jump to a turn, the transcript in sync, per-turn verdicts and
earlier takes, trainer ratings and comments (marked on the timeline), and WAV export."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rehearse.app.gui import tasks
from rehearse.app.gui.replay.data import learner_pitch, load_session
from rehearse.app.gui.replay.filters import SessionFilters
from rehearse.app.gui.replay.timeline_view import TimelineView
from rehearse.app.gui.replay.transcript import TranscriptView
from rehearse.app.gui.replay.turns import TurnCard
from rehearse.app.gui.review.data import Listed, Reviewer, ending, find_sessions
from rehearse.app.gui.review.panel import ReviewPanel, clock
from rehearse.app.gui.widgets import clear, label
from rehearse.store.listing import SessionFilter

_LOGGER = logging.getLogger(__name__)

FRAME_MS = 33


class ReplayPage(QWidget):
    session_loaded = Signal(str)
    pitch_ready = Signal()
    exported = Signal(str)
    list_shown = Signal()
    """The session list shows the answer to the filters as they are now."""

    def __init__(self, window):
        super().__init__()
        self.window_ = window
        self.sessions: list[dict] = []
        """The listed sessions (the newest that match the filters), each with its scores."""
        self.titles: dict[str, str] = {}
        self._query = 0
        """Increases with each list query: an older answer arriving late is dropped."""
        self.view = None
        self.player = None
        self._pending_turn: int | None = None
        self._loading_id: str | None = None
        self._listed = False
        self._build()
        self._timer = QTimer(self, interval=FRAME_MS, timeout=self._tick)
        for key, slot in (
            (Qt.Key.Key_Space, self.toggle_play),
            (Qt.Key.Key_Left, lambda: self.step_turn(-1)),
            (Qt.Key.Key_Right, lambda: self.step_turn(1)),
            ("Ctrl+E", self.export),
        ):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # -- building -----------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QHBoxLayout(self)
        outer.setContentsMargins(18, 14, 18, 10)
        outer.setSpacing(14)
        left = QVBoxLayout()
        left.addWidget(label("Saved sessions", "heading"))
        self.filters = SessionFilters()
        self.filters.changed.connect(self.refresh)
        left.addWidget(self.filters)
        self.count = label("", "muted", wrap=True)
        left.addWidget(self.count)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setSpacing(3)
        self.list.itemActivated.connect(self._list_opened)
        self.list.itemClicked.connect(self._list_opened)
        left.addWidget(self.list, 1)
        self.import_button = QPushButton("Import recorded call…")
        self.import_button.setToolTip("Score recorded calls and add them to this list (Ctrl+I)")
        self.import_button.clicked.connect(lambda: self.window_.import_calls())
        left.addWidget(self.import_button)
        host = QWidget()
        host.setLayout(left)
        host.setFixedWidth(240)
        outer.addWidget(host)

        right = QVBoxLayout()
        right.setSpacing(8)
        self.header = label("Choose a session on the left.", "title", wrap=True)
        self.subheader = label("", "muted", wrap=True)
        right.addWidget(self.header)
        right.addWidget(self.subheader)
        transport = QHBoxLayout()
        self.play_button = QPushButton("Play  (Space)", objectName="primary", enabled=False)
        self.play_button.clicked.connect(self.toggle_play)
        self.previous_button = QPushButton("◀ Turn", enabled=False)
        self.previous_button.setToolTip("Previous turn (Left)")
        self.previous_button.clicked.connect(lambda: self.step_turn(-1))
        self.next_button = QPushButton("Turn ▶", enabled=False)
        self.next_button.setToolTip("Next turn (Right)")
        self.next_button.clicked.connect(lambda: self.step_turn(1))
        self.turn_combo = QComboBox(enabled=False)
        self.turn_combo.setToolTip("Jump to a turn")
        self.turn_combo.activated.connect(lambda i: self.jump_to_turn(self.turn_combo.itemData(i)))
        self.clock = label("0:00.0 / 0:00.0", "muted")
        self.export_button = QPushButton("Export WAV…", enabled=False)
        self.export_button.setToolTip("Write the whole conversation to one WAV file (Ctrl+E)")
        self.export_button.clicked.connect(self.export)
        for widget in (self.play_button, self.previous_button, self.next_button, self.turn_combo, self.clock):
            transport.addWidget(widget)
        transport.addStretch(1)
        self.message = label("", "muted")
        transport.addWidget(self.message)
        transport.addWidget(self.export_button)
        right.addLayout(transport)
        self.timeline = TimelineView()
        self.timeline.seek_requested.connect(self.seek)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.timeline)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        self.transcript = TranscriptView()
        bottom.addWidget(self.transcript)
        self.cards_host = QWidget()
        self.cards = QVBoxLayout(self.cards_host)
        self.cards.setContentsMargins(0, 0, 6, 0)
        self.cards.setSpacing(8)
        self.cards_scroll = QScrollArea(widgetResizable=True)
        self.cards_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.cards_scroll.setWidget(self.cards_host)
        self.review = ReviewPanel()
        self.review.reviews_changed.connect(self._show_comment_marks)
        self.review.seek_requested.connect(self.seek)
        self.review.failed.connect(lambda message: self.window_.status(f"Review: {message}", 15000))
        self.tabs = QTabWidget()
        self.tabs.addTab(self.cards_scroll, "Turns")
        self.tabs.addTab(self.review, "Comments")
        bottom.addWidget(self.tabs)
        bottom.setSizes([300, 620])
        bottom.setChildrenCollapsible(False)
        split.addWidget(bottom)
        split.setSizes([250, 400])
        right.addWidget(split, 1)
        outer.addLayout(right, 1)

    # -- the list -----------------------------------------------------------------------------------
    def entered(self) -> None:
        if not self._listed:
            self.refresh()

    def refresh(self) -> None:
        """Ask the store, in the background, for the sessions the filters let through."""
        self._query += 1
        tasks.run_in_background(
            find_sessions,
            self.filters.current(),
            on_done=lambda listed, query=self._query: self._listed_sessions(query, listed),
            on_error=self._list_failed,
            parent=self,
        )

    def set_reviewer(self, reviewer: Reviewer) -> None:
        """Who is replaying: a trainer rates and comments, a learner reads the comments."""
        self.review.set_reviewer(reviewer)
        self.tabs.setTabText(1, "Review" if reviewer.is_trainer else "Comments")

    def _listed_sessions(self, query: int, listed: Listed) -> None:
        if query != self._query:
            return  # the filters changed while the store answered
        self._listed = True
        self.sessions, self.titles = listed.found.rows, listed.titles
        self.filters.set_choices(listed.choices, listed.titles)
        self._show_list(listed.found.total)

    def _list_failed(self, exc: BaseException) -> None:
        self.list.clear()
        self.list.addItem(QListWidgetItem(f"Could not list the sessions: {exc}"))
        self.window_.status(f"Replay: {exc}", 15000)

    def _show_list(self, total: int) -> None:
        self.list.clear()
        for session in self.sessions:
            when = session["started_at"].astimezone().strftime("%a %d %b %H:%M") if session["started_at"] else ""
            title = self.titles.get(session["scenario_id"], session["scenario_id"])
            score = f"  ·  {session['overall']:.0f}" if session["overall"] is not None else ""
            item = QListWidgetItem(f"{title}\n{when}  ·  {session['learner']}  ·  {ending(session)}{score}")
            item.setData(Qt.ItemDataRole.UserRole, session["id"])
            item.setToolTip(
                ", ".join(f"{d} {v:.0f}" for d, v in session["scores"].items()) or "not scored (typed or unjudged)"
            )
            self.list.addItem(item)
            if self.view is not None and session["id"] == self.view.session["id"]:
                item.setSelected(True)
        shown = len(self.sessions)
        if not shown:
            filtered = self.filters.current() != SessionFilter()
            self.list.addItem(
                QListWidgetItem(
                    "No saved sessions match." if filtered else "No saved sessions yet: practise a scenario from Home."
                )
            )
        self.count.setText(
            f"The newest {shown:,} of {total:,} matching sessions"
            if total > shown
            else f"{total:,} session" + ("s" if total != 1 else "")
        )
        self.list_shown.emit()

    def listed_ids(self) -> list[str]:
        return [
            self.list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.list.count())
            if self.list.item(i).data(Qt.ItemDataRole.UserRole)
        ]

    def _list_opened(self, item: QListWidgetItem) -> None:
        session_id = item.data(Qt.ItemDataRole.UserRole)
        if session_id and (self.view is None or self.view.session["id"] != session_id):
            self.open_session(session_id)

    # -- one session --------------------------------------------------------------------------------
    def open_session(self, session_id: str, turn: int | None = None) -> None:
        """Load a session in the background and show it (at `turn` when given)."""
        self._pending_turn = turn
        self._loading_id = session_id
        self.header.setText("Loading the session…")
        self.window_.status("Loading the session's audio…")
        if not self._listed:
            self.refresh()
        tasks.run_in_background(load_session, session_id, on_done=self._loaded, on_error=self._failed, parent=self)

    def _loaded(self, view) -> None:
        if view.session["id"] != self._loading_id:
            return  # another session was asked for meanwhile
        self._close_player()
        self.view = view
        from rehearse.app.gui.player import Player

        self.player = Player(view.conversation.audio, view.conversation.rate)
        session = view.session
        self.header.setText(view.title)
        when = session["started_at"].astimezone().strftime("%A %d %B %Y, %H:%M") if session["started_at"] else ""
        ending = f"ended {session['outcome'].replace('_', ' ')}" if session["outcome"] else session["status"]
        retakes = sum(len(v) for v in view.earlier.values())
        self.subheader.setText(
            f"{session['learner']}  ·  {when}  ·  {len(view.turns)} turn"
            f"{'s' if len(view.turns) != 1 else ''}  ·  {ending}"
            + (f"  ·  {retakes} earlier take{'s' if retakes > 1 else ''}" if retakes else "")
        )
        self.timeline.show_session(view)
        self.transcript.show_session(view)
        self.review.show_session(view)
        clear(self.cards)
        for turn in view.turns:
            widget = TurnCard(turn, view.earlier.get(int(turn["index"]), []))
            widget.jump.connect(self.jump_to_turn)
            self.cards.addWidget(widget)
        self.cards.addStretch(1)
        self.turn_combo.clear()
        for turn in view.turns:
            self.turn_combo.addItem(f"Turn {turn['index']}", int(turn["index"]))
        has_audio = view.conversation.audio.size > 0
        for widget in (self.play_button, self.previous_button, self.next_button, self.turn_combo, self.export_button):
            widget.setEnabled(has_audio)
        self.message.setText("" if has_audio else "This session has no recorded audio (typed practice).")
        self.seek(view.conversation.turn_start(self._pending_turn) if self._pending_turn else 0.0)
        self.window_.status(f"Session {session['id'][:8]}: computing the pitch contour…")
        tasks.run_in_background(learner_pitch, view, on_done=lambda pitch, v=view: self._pitched(v, pitch), parent=self)
        self._select_listed(session["id"])
        self.session_loaded.emit(session["id"])

    def _select_listed(self, session_id: str) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setSelected(item.data(Qt.ItemDataRole.UserRole) == session_id)

    def _show_comment_marks(self, reviews) -> None:
        if self.view is None or reviews.session_id != self.view.session["id"]:
            return
        name = "Review" if self.review.reviewer.is_trainer else "Comments"
        self.tabs.setTabText(1, f"{name} ({len(reviews.comments)})" if reviews.comments else name)
        active = {t["id"] for t in self.view.turns}
        conversation = self.view.conversation
        self.timeline.show_comments(
            [
                (conversation.turn_start(int(c["index"])) + float(c["at_seconds"]), f"{c['author']}: {c['text']}")
                for c in reviews.comments
                if c["turn_id"] in active
            ]
        )

    def _pitched(self, view, pitch) -> None:
        if view is not self.view:
            return
        self.timeline.show_pitch(pitch)
        self.transcript.show_session(view)  # word times now follow the voiced part of each reply
        self._update(self.player.position())
        self.window_.status("Pitch contour ready.", 3000)
        self.pitch_ready.emit()

    def _failed(self, exc: BaseException) -> None:
        self.header.setText("Could not open the session")
        self.subheader.setText(str(exc))
        self.window_.status(f"Replay: {exc}", 15000)

    # -- playback -----------------------------------------------------------------------------------
    def position(self) -> float:
        return self.player.position() if self.player else 0.0

    def seek(self, seconds: float) -> None:
        if self.player is None:
            return
        self.player.seek(seconds)
        self._update(self.player.position())

    def jump_to_turn(self, index: int | None) -> None:
        if self.view is None or index is None:
            return
        self.seek(self.view.conversation.turn_start(int(index)))

    def step_turn(self, delta: int) -> None:
        if self.view is None or not self.view.turns:
            return
        indexes = [int(t["index"]) for t in self.view.turns]
        current = self.current_turn() or indexes[0]
        position = indexes.index(current) if current in indexes else 0
        self.jump_to_turn(indexes[min(max(position + delta, 0), len(indexes) - 1)])

    def current_turn(self) -> int | None:
        if self.view is None:
            return None
        at = self.position()
        turn = None
        for segment in self.view.conversation.segments:
            if segment.start <= at + 1e-3:  # the player's position is a whole frame
                turn = segment.turn
        return turn

    def toggle_play(self) -> None:
        if self.player is None or not self.play_button.isEnabled():
            return
        if self.player.playing:
            self.player.pause()
            self._playing_changed()
            return
        player = self.player
        self.message.setText("Opening the output device…")
        tasks.run_in_background(
            player.open, on_done=lambda _r: self._start(player), on_error=self._no_output, parent=self
        )

    def _start(self, player) -> None:
        if player is not self.player:
            return
        self.message.setText("")
        player.play()
        self._timer.start()
        self._playing_changed()

    def _no_output(self, exc: BaseException) -> None:
        self.message.setText("Cannot play: no output device")
        self.window_.status(f"Playback: {exc}", 15000)
        self._playing_changed()

    def _playing_changed(self) -> None:
        playing = bool(self.player and self.player.playing)
        self.play_button.setText("Pause  (Space)" if playing else "Play  (Space)")
        if not playing:
            self._timer.stop()

    def _tick(self) -> None:
        if self.player is None:
            return
        self._update(self.player.position())
        if not self.player.playing:
            self._playing_changed()

    def _update(self, seconds: float) -> None:
        if self.view is None:
            return
        self.timeline.set_position(seconds)
        self.clock.setText(f"{clock(seconds)} / {clock(self.view.conversation.duration)}")
        found = self.view.conversation.word_at(seconds)
        if found is None:
            self.transcript.highlight(None, None)
        else:
            segment, word = found
            self.transcript.highlight(self.view.conversation.segments.index(segment), word)
        turn = self.current_turn()
        if turn is not None:
            self.turn_combo.setCurrentIndex(self.turn_combo.findData(turn))
        start = self.view.conversation.turn_start(turn) if turn is not None else 0.0
        self.review.set_moment(turn, seconds - start)

    # -- export -------------------------------------------------------------------------------------
    def export(self) -> None:
        if self.view is None or not self.export_button.isEnabled():
            return
        suggested = Path.home() / f"rehearse-{self.view.session['scenario_id']}-{self.view.session['id'][:8]}.wav"
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export the conversation", str(suggested), "WAV audio (*.wav)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        from rehearse.app.timeline import write_wav

        conversation = self.view.conversation
        self.window_.status(f"Writing {path}…")
        tasks.run_in_background(
            write_wav,
            path,
            conversation.audio,
            conversation.rate,
            on_done=lambda _r: self._exported(path, conversation.duration),
            on_error=lambda exc: self.window_.status(f"Export failed: {exc}", 15000),
            parent=self,
        )

    def _exported(self, path: Path, seconds: float) -> None:
        self.window_.status(f"Wrote {path} ({seconds:.1f} s)", 10000)
        self.exported.emit(str(path))

    # -- closing ------------------------------------------------------------------------------------
    def _close_player(self) -> None:
        self._timer.stop()
        if self.player is not None:
            player, self.player = self.player, None
            tasks.run_in_background(player.close)

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        if self.player is not None and self.player.playing:
            self.player.pause()
            self._playing_changed()

    def shutdown(self) -> None:
        self._timer.stop()
        if self.player is not None:
            self.player.close()
