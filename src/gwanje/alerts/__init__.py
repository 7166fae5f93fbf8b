"""Alert channels (webhook, MQTT) behind a durable outbox."""
