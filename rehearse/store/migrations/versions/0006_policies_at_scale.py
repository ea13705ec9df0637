"""Row-level security that stays fast at a team's scale (PostgreSQL only; nothing on SQLite).

Who sees what is unchanged (0004). What changes is how the server checks it: 0004 asked
`rehearse_trains(learner, current_user)` for every session row (a query per row: 350 ms over 10,000 sessions,
in every statement that reads sessions, turns or audio) and made each child table compute the whole set of
visible parents (`turn_id IN (SELECT id FROM turns)`: every visible turn, for one audio row). Now a trainer's
learners are listed once per statement (`rehearse_trainees`), and a turn, its audio, ratings and comments are
each checked against their own parent row by its key (`bench/store_scale.py` measures both).

Revision ID: 0006
Revises: 0005
"""

from alembic import op
from sqlalchemy import text

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

LEARNERS, TRAINERS = "rehearse_learner", "rehearse_trainer"
BOTH = f"{LEARNERS}, {TRAINERS}"
TRAINEES = "learner IN (SELECT rehearse_trainees(current_user))"
SESSION_OF_ROW = "EXISTS (SELECT 1 FROM sessions s WHERE s.id = session_id)"
TURN_OF_ROW = "EXISTS (SELECT 1 FROM turns t WHERE t.id = turn_id)"

POLICIES = {  # (table, name): (USING, WITH CHECK) now, and as 0004 made them
    ("sessions", "team"): ((TRAINEES, None), ("rehearse_trains(learner, current_user)", None)),
    ("turns", "own"): ((SESSION_OF_ROW, SESSION_OF_ROW), ("session_id IN (SELECT id FROM sessions)",) * 2),
    ("turns", "team"): ((SESSION_OF_ROW, None), ("session_id IN (SELECT id FROM sessions)", None)),
    ("turn_audio", "own"): ((TURN_OF_ROW, TURN_OF_ROW), ("turn_id IN (SELECT id FROM turns)",) * 2),
    ("turn_audio", "team"): ((TURN_OF_ROW, None), ("turn_id IN (SELECT id FROM turns)", None)),
    ("ratings", "visible"): ((TURN_OF_ROW, None), ("turn_id IN (SELECT id FROM turns)", None)),
    ("comments", "visible"): ((TURN_OF_ROW, None), ("turn_id IN (SELECT id FROM turns)", None)),
    ("ratings", "trainer"): (
        (None, f"author = current_user AND {TURN_OF_ROW}"),
        (None, "author = current_user AND turn_id IN (SELECT id FROM turns)"),
    ),
    ("comments", "trainer"): (
        (None, f"author = current_user AND {TURN_OF_ROW}"),
        (None, "author = current_user AND turn_id IN (SELECT id FROM turns)"),
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = op.get_bind().execute(text("SELECT quote_ident(current_schema())")).scalar()
    # read as the people table's owner (a policy reading people would recurse into people's own policy)
    op.execute(f"""
        CREATE FUNCTION rehearse_trainees(login name) RETURNS SETOF text
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, {schema} AS $$
            SELECT member.name FROM people trainer JOIN people member ON member.team = trainer.team
            WHERE trainer.name = login AND trainer.role = 'trainer'
        $$""")
    op.execute("REVOKE ALL ON FUNCTION rehearse_trainees(name) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION rehearse_trainees(name) TO {BOTH}")
    for (table, name), (now, _before) in POLICIES.items():
        _alter(table, name, *now)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for (table, name), (_now, before) in POLICIES.items():
        _alter(table, name, *before)
    op.execute("DROP FUNCTION rehearse_trainees(name)")


def _alter(table: str, name: str, using: str | None, check: str | None) -> None:
    op.execute(
        f"ALTER POLICY {name} ON {table}"
        + (f" USING ({using})" if using else "")
        + (f" WITH CHECK ({check})" if check else "")
    )
