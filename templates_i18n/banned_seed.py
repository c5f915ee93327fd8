"""The banned words of seed 000 (R19) with their suggested replacements and match modes."""

SEED = (
    # term, language, suggestion, match
    ("epidemic", "en", "outbreak", "word"),
    ("disaster", "en", "difficulty", "word"),
    ("pandemic", "en", "outbreak", "word"),
    ("horrible", "en", "unfortunate", "word"),
    ("terrible", "en", "difficult", "word"),
    ("эпидемия", "ru", "вспышка", "stem"),
    ("катастрофа", "ru", "трудность", "stem"),
    ("пандемия", "ru", "вспышка", "stem"),
    ("ужасный", "ru", "сложный", "stem"),
)
