DELETE FROM orders AS o WHERE o.status IS NOT DISTINCT FROM 'manual';
