"""The feedback app's writes: feedback and requests (`feedback`), badges and awards
(`badges`). Each validates, saves in a transaction, writes the audit row and schedules its
emails on commit."""
