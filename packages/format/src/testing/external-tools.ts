/** Independent zip readers used by the tests as referees: Info-ZIP `unzip` and Python's `zipfile`. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** `unzip -t`: tests every entry's CRC. Resolves with its output; rejects when unzip reports an error. */
export async function unzipTest(path: string, only: string[] = []): Promise<string> {
  const { stdout } = await run('unzip', ['-t', path, ...only], { maxBuffer: 64 << 20 });
  return stdout;
}

export interface PythonEntry {
  name: string;
  size: number;
  crc: number;
  sha256: string | null;
}

const PYTHON_CHECK = `
import hashlib, json, sys, zipfile
path, read = sys.argv[1], sys.argv[2] == "1"
with zipfile.ZipFile(path) as z:
    bad = z.testzip() if read else None
    if bad is not None:
        print(json.dumps({"bad": bad})); sys.exit(3)
    out = []
    for info in z.infolist():
        digest = None
        if read:
            h = hashlib.sha256()
            with z.open(info) as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            digest = h.hexdigest()
        out.append({"name": info.filename, "size": info.file_size, "crc": info.CRC, "sha256": digest})
    print(json.dumps({"entries": out}))
`;

/** Python's zipfile (what CVAT itself uses): `testzip()` plus reading every entry when `read`. */
export async function pythonZipEntries(path: string, read = true): Promise<PythonEntry[]> {
  const { stdout } = await run('python3', ['-c', PYTHON_CHECK, path, read ? '1' : '0'], {
    maxBuffer: 256 << 20,
  });
  return (JSON.parse(stdout) as { entries: PythonEntry[] }).entries;
}

const PYTHON_JSON = `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    out = {name: json.loads(z.read(name)) for name in sys.argv[2:]}
print(json.dumps(out))
`;

/** The given JSON entries as Python's zipfile + json (CVAT's own readers) see them. */
export async function pythonJsonEntries(path: string, names: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('python3', ['-c', PYTHON_JSON, path, ...names], { maxBuffer: 256 << 20 });
  return JSON.parse(stdout) as Record<string, unknown>;
}
