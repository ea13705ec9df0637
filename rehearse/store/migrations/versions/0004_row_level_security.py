"""Who sees what on PostgreSQL, enforced by the server: grants and row-level security (nothing on SQLite).

Each person is a login role (`people.name`) in the group `rehearse_learner` or `rehearse_trainer`
(`rehearse team add-learner/add-trainer`). A learner sees and changes only their own sessions, turns and
audio, and reads the reviews of them; a trainer reads every session of their team and adds ratings and
comments in their own name, and changes nothing else. The role that runs the migrations keeps every row.

Revision ID: 0004
Revises: 0003
"""

from alembic import op
from sqlalchemy import text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

LEARNERS, TRAINERS = "rehearse_learner", "rehearse_trainer"
BOTH = f"{LEARNERS}, {TRAINERS}"

GRANTS = [
    f"GRANT SELECT ON meta, alembic_version, people TO {BOTH}",
    f"GRANT SELECT, INSERT ON scenario_versions TO {BOTH}",
    f"GRANT SELECT, INSERT, UPDATE, DELETE ON sessions, turns, turn_audio TO {LEARNERS}",
    f"GRANT SELECT ON sessions, turns, turn_audio TO {TRAINERS}",
    f"GRANT SELECT ON ratings, comments TO {LEARNERS}",
    f"GRANT SELECT, INSERT ON ratings, comments TO {TRAINERS}",
    f"GRANT USAGE ON SEQUENCE turns_id_seq TO {LEARNERS}",
    f"GRANT USAGE ON SEQUENCE ratings_id_seq, comments_id_seq TO {TRAINERS}",
]

SESSION_VISIBLE = "session_id IN (SELECT id FROM sessions)"  # as the sessions policies filter them
TURN_VISIBLE = "turn_id IN (SELECT id FROM turns)"

POLICIES = {  # table: [(name, command, roles, USING, WITH CHECK)]
    "people": [("visible", "SELECT", BOTH, "name = current_user OR rehearse_trains(name, current_user)", None)],
    "sessions": [
        ("own", "ALL", LEARNERS, "learner = current_user", "learner = current_user"),
        ("team", "SELECT", TRAINERS, "rehearse_trains(learner, current_user)", None),
    ],
    "turns": [
        ("own", "ALL", LEARNERS, SESSION_VISIBLE, SESSION_VISIBLE),
        ("team", "SELECT", TRAINERS, SESSION_VISIBLE, None),
    ],
    "turn_audio": [
        ("own", "ALL", LEARNERS, TURN_VISIBLE, TURN_VISIBLE),
        ("team", "SELECT", TRAINERS, TURN_VISIBLE, None),
    ],
    "ratings": [
        ("visible", "SELECT", BOTH, TURN_VISIBLE, None),
        ("trainer", "INSERT", TRAINERS, None, f"author = current_user AND {TURN_VISIBLE}"),
    ],
    "comments": [
        ("visible", "SELECT", BOTH, TURN_VISIBLE, None),
        ("trainer", "INSERT", TRAINERS, None, f"author = current_user AND {TURN_VISIBLE}"),
    ],
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = op.get_bind().execute(text("SELECT quote_ident(current_schema())")).scalar()
    for group in (LEARNERS, TRAINERS):  # roles belong to the server: another database may have made them
        op.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{group}') "
            f"THEN CREATE ROLE {group} NOLOGIN; END IF; END $$"
        )
    # the policies' one look at the people table, run as its owner (a policy on people reading people
    # would recurse); `login` is the caller's current_user, which a SECURITY DEFINER body cannot see
    op.execute(f"""
        CREATE FUNCTION rehearse_trains(learner text, login name) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, {schema} AS $$
            SELECT EXISTS (SELECT 1 FROM people trainer JOIN people member ON member.team = trainer.team
                           WHERE trainer.name = login AND trainer.role = 'trainer' AND member.name = learner)
        $$""")
    op.execute("REVOKE ALL ON FUNCTION rehearse_trains(text, name) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION rehearse_trains(text, name) TO {BOTH}")
    for grant in GRANTS:
        op.execute(grant)
    for table, policies in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY owner ON {table} TO CURRENT_USER USING (true) WITH CHECK (true)")
        for name, command, roles, using, check in policies:
            op.execute(
                f"CREATE POLICY {name} ON {table} FOR {command} TO {roles}"
                + (f" USING ({using})" if using else "")
                + (f" WITH CHECK ({check})" if check else "")
            )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, policies in POLICIES.items():
        for name in ["owner", *(p[0] for p in policies)]:
            op.execute(f"DROP POLICY {name} ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for grant in GRANTS:
        op.execute(grant.replace("GRANT", "REVOKE", 1).replace(" TO ", " FROM "))
    op.execute("DROP FUNCTION rehearse_trains(text, name)")
