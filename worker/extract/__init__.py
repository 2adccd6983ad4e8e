"""Article extraction: page HTML -> clean article text and metadata."""

from worker.extract.article import EXTRACTOR_VERSION, Extracted, extract_article
from worker.extract.language import detect_language

__all__ = ["EXTRACTOR_VERSION", "Extracted", "detect_language", "extract_article"]
