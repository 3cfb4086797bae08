"""Apache Spark: the local standalone cluster (cluster.py) and the marts read back through
its Thrift endpoint (thrift.py)."""
