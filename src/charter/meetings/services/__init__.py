"""Writes of the 1:1s: `series` (series, cadences, generating meetings), `meetings` (skip,
move, held), `agenda` (building and editing agendas), `notes` (notes and action items)."""
