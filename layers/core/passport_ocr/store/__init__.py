"""Persistence: the `extractions` table in PostgreSQL (psycopg2) and its migrations."""

from .repository import Repository
from .rows import Source, StoredExtraction

__all__ = ["Repository", "Source", "StoredExtraction"]
