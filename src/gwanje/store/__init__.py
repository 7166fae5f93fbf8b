"""Database, media files and retention."""
