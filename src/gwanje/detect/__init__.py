"""Models and their pre/post-processing: everything that turns pixels into Detections."""
