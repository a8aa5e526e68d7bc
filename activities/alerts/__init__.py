"""The alert evaluation's side effects: gathering facts, keeping the open
alerts, telling the sinks and the affected workflows."""
