"""What the logbook shows: the Markdown and HTML reports, their charts and figures, the
dashboard's specs, and writing exports safely."""
