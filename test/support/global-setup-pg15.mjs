// Global setup of the "db-pg15" project: PostgreSQL 15 (see global-setup.mjs), started
// only when a test of that project runs.
import { useServer } from './global-setup.mjs';

export default async function globalSetupPg15() {
  await useServer('pg15');
}
