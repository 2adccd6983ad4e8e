"""Speakers as entities across articles: which statements are by one speaker (pure rules)."""

from worker.speakers.match import abbreviations, article_speakers, speaker_query, speaker_ref
from worker.speakers.names import junk_reason, key, person_name

__all__ = ["abbreviations", "article_speakers", "junk_reason", "key", "person_name", "speaker_query",
           "speaker_ref"]
