"""Live evaluation: page views counted without cookies (intake.py, classify.py), and, built on
them, where applications came from and the funnel to placed."""
