import { parseArgs } from 'node:util';
import { grantReadonlyRole } from '../app/readonly-role.js';
import { loadRoleConfig } from '../config/command-configs.js';

/**
 * `npm run db:readonly-role -- [--role detractor_reader] [--no-pii] [--print]`: creates
 * or refreshes the read-only role for BI tools (see app/readonly-role.ts).
 */
export async function readonlyRoleCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string', default: 'detractor_reader' },
      'no-pii': { type: 'boolean' },
      print: { type: 'boolean' },
    },
    strict: true,
  });
  console.log(
    await grantReadonlyRole(loadRoleConfig(), {
      role: values.role,
      noPii: values['no-pii'] === true,
      print: values.print === true,
    }),
  );
  return 0;
}
