"""Development (pillar 3, beside learning): mentorships with their meeting logs, mentor offers
and requests, and personal development plans with goals, progress updates and comments."""
