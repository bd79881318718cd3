"""Measure pages, by page group: measures (create, edit, detail, chart choice), data (grid, upload), drawings
(chart images, data CSV) and notes (new periods, annotations). Thin views: permissions decide, services write."""
