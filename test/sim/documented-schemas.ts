import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvModule, { type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// The schemas QuestionPro published for the endpoint, kept verbatim as fixtures in the
// repository (test/fixtures/questionpro/README.md says where they come from), so the
// simulator is checked against what the vendor published, not against our reading of it.
const FIXTURES = new URL('../fixtures/questionpro/', import.meta.url);

// ajv and ajv-formats are CommonJS with a `default` property; under NodeNext the
// default import is the whole module object, so the class sits on `.default`.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;
const draft06 = createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-06.json') as object;

type JsonSchema = Record<string, unknown> & { properties: Record<string, unknown> };

function fixture(name: string): JsonSchema {
  const schema = JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as JsonSchema;
  // The published `$schema` values end in spaces, which no validator recognises.
  schema.$schema = String(schema.$schema).trim();
  return schema;
}

/**
 * The documented schemas, with the departures that real responses force, each
 * explained where it is made. Everything else is as published.
 */
export function documentedValidators(): { success: ValidateFunction; error: ValidateFunction } {
  const success = fixture('detractors-success.schema.json');
  const error = fixture('error.schema.json');

  // Top-level additionalProperties is false, yet the documented example and every real
  // response carry `requestID` (support asks for it): the schema omits it by mistake.
  success.properties.requestID = { type: 'string' };
  error.properties.requestID = { type: 'string' };

  // `format: email` rejects "", but respondents may leave their email out (anonymous
  // surveys): a consumer must accept the empty string, so the simulator sends it.
  const item = (success.properties.response as { items: JsonSchema }).items;
  item.properties.emailAddress = { anyOf: [{ const: '' }, item.properties.emailAddress] };

  const ajv = new Ajv({ allErrors: true, strict: true });
  ajv.addMetaSchema(draft06);
  addFormats(ajv);
  return { success: ajv.compile(success), error: ajv.compile(error) };
}
