"""Trainer review: who is reviewing, ratings and comments in replay, a learner's progress, calibration."""
