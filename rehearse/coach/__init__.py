"""Judging a reply: wording, pace and prosody, fused into scores and a verdict."""
