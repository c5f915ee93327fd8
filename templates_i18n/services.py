"""Writes for the scenario library and the banned-word list."""

# --- scenarios ---

# --- banned words ---
