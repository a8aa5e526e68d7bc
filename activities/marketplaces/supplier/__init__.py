"""The dropship supplier portal: its orders by API, webhook, file drop and mail."""
