-- Webhook secret rotation: when an endpoint gets a new secret, the old one
-- keeps signing deliveries beside it until previous_until_ms, so that the
-- receiver can switch without losing a delivery (docs/operations.md, "Keys
-- and their rotation"). An empty previous_secret: none.
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE webhook_endpoints ADD COLUMN previous_until_ms INTEGER NOT NULL DEFAULT 0;
