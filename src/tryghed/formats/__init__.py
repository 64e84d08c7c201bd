"""Date formats for the English interface (FORMAT_MODULE_PATH); Danish uses Django's own."""
