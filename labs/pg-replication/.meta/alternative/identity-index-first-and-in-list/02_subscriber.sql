-- Other column order, an extra local column with a default, looser types.
CREATE TABLE orders (
    status      text,
    id          bigint NOT NULL,
    total       numeric,
    placed_at   timestamptz,
    customer_id bigint,
    region      text,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (id)
);
