"""Session storage: the checkpointer (a session's content) and the session index (the list of sessions)."""
