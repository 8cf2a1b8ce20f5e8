-- Requirements get an English title beside the Swedish one (courses have had title_en from the
-- start): the English UI shows it with lang="en", and falls back to the Swedish title when empty.
ALTER TABLE requirement ADD COLUMN title_en TEXT;
