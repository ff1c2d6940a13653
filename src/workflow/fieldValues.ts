// Typed task fields: a value sent by a client is checked against its definition's type and constraints and
// stored in one canonical form (Decimal as a number, DateTime as an ISO-8601 UTC string, Boolean as a boolean),
// so comparisons in guards and filters behave the same whatever form the client used.
import type { FieldDefinition, FieldType, FieldValue } from '../core/workflowEntities.ts';
import { isoInstant } from './filter/filterValues.ts';

/** The canonical value, or a message saying why the value does not fit the type. */
export function coerceValue(type: FieldType, value: unknown): { value: FieldValue } | { error: string } {
  switch (type) {
    case 'String':
      return typeof value === 'string' ? { value } : { error: 'must be a string' };
    case 'Decimal': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value.trim()) ? Number(value) : NaN;
      return Number.isFinite(n) ? { value: n } : { error: 'must be a decimal number' };
    }
    case 'DateTime': {
      const ms = typeof value === 'string' ? isoInstant(value) : undefined;
      return ms === undefined ? { error: 'must be an ISO-8601 date-time' } : { value: new Date(ms).toISOString() };
    }
    case 'Boolean':
      if (typeof value === 'boolean') return { value };
      if (value === 'true' || value === 'false') return { value: value === 'true' };
      return { error: 'must be a boolean' };
  }
}

/** Whether the field may not be changed while the task is in `state`. */
export function isReadOnly(field: FieldDefinition, state: string, initialState: string, terminal: boolean): boolean {
  const ro = field.readOnlyStates;
  if (!ro) return false;
  switch (ro.stateType) {
    case 'AllStates':
      return true;
    case 'InitialState':
      return state === initialState;
    case 'TerminalState':
      return terminal;
    case 'SelectedStates':
      return (ro.selectedStates ?? []).includes(state);
  }
}

/** A Validated constraint's check (Suggested values are advice for clients, not enforced). */
export function violatesConstraint(field: FieldDefinition, value: FieldValue): boolean {
  const c = field.valueConstraints;
  return c?.constraintType === 'Validated' && !c.acceptableValues.some((v) => v === value);
}
