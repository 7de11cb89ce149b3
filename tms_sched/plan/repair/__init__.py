"""Mending an existing schedule, one module per job.

``state`` holds what a replan works on (the clinic's timeline, the result); ``history``
sorts the existing appointments into those kept and those that must move; ``sameday``
keeps a displaced session on its own day; ``makeups`` books sessions that were missed
or lost their day later in the course; ``assessments`` keeps assessments in their
windows; ``course`` mends one course with these; ``referrals`` plans patients new to
the roster. ``tms_sched.plan.replan`` ties them together.
"""
