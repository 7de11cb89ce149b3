"""Publishing exports to servers (CalDAV)."""
