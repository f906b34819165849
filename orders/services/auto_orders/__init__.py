"""Auto orders: creation at placement (creation.py), schedules, the rebill sweep (rebill.py),
staff actions (actions.py) and the Postpone tool's per-order step (postpone.py).

Modules are imported by path, not re-exported here: placement imports creation, and rebill
imports placement, so this package's __init__ stays empty of imports to avoid a cycle.
"""
