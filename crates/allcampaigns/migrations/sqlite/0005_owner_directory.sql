-- PostgreSQL only: its directory functions learned to see past row-level security (0005_owner_directory).
-- SQLite has neither, so nothing changes here; the file keeps both folders numbered alike.
SELECT 1;
