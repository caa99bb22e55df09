"""What a cohort did with an exercise: which attempts count, and where the cohort flagged.

The instructor's dashboard builds on these, and so does the trainee's cohort view after the
deadline, which is why they live in the app rather than in ``instructor/``.
"""
