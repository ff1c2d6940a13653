// The public TaskRouter OpenAPI document (twilio-oai's twilio_taskrouter_v1.json, MIT), read from the
// devDependency that ships it (`@twilio-alpha/mcp`, under twilio-oai/spec/json/), so the contract and fuzz
// suites run from a plain clone with nothing beside it. Each caller gets its own parsed copy (the contract
// checker adjusts its schemas for ajv).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const packageDir = dirname(createRequire(import.meta.url).resolve('@twilio-alpha/mcp/package.json'));

export const TASKROUTER_SPEC_PATH = join(packageDir, 'twilio-oai/spec/json/twilio_taskrouter_v1.json');

export function loadTaskRouterSpec(): any {
  return JSON.parse(readFileSync(TASKROUTER_SPEC_PATH, 'utf8'));
}
