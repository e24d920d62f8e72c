"""Charter: turns a sales manager's expectations into an accountable sales team."""
