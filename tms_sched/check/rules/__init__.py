"""The rules, one function per code, grouped by what they read.

Importing this package registers every rule in ``check.registry``.
"""

from . import authorized, course, identity, occupancy, opening, remap, supervision  # noqa: F401
