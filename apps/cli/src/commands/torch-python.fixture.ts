// Test helpers for the PyTorch twin (tools/pytorch): finding a python3 with torch, running commands as
// child processes without blocking the test runner. Tests that need torch skip, with one line, without it.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root and the twin's folder. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const TWIN_DIR = path.join(REPO_ROOT, 'tools', 'pytorch');

/** A python3 that imports torch and numpy: $LLMFS_PYTHON, Debian's /usr/bin/python3, then PATH's. */
export function findTorchPython(): string | undefined {
  const candidates = [process.env.LLMFS_PYTHON, '/usr/bin/python3', 'python3'];
  for (const py of candidates) {
    if (!py) continue;
    const r = spawnSync(py, ['-c', 'import torch, numpy'], { stdio: 'ignore', timeout: 120_000 });
    if (r.status === 0) return py;
  }
  return undefined;
}

/** The one line a skipped suite prints. */
export function skipLine(what: string): string {
  return `skipping ${what}: no python3 with torch and numpy (apt-get install python3-torch, or pip install torch numpy; LLMFS_PYTHON picks one)`;
}

/** What a finished child process left. */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (asynchronously, so test timeouts still fire); never throws on exit codes. */
export function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A TCP port free right now (for torchrun's --master_port; 29500 may be taken by another run). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * torchrun's flags for N local processes. `--redirects 2 --tee 2`: torch < 2.0 on Python >= 3.11
 * (Debian's python3-torch) fails on the default `--redirects 0 --tee 0`; this changes nothing else.
 */
export async function torchrunArgs(nproc: number): Promise<string[]> {
  const port = await freePort();
  return [
    '-m',
    'torch.distributed.run',
    '--nproc_per_node',
    String(nproc),
    '--master_port',
    String(port),
  ].concat(['--redirects', '2', '--tee', '2']);
}
