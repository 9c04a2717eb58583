"""`valuenet export`: the analysed years of a warehouse as one file for Gephi (GEXF 1.3) or GraphML.

frames.py builds what is written as Spark DataFrames (one row per node, one row per edge, each
with its per-year values gathered and sorted); gexf.py and graphml.py write those rows one at a
time as they arrive from toLocalIterator(), so the driver never holds a whole graph.
"""
