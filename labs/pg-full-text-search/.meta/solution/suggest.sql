CREATE FUNCTION suggest_titles(q text)
RETURNS TABLE (id integer, title text)
LANGUAGE sql STABLE
AS $$
    SELECT a.id, a.title
    FROM articles AS a
    WHERE a.title % q
    ORDER BY similarity(a.title, q) DESC, a.id
    LIMIT 5
$$;
