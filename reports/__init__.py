"""Reports read the store and write static HTML for people: the weekly report and the notice list."""
