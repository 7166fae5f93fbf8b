"""Fine-tuning of the NanoDet-g person detector so that it also finds people lying, sitting and fallen."""
