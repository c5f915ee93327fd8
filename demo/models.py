"""Demo data keeps no tables of its own; it sits on top of every app and fills theirs."""
