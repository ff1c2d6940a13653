-- A commit group is sent as one pipelined batch (BEGIN, its statements, the fence, COMMIT) without waiting
-- for each answer, so a conditional update must fail inside the database when it changed nothing: the rest of
-- the batch then fails with it and COMMIT rolls back. sb_check_write raises SB409 (a lost race: the row changed
-- since this node read it) or SB404 (a row that had to be there is gone).
CREATE FUNCTION sb_check_write(updated bigint, present boolean, mode text, what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF updated = 1 THEN
    RETURN;
  ELSIF present THEN
    RAISE EXCEPTION 'conditional write refused: % changed since it was read', what USING ERRCODE = 'SB409';
  ELSIF mode = 'updated' THEN
    RAISE EXCEPTION 'update of a missing row: %', what USING ERRCODE = 'SB404';
  END IF;
END $$;
