"""The 1:1 API: series, meetings, agenda entries, notes (private ones only to their author)
and action items, each scoped by `meetings.access`."""
