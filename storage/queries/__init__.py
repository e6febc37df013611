"""Read models: the SQL behind screens and reports (Home, digests, the personal-data export).

Plain functions and query objects over a session, returning rows; each screen reads in a fixed number of
queries whatever the cohort size (bench/home.py and bench/digest.py measure them).
"""
