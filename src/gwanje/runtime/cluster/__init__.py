"""Cluster mode: cameras as Ray actors on worker nodes, supervised from the head (see docs/cluster.md).

Only ``supervisor`` imports Ray; the service imports it when started with ``--cluster``, so single-machine
mode never loads Ray.
"""
