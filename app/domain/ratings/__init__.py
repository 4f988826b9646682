"""Ratings as values: the rating and its tag codecs, and the three-way merge with a baseline."""
