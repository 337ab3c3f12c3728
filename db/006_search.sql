-- Version 6: full-text search with SQLite's FTS5 over lightly stemmed words (src/text/stem.ts), ranked by bm25.
-- Contentless: it keeps only the index (the text shown comes from articles); rowid = articles.id. The store writes
-- an article's terms with the article. Stemming is code, not SQL, so this migration cannot fill the index: it
-- records version 0, and the store (re)indexes every article when it opens a database whose index version is not
-- the stemmer's (STEMMER_VERSION), which also rebuilds it whenever the stemmer changes.
CREATE VIRTUAL TABLE article_terms USING fts5(terms, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0');

CREATE TRIGGER article_terms_delete AFTER DELETE ON articles BEGIN
  DELETE FROM article_terms WHERE rowid = old.id;
END;

CREATE TABLE search_index (version INTEGER NOT NULL);
INSERT INTO search_index (version) VALUES (0);
