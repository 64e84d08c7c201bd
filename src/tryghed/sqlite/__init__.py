"""Django's SQLite backend with a steadier wait for the write lock (see ``base``)."""
