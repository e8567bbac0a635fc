-- (wrong) ILIKE finds exact substrings only: one typo and nothing is suggested
CREATE FUNCTION suggest_titles(q text)
RETURNS TABLE (id integer, title text)
LANGUAGE sql STABLE
AS $$
    SELECT a.id, a.title
    FROM articles AS a
    WHERE a.title ILIKE '%' || q || '%'
    ORDER BY a.id
    LIMIT 5
$$;
