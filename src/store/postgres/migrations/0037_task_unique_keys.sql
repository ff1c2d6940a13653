-- Tasks and reservations have no unique key (storeSchema.ts uniqueKey, KEYED_KINDS): their unique_key is always
-- NULL, yet the B-tree of its UNIQUE constraint held an entry for every row, written by every insert. A partial
-- unique index keeps the rule for any key that exists and holds nothing for NULL (as on SQLite).
ALTER TABLE tasks DROP CONSTRAINT tasks_unique_key_key;
CREATE UNIQUE INDEX tasks_unique_key ON tasks (unique_key) WHERE unique_key IS NOT NULL;
ALTER TABLE reservations DROP CONSTRAINT reservations_unique_key_key;
CREATE UNIQUE INDEX reservations_unique_key ON reservations (unique_key) WHERE unique_key IS NOT NULL;
