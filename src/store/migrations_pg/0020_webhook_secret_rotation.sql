-- Webhook secret rotation: when an endpoint gets a new secret, the old one
-- keeps signing deliveries beside it until previous_until_ms (see the
-- SQLite twin of this migration). An empty previous_secret: none.
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE webhook_endpoints ADD COLUMN previous_until_ms BIGINT NOT NULL DEFAULT 0;
