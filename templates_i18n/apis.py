"""Scenario, suggestion, text-check and banned-word APIs."""

# --- scenarios ---

# --- suggestions ---

# --- banned words and text checks ---
