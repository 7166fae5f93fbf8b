"""One router per resource; ``gwanje.api.app.create_app`` mounts them all."""
