-- 012_open311.sql created requests_updated when it was first committed on its branch; 015_report_rollups.sql
-- creates the same index and came first to main, so 012 stopped creating it. A database migrated at one of
-- those early commits still has the index 015 is about to create: hand it over by dropping it, unless 015
-- has already run (then the index is 015's own and stays).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM schema_migrations WHERE name = '015_report_rollups.sql') THEN
    DROP INDEX IF EXISTS requests_updated;
  END IF;
END $$;
