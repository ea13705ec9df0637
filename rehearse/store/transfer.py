"""Moving sessions between stores (a rep's SQLite file and a team's PostgreSQL server) as one ZIP file.

The archive holds `manifest.json` (format, version, the sessions, a SHA-256 of every other member), and per
session `sessions/<id>/session.json` (the session row, the scenario file it was played with, every take of
every turn with its verdict and branch, trainer ratings and comments) and the turns' FLAC audio. Sessions
keep their ids: importing an archive twice adds nothing the second time. An archive is read and checked
whole (checksums, JSON, audio that decodes) before anything is written, and a store's rows go in one
transaction, so a damaged file is refused with nothing half-imported.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import soundfile as sf
from sqlalchemy import Text, insert, select, type_coerce

from rehearse import __version__
from rehearse.privacy import private_folder, write_private
from rehearse.store.db import insert_if_absent
from rehearse.store.errors import StoreError
from rehearse.store.schema import comments, ratings, scenario_versions, sessions, turn_audio, turns

FORMAT, VERSION = "rehearse-sessions", 1
TRACKS = ("customer", "learner")
_TURN_FIELDS = (
    *("index", "take", "active", "node_id", "customer_line", "customer_mood", "transcript", "feedback", "step"),
    *("next_line", "outcome", "created_at"),
)
_REVIEW_FIELDS = {
    "ratings": ("author", "dimension", "score", "created_at"),
    "comments": ("author", "at_seconds", "text", "created_at"),
}


@dataclass(frozen=True)
class Imported:
    added: tuple[str, ...]
    """Sessions written to the store."""
    present: tuple[str, ...]
    """Sessions the store already had (imported before): left as they are."""


def export_sessions(store, session_ids: list[str], out: Path) -> int:
    """Write the sessions (full ids) with their audio and reviews to the ZIP `out`; returns its size in bytes."""
    members: dict[str, bytes] = {}
    for session_id in session_ids:
        for name, data in _session_members(store, session_id).items():
            members[f"sessions/{session_id}/{name}"] = data
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "rehearse": __version__,
        "created_at": datetime.now(UTC).isoformat(),
        "sessions": list(session_ids),
        "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=1), zipfile.ZIP_DEFLATED)
        for name, data in members.items():
            archive.writestr(name, data, zipfile.ZIP_STORED if name.endswith(".flac") else zipfile.ZIP_DEFLATED)
    try:
        write_private(out, buffer.getvalue())
    except OSError as exc:
        raise StoreError(f"cannot write {out}: {exc.strerror or exc}; nothing was written") from exc
    return len(buffer.getvalue())


def _session_members(store, session_id: str) -> dict[str, bytes]:
    session = store.session(session_id)
    if session is None:
        raise StoreError(f"no saved session has the id {session_id}")
    record = {k: _plain(v) for k, v in session.items()}
    record["scenario_text"] = store.scenario_text(session_id)
    members: dict[str, bytes] = {}
    record["turns"] = []
    query = select(*_as_text(turns)).where(turns.c.session_id == session_id).order_by(turns.c.index, turns.c.id)
    for row in store._read(query):
        turn = {
            field: _plain(_parsed(row[field]) if field in ("feedback", "step") else row[field])
            for field in _TURN_FIELDS
        }
        turn["feedback"] = turn["feedback"] or {}
        turn["take"] = turn["take"] or 1
        turn["active"] = True if turn["active"] is None else bool(turn["active"])
        turn["audio"] = {}
        for track in TRACKS:
            data = _flac(store, row, track)
            if data is not None:
                name = f"turn-{turn['index']:02d}-take{turn['take']}-{track}.flac"
                members[name], turn["audio"][track] = data, name
        for kind, table in (("ratings", ratings), ("comments", comments)):
            rows = store._read(select(table).where(table.c.turn_id == row["id"]).order_by(table.c.id))
            turn[kind] = [{f: _plain(r[f]) for f in _REVIEW_FIELDS[kind]} for r in rows]
        record["turns"].append(turn)
    members["session.json"] = json.dumps(record, indent=1).encode()
    return members


def _flac(store, row: dict, track: str) -> bytes | None:
    """A track's FLAC bytes: its file on this machine, else the server database's copy."""
    path = row.get(f"{track}_audio")
    if path and Path(path).is_file():
        return Path(path).read_bytes()
    if store.audio_in_database:
        query = select(turn_audio.c.flac).where(turn_audio.c.turn_id == row["id"], turn_audio.c.track == track)
        found = store._read(query)
        return bytes(found[0]["flac"]) if found else None
    return None


def import_sessions(store, archive_path: Path) -> Imported:
    """Add the archive's sessions that `store` does not have yet; all of them or, on any error, none."""
    records, audio = read_archive(archive_path)
    known = {r["id"] for r in store._read(select(sessions.c.id).where(sessions.c.id.in_(list(records))))}
    new = [sid for sid in records if sid not in known]
    written: list[Path] = []
    try:
        for sid in new:
            for turn in records[sid]["turns"]:
                for track, name in turn["audio"].items():
                    path = store.audio_path(sid, turn["index"], track, turn["take"])
                    private_folder(path.parent)
                    written.append(write_private(path, audio[sid][name]))
        with store._transaction() as conn:
            for sid in new:
                _insert_session(store, conn, records[sid], audio[sid])
    except OSError as exc:
        _remove(written)
        raise StoreError(f"cannot write the imported audio: {exc.strerror or exc}; nothing was imported") from exc
    except BaseException:
        _remove(written)
        raise
    return Imported(tuple(new), tuple(sid for sid in records if sid in known))


