"""Rendering: templates and their helpers, HTML, PDF, Inline XBRL and the review page."""
