CREATE FUNCTION suggest_titles(q text)
RETURNS TABLE (id integer, title text)
LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN QUERY
        SELECT a.id, a.title
        FROM articles AS a
        WHERE similarity(a.title, q) > 0.3
        ORDER BY similarity(a.title, q) DESC, a.id
        LIMIT 5;
END
$$;
