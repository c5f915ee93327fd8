urlpatterns: list = []

# --- scenarios ---

# --- suggestions ---

# --- banned words and text checks ---
