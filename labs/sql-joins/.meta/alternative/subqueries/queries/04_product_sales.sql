SELECT p.id AS product_id, p.name AS product_name, p.category,
       (SELECT coalesce(sum(oi.quantity), 0)
          FROM order_items oi JOIN orders o ON o.id = oi.order_id
         WHERE oi.product_id = p.id AND o.status = 'completed') AS units_sold
FROM products p
ORDER BY units_sold DESC, product_id;
