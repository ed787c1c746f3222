"""Static HTML views of CloudWatch dashboard bodies: plain HTML, CSS and SVG, no script, no network.

Pure renderers only (body + inventory + optional fetched data in, text out); writing files and
calling AWS live in `components/preview/dashboard_files.py` and `components/preview/live.py`.
"""
