"""API of the development app: `mentorships` (offers, requests, mentorships and their meeting
log) and `plans` (plans, goals, progress updates and comments)."""
