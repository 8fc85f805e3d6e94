-- Whether posts approved by the agency go to the client before they can be scheduled.
ALTER TABLE workspaces ADD COLUMN client_approval BIGINT NOT NULL DEFAULT 0;
