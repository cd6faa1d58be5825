"""Reading pages: list pages into items, article pages into dates (interface; see listing.py, article.py)."""
