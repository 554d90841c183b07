import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import AjvModule, { type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// The schemas are read out of the vendor's page at test time, so the simulator is
// checked against what QuestionPro published, not against our reading of it.
const DOC_PATH = fileURLToPath(new URL('../../../shared/questionpro/detractor-tickets-api.txt', import.meta.url));

// ajv and ajv-formats are CommonJS with a `default` property; under NodeNext the
// default import is the whole module object, so the class sits on `.default`.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;
const draft06 = createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-06.json') as object;

type JsonSchema = Record<string, unknown> & { properties: Record<string, unknown> };

/** The JSON schemas printed after "Responses", in order: success, then 400, 401, 403, 404, 500. */
function documentedSchemas(): JsonSchema[] {
  const doc = readFileSync(DOC_PATH, 'utf8');
  const schemas: JsonSchema[] = [];
  let from = doc.indexOf('Responses');
  for (;;) {
    const marker = doc.indexOf('Schema', from);
    if (marker < 0) break;
    const start = doc.indexOf('{', marker);
    const end = matchingBrace(doc, start);
    const schema = JSON.parse(doc.slice(start, end + 1)) as JsonSchema;
    // The doc's `$schema` values end in spaces, which no validator recognises.
    schema.$schema = String(schema.$schema).trim();
    schemas.push(schema);
    from = end;
  }
  return schemas;
}

function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  throw new Error(`unbalanced schema starting at offset ${start} of ${DOC_PATH}`);
}

/**
 * The documented schemas, with the departures that real responses force, each
 * explained where it is made. Everything else is as published.
 */
export function documentedValidators(): { success: ValidateFunction; error: ValidateFunction } {
  const [success, error] = documentedSchemas();
  if (!success || !error) throw new Error(`expected a success and an error schema in ${DOC_PATH}`);

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
