/** Command-line flags of the bench scripts: `--name` switches and `--name value` options. */
const argv = process.argv.slice(2);

export const flag = (name: string): boolean => argv.includes(name);

export function option(name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}
