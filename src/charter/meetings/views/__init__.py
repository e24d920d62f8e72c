"""Pages of the 1:1s: `series` (the overview, starting and re-pacing series, the invitation
file, my action items) and `meeting` (one meeting: its agenda, notes and action items)."""
