"""Apply a rewrite plan to copies of an application's files (templates, definitions, sources)."""
