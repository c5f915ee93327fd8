urlpatterns: list = []

# --- scenarios (scenario-library page, reply-assist partials) ---

# --- banned words (banned-words page) ---
