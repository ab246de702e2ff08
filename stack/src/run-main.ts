/** Runs a command's `main` with the process arguments and exits with its code (1 and the stack on a crash). */
export function runMain(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`${error.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
