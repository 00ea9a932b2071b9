"""A plugin whose import fails, as one with a missing dependency would."""
raise ImportError("the fixture's required package 'not-installed' is missing")
