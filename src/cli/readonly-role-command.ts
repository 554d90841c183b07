import { grantReadonlyRole } from '../app/readonly-role.js';
import { loadRoleConfig } from '../config/command-configs.js';
import { defineCommand } from './command.js';
import { plainExitCodes } from './exit-codes.js';

/**
 * `npm run db:readonly-role -- [--role detractor_reader] [--no-pii] [--print]`: creates
 * or refreshes the read-only role for BI tools (see app/readonly-role.ts).
 */
export const readonlyRoleCommand = defineCommand({
  name: 'readonly-role',
  summary: 'create or refresh the read-only role for BI tools (npm run db:readonly-role)',
  about:
    "Creates or refreshes a read-only login role in DATABASE_URL's database (run it as the tables' owner),\n" +
    'with the password READONLY_ROLE_PASSWORD. Idempotent: run it again after an upgrade to refresh the grants.',
  options: {
    role: { type: 'string', default: 'detractor_reader' },
    'no-pii': { type: 'boolean' },
    print: { type: 'boolean' },
  },
  optionHelp: {
    role: { value: 'NAME', text: 'the role to create or refresh (default detractor_reader)' },
    'no-pii': { text: 'grant only the relations without personal data' },
    print: { text: 'print the SQL (password masked) for a DBA instead of running it' },
  },
  exitCodes: plainExitCodes('the database refused (unreachable, not the owner)'),
  run: async (values) => {
    console.log(
      await grantReadonlyRole(loadRoleConfig(), {
        role: values.role,
        noPii: values['no-pii'] === true,
        print: values.print === true,
      }),
    );
    return 0;
  },
});
