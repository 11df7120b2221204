"""Live evaluation: page views counted without cookies (intake.py, classify.py); where
applications came from (sources.py); the daily rollups kept current (rollup.py); the report for
a council or the region, from the rollups (report.py), its charts (charts.py) and its files
(report_files.py); and the thank-you page's one question (ratings.py)."""
