// Temporary folders named `<prefix><pid>-XXXXXX` belong to one process; a process killed with kill -9
// never removes its own, so the next one removes those whose process is gone. Node only.

/** Removes folders `<prefix><pid>-*` in the OS temp folder whose pid no longer runs; returns their paths. */
export async function removeStaleTempDirs(prefix: string, tmpDir?: string): Promise<string[]> {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const root = tmpDir ?? os.tmpdir();
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)-/.exec(name.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    fs.rmSync(path.join(root, name), { recursive: true, force: true });
    removed.push(path.join(root, name));
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
