"""Import Actual Costs: read a cost file, preview its changes, apply them as a job, undo them."""
