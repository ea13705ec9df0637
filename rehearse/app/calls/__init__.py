"""Importing recorded calls: who spoke when, the agent's turns judged as practice judges them, call figures."""
