CREATE FUNCTION search_articles(q text)
RETURNS TABLE (id integer, title text, rank real)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    wanted tsquery := websearch_to_tsquery('pg_catalog.english'::regconfig, q);
BEGIN
    RETURN QUERY
        SELECT a.id, a.title, ts_rank(a.search, wanted)
        FROM articles AS a
        WHERE wanted @@ a.search
        ORDER BY 3 DESC, 1
        LIMIT 10;
END
$$;
