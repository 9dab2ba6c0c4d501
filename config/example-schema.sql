-- The shipped example (orders fan-out). Idempotent: run by the apply verticle at every start.
CREATE TABLE IF NOT EXISTS orders (
  order_id   text PRIMARY KEY,
  customer   text NOT NULL,
  sku        text NOT NULL,
  qty        integer NOT NULL,
  amount     numeric(12, 2) NOT NULL,
  event_id   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);

-- No unique constraint on purpose: a double charge is possible in the schema,
-- and it is the gateway's dedupe that prevents it.
CREATE TABLE IF NOT EXISTS payments (
  payment_id bigserial PRIMARY KEY,
  order_id   text NOT NULL,
  amount     numeric(12, 2) NOT NULL,
  event_id   text NOT NULL,
  charged_at timestamptz NOT NULL DEFAULT now()
);

-- Every sku starts with 10000 in stock: sku-1 .. sku-100 are seeded here, any other sku gets
-- 10000 on its first order (see the ledger handler). Each applied order does stock = stock - qty.
CREATE TABLE IF NOT EXISTS inventory (
  sku   text PRIMARY KEY,
  stock integer NOT NULL
);
INSERT INTO inventory(sku, stock)
  SELECT 'sku-' || g, 10000 FROM generate_series(1, 100) AS g
  ON CONFLICT (sku) DO NOTHING;

-- Group 'audit': one row per applied event; seq records the order of application.
CREATE TABLE IF NOT EXISTS audit_log (
  seq             bigserial PRIMARY KEY,
  event_id        text NOT NULL,
  topic           text NOT NULL,
  kafka_partition integer NOT NULL,
  kafka_offset    bigint NOT NULL,
  event_key       text,
  payload         jsonb NOT NULL,
  applied_at      timestamptz NOT NULL DEFAULT now()
);
