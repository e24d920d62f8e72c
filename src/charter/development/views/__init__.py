"""Pages of the development app: `mentorships` (offers, requests, pairing, a mentorship and its
meeting log, the overview) and `plans` (plans, goals, progress and comments)."""
