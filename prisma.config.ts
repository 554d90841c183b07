import { defineConfig } from 'prisma/config';

// The Prisma CLI is a development tool here (authoring migrations, status checks);
// the worker applies migrations itself (src/db/migrate.ts) and never needs it.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/detractor_sync' },
});
