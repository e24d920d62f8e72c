"""Pages of the expectations app, by sub-domain: reading, editing, signing, questions, values."""
