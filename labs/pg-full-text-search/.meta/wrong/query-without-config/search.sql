-- (wrong) no configuration: the query uses default_text_search_config, here simple (no stemming)
CREATE FUNCTION search_articles(q text)
RETURNS TABLE (id integer, title text, rank real)
LANGUAGE sql STABLE
AS $$
    SELECT a.id, a.title, ts_rank(a.search, query) AS rank
    FROM articles AS a, websearch_to_tsquery(q) AS query
    WHERE a.search @@ query
    ORDER BY rank DESC, a.id
    LIMIT 10
$$;
