"""The cohort's progress between two exercises it was set: the view, its chart and its exports."""