def _insert_session(store, conn, record: dict, audio: dict[str, bytes]) -> None:
    sid = record["id"]
    version = record.get("scenario_version")
    if version and record.get("scenario_text") is not None:
        conn.execute(
            insert_if_absent(conn.dialect.name, scenario_versions).values(
                hash=version,
                scenario_id=record["scenario_id"],
                content=record["scenario_text"],
                created_at=_time(record["started_at"]),
            )
        )
    else:
        version = None
    row = {c.name: record.get(c.name) for c in sessions.columns if not c.name.startswith("mean_")}  # kept by turns
    row.update(
        started_at=_time(record["started_at"]),
        ended_at=_time(record.get("ended_at")),
        scenario_version=version,
    )
    conn.execute(insert(sessions).values(**row))
    for turn in record["turns"]:
        values = {f: turn[f] for f in _TURN_FIELDS}
        values["created_at"] = _time(values["created_at"])
        paths = {t: str(store.audio_path(sid, turn["index"], t, turn["take"])) for t in turn["audio"]}
        flac = {t: audio[name] for t, name in turn["audio"].items()} if store.audio_in_database else {}
        turn_id = store._insert_turn(conn, paths, flac, session_id=sid, **values)
        for kind, table in (("ratings", ratings), ("comments", comments)):
            for review in turn[kind]:
                conn.execute(
                    insert(table).values({**review, "turn_id": turn_id, "created_at": _time(review["created_at"])})
                )


def read_archive(path: Path) -> tuple[dict[str, dict], dict[str, dict[str, bytes]]]:
    """The sessions (by id) and their audio (by member name) of an export, checked whole; `StoreError`
    naming the file and the damage otherwise."""

    def damaged(why: str) -> StoreError:
        return StoreError(
            f"{path} is not a readable Rehearse session export ({why}); nothing was imported: export the "
            f"sessions again with `rehearse export`"
        )

    try:
        with zipfile.ZipFile(path) as archive:
            contents = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
    except FileNotFoundError:
        raise StoreError(f"{path} does not exist; give the .zip that `rehearse export` wrote") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise damaged(f"the ZIP is damaged or not a ZIP: {exc}") from exc
    try:
        manifest = json.loads(contents.pop("manifest.json"))
    except KeyError:
        raise damaged("it has no manifest.json") from None
    except ValueError as exc:
        raise damaged(f"manifest.json is not JSON: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise damaged("manifest.json does not describe Rehearse sessions")
    if manifest.get("version") != VERSION:
        raise damaged(f"it is format version {manifest.get('version')}; this Rehearse reads version {VERSION}")
    sums = manifest.get("sha256") or {}
    if set(sums) != set(contents):
        missing, extra = sorted(set(sums) - set(contents)), sorted(set(contents) - set(sums))
        raise damaged(f"members missing {missing[:3]} or unexpected {extra[:3]}")
    for name, data in contents.items():
        if hashlib.sha256(data).hexdigest() != sums[name]:
            raise damaged(f"{name} does not match its checksum")
    records, audio = {}, {}
    for sid in manifest.get("sessions") or []:
        prefix = f"sessions/{sid}/"
        try:
            record = json.loads(contents[prefix + "session.json"])
            assert record["id"] == sid and isinstance(record["turns"], list)
            names = {name for turn in record["turns"] for name in turn["audio"].values()}
            audio[sid] = {name: contents[prefix + name] for name in names}
        except (KeyError, ValueError, TypeError, AssertionError) as exc:
            raise damaged(f"session {sid} is incomplete ({type(exc).__name__}: {exc})") from exc
        for name, data in audio[sid].items():
            try:
                sf.info(io.BytesIO(data))
            except (sf.LibsndfileError, RuntimeError) as exc:
                raise damaged(f"{prefix + name} is not readable audio") from exc
        records[sid] = record
    return records, audio


def _as_text(table):
    return [type_coerce(c, Text).label(c.name) if c.name in ("feedback", "step") else c for c in table.columns]


def _parsed(value):
    if value is None or isinstance(value, dict | list):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return None


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _time(value) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
