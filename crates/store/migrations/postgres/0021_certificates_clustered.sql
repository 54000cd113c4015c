-- The SQLite schema rebuilds `certificates` clustered on its number (WITHOUT ROWID). PostgreSQL keeps rows in a
-- heap whatever the key and reads them by the primary key's index: nothing to change.
SELECT 1;
