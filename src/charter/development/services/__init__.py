"""Writes of the development app: `mentorships` (offers, requests, pairing, status and the
meeting log) and `plans` (plans, goals, progress updates and comments)."""
