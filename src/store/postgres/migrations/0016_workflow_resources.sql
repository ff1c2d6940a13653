-- The Workflow face's LUSID Workflows and event handlers (see the SQLite migration of the same number).
SELECT sb_document_table(t) FROM unnest(ARRAY['wf_workflows', 'wf_event_handlers']) AS t;
CREATE INDEX wf_workflows_account ON wf_workflows (account_sid, seq);
CREATE INDEX wf_event_handlers_account ON wf_event_handlers (account_sid, seq);
