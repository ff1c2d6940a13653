// Opsflow ids look like SpaceONE's: a prefix and random hex (`task-3f9a…`, `tc-…`, `status-…`).
import { randomBytes } from 'node:crypto';

export const newId = (prefix: string) => `${prefix}-${randomBytes(6).toString('hex')}`;
