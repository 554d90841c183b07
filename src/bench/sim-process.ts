import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../project-root.js';

export interface SimProcess {
  readonly baseUrl: string;
  stop(): Promise<void>;
}

/**
 * The simulator in a process of its own: it holds every ticket in memory, which must
 * not count as the sync's memory (`peak_rss_mb` measures the sync alone).
 */
export async function startSimProcess(env: Record<string, string>): Promise<SimProcess> {
  const child: ChildProcess = spawn(process.execPath, [path.join(PROJECT_ROOT, 'dist', 'src', 'sim', 'main.js')], {
    env: { ...process.env, SIM_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += String(chunk);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { baseUrl: string }).baseUrl);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code} before it was ready`)));
  });
  return {
    baseUrl,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
