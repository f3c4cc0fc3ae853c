// Stand-in for Node built-ins in the browser bundle: some packages import them for their Node-only
// paths (files on disk, wasm paths in node_modules). Using one in the browser throws a clear error.
function unavailable(): never {
  throw new Error('this Node.js API is not available in the browser demo');
}
const handler: ProxyHandler<object> = {
  get: (_t, key) => (key === '__esModule' ? false : key === 'then' ? undefined : unavailable),
};
const stub: any = new Proxy({}, handler);
export default stub;
export const promises = stub;
export const readFile = unavailable;
export const readFileSync = unavailable;
export const writeFile = unavailable;
export const writeFileSync = unavailable;
export const existsSync = (): boolean => false;
export const mkdir = unavailable;
export const mkdirSync = unavailable;
export const rename = unavailable;
export const renameSync = unavailable;
export const open = unavailable;
export const openSync = unavailable;
export const stat = unavailable;
export const statSync = unavailable;
export const readdir = unavailable;
export const readdirSync = unavailable;
export const rm = unavailable;
export const unlink = unavailable;
export const createReadStream = unavailable;
export const createWriteStream = unavailable;
export const join = (...parts: string[]): string => parts.join('/');
export const dirname = (p: string): string => p.replace(/\/[^/]*$/, '');
export const basename = (p: string): string => p.replace(/^.*\//, '');
export const resolve = join;
export const sep = '/';
export const fileURLToPath = unavailable;
export const pathToFileURL = unavailable;
export const createRequire = unavailable;
export const homedir = (): string => '/';
export const tmpdir = (): string => '/tmp';
export const createHash = unavailable;
export const randomUUID = (): string => crypto.randomUUID();
