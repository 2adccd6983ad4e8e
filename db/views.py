"""Views for people who query the database with SQL: the joins everyone writes, written once.

The same SQL on SQLite and PostgreSQL. VIEWS is what the views are at head; migration 0009 created
them from a frozen copy of its own, since a migration must keep doing what it did whatever VIEWS
becomes. They are not in db/models.py and Alembic's comparison does not look at views.

A later migration that changes a table these views read (articles, statements, speakers, feeds,
feed_entries) must mind them:
- SQLite: Alembic's batch mode rebuilds a table (create a copy, drop the old one, rename the copy),
  and the rename fails while a view names the dropped table ("error in view statement_details: no
  such table"). Drop the views before the batch and create them after it (after db/search.py's
  `restore_sqlite_objects`, which such a rebuild needs as well), from a frozen copy of the
  definitions in force at that revision (those of the newest migration that created them), not
  from VIEWS, which may select columns that do not exist yet.
- PostgreSQL: a column a view selects cannot be dropped or change type while the view exists: drop
  the views first, recreate them after (adding columns needs nothing).
- Changing what a view selects: edit VIEWS here and add a migration that recreates the views from its
  own frozen copy of the new VIEWS (and, on PostgreSQL, writes the comments of new columns with
  db/comments.py `write_comments`); older migrations keep their copies. tests/test_migrations.py
  checks that a fresh upgrade creates VIEWS, and that 0009's copy equals VIEWS: point that second
  check at the new migration."""

from __future__ import annotations

VIEWS: dict[str, str] = {
    # One row per statement. The first feed of an article is the entry seen first (lowest id), as
    # `worker search` and `worker export` name it.
    "statement_details": """
SELECT s.id AS statement_id, s.article_id, s.speaker, s.speaker_type, s.speaker_id,
       p.name AS speaker_name, p.type AS speaker_entity_type,
       s.role, s.cue, s.kind, s.content, s.confidence,
       a.title AS article_title, a.url AS article_url, a.published_at, a.created_at AS stored_at,
       f.url AS feed_url, f.title AS feed_title
FROM statements s
JOIN articles a ON a.id = s.article_id
LEFT JOIN speakers p ON p.id = s.speaker_id
LEFT JOIN feed_entries e ON e.id = (SELECT min(e1.id) FROM feed_entries e1 WHERE e1.article_id = s.article_id)
LEFT JOIN feeds f ON f.id = e.feed_id""",
    # One row per article and feed that listed it.
    "article_feeds": """
SELECT a.id AS article_id, a.url AS article_url, a.title AS article_title, a.published_at,
       f.id AS feed_id, f.url AS feed_url, f.title AS feed_title, f.category AS feed_category,
       e.guid, e.link, e.first_seen_at
FROM feed_entries e
JOIN articles a ON a.id = e.article_id
JOIN feeds f ON f.id = e.feed_id""",
}

