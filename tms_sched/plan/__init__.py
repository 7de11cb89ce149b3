"""The planner: capacity timeline, course builder, and the planning run."""
