"""Evidence: annotated snapshots (boxes, labels, zone polygons) written to a store and referenced by URL."""
