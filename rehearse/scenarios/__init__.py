"""The conversations: scenario files, their validation, and the branching engine (no app imports)."""
