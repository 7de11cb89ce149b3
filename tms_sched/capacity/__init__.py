"""Capacity: what the clinic needs to keep waits short.

A simulation of future referrals booked week by week with the planner, for today's
clinic and for variants of it (one more chair, one more staff member, an hour more a
day, open on holidays), and the earliest start a new patient could get today.
"""
