-- A call's problem (the problem a call opened) is looked up for every call listed: index it, so
-- `aeo calls` and the call pane read the calls they show, not every problem for each of them.
CREATE INDEX problems_call ON problems (call_id) WHERE call_id IS NOT NULL;
