"""Database backends: Django's own, with the few changes Zhili needs (see each module)."""
